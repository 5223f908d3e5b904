// The console's files (docs/console.md): the page and its modules with their types, an ETag
// that answers 304, no-cache (revalidate) even for a logged-in browser, gzip for text, and
// 404 for names outside the web directory's plain files (dot files, unknown types, traversal).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, startServer } from './lib/server.mjs';
import { req } from './lib/http.mjs';
import { addUser, loginOk } from './lib/staff.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

test('the console page and its modules', async () => {
  const page = await req(srv.base, 'GET', '/console');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html; charset=utf-8/);
  assert.match(page.text, /<html lang="zh-CN">/);
  assert.match(page.headers.get('content-security-policy'), /script-src 'self'/);
  const js = await req(srv.base, 'GET', '/static/console/app.js', { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  assert.equal(js.headers.get('cache-control'), 'no-cache');
  const etag = js.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]+-[0-9a-f]+"$/);
  const again = await req(srv.base, 'GET', '/static/console/app.js', { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.text, '');
  // the service worker may serve the /console page (its scope), nothing wider
  const sw = await req(srv.base, 'GET', '/static/console/sw.js');
  assert.equal(sw.status, 200);
  assert.equal(sw.headers.get('service-worker-allowed'), '/console');
  assert.equal((await req(srv.base, 'GET', '/static/console/app.js')).headers.get('service-worker-allowed'), null);
  const mod = await req(srv.base, 'GET', '/static/console/pages/inbox.js');
  assert.equal(mod.status, 200);
  assert.equal((await req(srv.base, 'GET', '/static/console/app.css')).headers.get('content-type'), 'text/css; charset=utf-8');
  // a logged-in browser keeps the files too (a personal answer would say no-store)
  const s = await loginOk(srv, 'web', await addUser(srv, 'web', 'O-WMB', 'office'));
  const withCookie = await req(srv.base, 'GET', '/static/console/app.js', { headers: { Cookie: s.cookie } });
  assert.equal(withCookie.headers.get('cache-control'), 'no-cache');
  const me = await req(srv.base, 'GET', '/api/v1/session', { headers: { Cookie: s.cookie } });
  assert.equal(me.headers.get('cache-control'), 'no-store');
});

test('only plain files of known types in the web directory', async () => {
  for (const p of ['/static/console/.hidden.js', '/static/console/nosuch.js', '/static/console/app.exe',
    '/static/vendor/.stamp', '/static/console/%2e%2e/%2e%2e/README.md',
    '/static/a/b/c/d.js', '/static/console/index']) {
    const r = await req(srv.base, 'GET', p);
    assert.ok(r.status === 404 || r.status === 400, `${p}: ${r.status}`);
  }
});

test("a city's tile server: named in the session and allowed by the CSP; a bad URL is refused", async () => {
  const me = await loginOk(srv, 'web2', await addUser(srv, 'web2', 'O-WMB', 'office'));
  const plain = await req(srv.base, 'GET', '/api/v1/session', { headers: { Cookie: me.cookie } });
  assert.equal(JSON.parse(plain.text).tile_url, null);
  assert.match(plain.headers.get('content-security-policy'), /img-src 'self' data: blob:;/);

  const url = 'https://tiles.example.cn:8443/osm/{z}/{x}/{y}.png';
  const tiles = await startServer({ args: ['--tile-url', url, '--tile-attribution', '© 大连市测绘院'] });
  try {
    const s = await loginOk(tiles, 'web', await addUser(tiles, 'web', 'O-WMB', 'office'));
    const r = await req(tiles.base, 'GET', '/api/v1/session', { headers: { Cookie: s.cookie } });
    const body = JSON.parse(r.text);
    assert.equal(body.tile_url, url);
    assert.equal(body.tile_attribution, '© 大连市测绘院');
    assert.match(r.headers.get('content-security-policy'), /img-src 'self' data: blob: https:\/\/tiles\.example\.cn:8443;/);
    assert.match((await req(tiles.base, 'GET', '/console')).headers.get('content-security-policy'), /tiles\.example\.cn:8443/);
    // staff only: the portal's maps stay on the outlines
    for (const page of ['/report', '/map']) assert.doesNotMatch((await req(tiles.base, 'GET', page)).text, /wm-tiles/, page);
  } finally {
    await tiles.stop();
  }
  // --tile-public: the portal's picker and 问题地图 get them too, the credit line escaped
  const pub = await startServer({ args: ['--tile-url', url, '--tile-attribution', '© 测绘院 <b>"x"</b>', '--tile-public'] });
  try {
    for (const page of ['/report', '/map']) {
      const r = await req(pub.base, 'GET', page);
      assert.equal(r.status, 200);
      assert.ok(r.text.includes('<div id="wm-tiles" hidden data-url="https://tiles.example.cn:8443/osm/{z}/{x}/{y}.png"'
        + ' data-attribution="© 测绘院 &lt;b&gt;&quot;x&quot;&lt;/b&gt;"></div>'), `${page}: ${r.text.slice(-900)}`);
      assert.match(r.headers.get('content-security-policy'), /img-src 'self' data: blob: https:\/\/tiles\.example\.cn:8443;/);
    }
  } finally {
    await pub.stop();
  }
  const alone = await runCli(['serve', '--port', '0', '--db', srv.db, '--tile-public']);
  assert.equal(alone.code, 2, alone.stderr);
  assert.match(alone.stderr, /--tile-public needs --tile-url/);
  for (const bad of ['https://a.cn; script-src */{z}/{x}/{y}', 'https://tiles.cn/{z}/{x}.png', 'javascript:alert(1)']) {
    const r = await runCli(['serve', '--port', '0', '--db', srv.db, '--tile-url', bad]);
    assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
    assert.match(r.stderr, /--tile-url must be/);
  }
});

// The console's files (docs/console.md): the page and its modules with their types, an ETag
// that answers 304, no-cache (revalidate) even for a logged-in browser, gzip for text, and
// 404 for names outside the web directory's plain files (dot files, unknown types, traversal).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
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

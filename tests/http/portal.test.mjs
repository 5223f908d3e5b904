// The public portal's pages with no JavaScript (issue 8, docs/portal.md): the home page and
// its weekly figures, the tracking form (a good code redirects, a bad one re-renders with the
// error beside the field and the input kept, escaped), a case's page with what citizens typed
// escaped, error pages as pages, and the 关怀版 switch (a cookie, a return only to our own
// paths). Runs on SQLite and, with WENMING_TEST_PG, on PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { get } from './lib/http.mjs';
import { fileRequest } from './lib/open311.mjs';
import { sql } from './lib/staff.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

const page = async (path, headers = {}) => {
  const r = await get(srv.base, path, { headers });
  return r;
};
const isPage = (r) => {
  assert.match(r.headers.get('content-type'), /^text\/html; charset=utf-8/);
  assert.match(r.text, /^<!doctype html>\n<html lang="zh-CN"/);
};

test('the home page: the way in, this week in figures, solved problems by place only', async () => {
  const before = await page('/');
  assert.equal(before.status, 200);
  isPage(before);
  assert.match(before.text, /<a class="skip" href="#main">/);
  assert.match(before.text, /<a href="\/" aria-current="page">首页<\/a>/);
  assert.match(before.text, /href="\/report"/);
  const reported = (t) => Number(/<strong>(\d+)<\/strong> 件问题已受理/.exec(t)[1]);
  const n = reported(before.text);
  const { id } = await fileRequest(srv, { description: '首页统计测试', address_string: '大连市中山区测试路 88 号' });
  assert.equal(reported((await page('/')).text), n + 1, 'a report of today counts this week');
  // closed now: listed first among the solved, by category and place, never its address
  sql(srv.db, `UPDATE cases SET status = 'closed', closed_at = ${Math.floor(Date.now() / 1000) + 5} WHERE code = '${id}'`);
  const after = await page('/');
  const solved = /<h2 id="solved">[\s\S]*?<\/ul>/.exec(after.text)[0];
  assert.doesNotMatch(solved, /测试路|88 号/, 'no address on the public home page');
  assert.doesNotMatch(solved, /首页统计测试/, 'no description either');
  assert.match(after.text, /<link rel="stylesheet" href="\/static\/portal\/portal.css">/);
  const css = await page('/static/portal/portal.css');
  assert.equal(css.status, 200);
  assert.match(css.text, /html\.care/);
});

test('tracking: the form, a code redirects to its page, a bad one is shown beside the field', async () => {
  const form = await page('/track');
  assert.equal(form.status, 200);
  assert.match(form.text, /<form class="card" method="get" action="\/track">/);
  assert.match(form.text, /<label for="code">/);

  const { id } = await fileRequest(srv, { description: '<script>alert(1)</script><img src=x onerror=alert(2)> 井盖"缺失\'' });
  const go = await page(`/track?code=${encodeURIComponent(`  ${id.toLowerCase()} `)}`);
  assert.equal(go.status, 303);
  assert.equal(go.headers.get('location'), `/track/${id}`);

  const bad = await page(`/track?code=${encodeURIComponent('"><b>x')}`);
  assert.equal(bad.status, 400);
  isPage(bad);
  assert.match(bad.text, /<p class="error" id="code-error">查询码格式不对/);
  assert.match(bad.text, /aria-invalid="true" aria-describedby="code-error"/);
  assert.match(bad.text, /value="&quot;&gt;&lt;b&gt;x"/, 'the input kept, escaped');
  assert.doesNotMatch(bad.text, /<b>x/);

  const c = await page(`/track/${id}?new=1`);
  assert.equal(c.status, 200);
  isPage(c);
  assert.equal(c.headers.get('cache-control'), 'no-store');
  assert.match(c.text, /<h1>案件 DL/);
  assert.match(c.text, /已受理，谢谢您/);
  assert.match(c.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;&lt;img src=x onerror=alert\(2\)&gt; 井盖&quot;缺失&#39;/);
  assert.doesNotMatch(c.text, /<script>|<img /, 'nothing a citizen typed becomes markup');
  assert.match(c.text, /<ol class="timeline">[\s\S]*已上报/);
  assert.match(c.text, /本环节办理时限：/);
  assert.doesNotMatch(c.text, /token|reporter|phone/i);
});

test('errors are pages for pages and browsers, JSON for the API', async () => {
  const none = await page('/track/DL000000XXXXXXX');
  assert.equal(none.status, 404);
  assert.match(none.headers.get('content-type'), /^text\/html/);
  assert.match(none.text, /<h1>页面不存在<\/h1>/);
  assert.match(none.text, /href="\/"/);
  const stale = await page('/no/such/page', { Accept: 'text/html,application/xhtml+xml' });
  assert.equal(stale.status, 404);
  assert.match(stale.headers.get('content-type'), /^text\/html/);
  const api = await page('/api/v1/no-such', { Accept: 'text/html' });
  assert.equal(api.status, 404);
  assert.match(api.headers.get('content-type'), /^application\/json/);
  const plain = await page('/no/such/page');
  assert.match(plain.headers.get('content-type'), /^application\/json/, 'API clients keep the Open311 error shape');
  const badParam = await page('/track/DL000000XXXXXXX?new=2');
  assert.equal(badParam.status, 400);
  assert.match(badParam.headers.get('content-type'), /^text\/html/);
});

test('关怀版: a link on every page sets a cookie for a year and comes back; large type then', async () => {
  const on = await page('/care?on=1&back=%2Ftrack');
  assert.equal(on.status, 303);
  assert.equal(on.headers.get('location'), '/track');
  assert.match(on.headers.get('set-cookie'), /^wm_care=1; Path=\/; Max-Age=31536000; SameSite=Lax; HttpOnly/);
  const care = await page('/track', { Cookie: 'wm_care=1' });
  assert.match(care.text, /<html lang="zh-CN" class="care">/);
  assert.match(care.text, /<a class="care-switch" href="\/care\?on=0&amp;back=%2Ftrack">标准版<\/a>/);
  const std = await page('/track');
  assert.match(std.text, /<a class="care-switch" href="\/care\?on=1&amp;back=%2Ftrack">关怀版/);
  const off = await page('/care?on=0&back=%2F');
  assert.match(off.headers.get('set-cookie'), /^wm_care=0; Path=\/; Max-Age=0/);
  for (const back of ['//evil.example', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
    const r = await page(`/care?on=1&back=${encodeURIComponent(back)}`);
    assert.equal(r.headers.get('location'), '/', `${back} is not ours`);
  }
  assert.equal((await page('/care?on=yes')).status, 400);
  // the home page is kept for a few seconds: each mode keeps its own copy
  for (let i = 0; i < 2; i++) {
    assert.doesNotMatch((await page('/')).text, /class="care"/);
    assert.match((await page('/', { Cookie: 'wm_care=1' })).text, /<html lang="zh-CN" class="care">/);
  }
});

test('问题公开: newest first by district and state, with no address, description or person', async () => {
  const { id } = await fileRequest(srv, { description: '公开列表测试：电话13912345678', address_string: '中山区公开路 99 号', lat: 38.91, long: 121.66 });
  const all = await page('/cases');
  assert.equal(all.status, 200);
  isPage(all);
  assert.match(all.text, /<a href="\/cases" aria-current="page">问题公开<\/a>/);
  assert.match(all.text, /<table class="cases"><caption>/);
  assert.doesNotMatch(all.text, /公开路|99 号|13912345678|公开列表测试/, 'nothing that finds a person or a door');
  assert.doesNotMatch(all.text, new RegExp(id), 'no tracking codes either');
  const rows = (t) => (t.match(/<tr><td>/g) || []).length;
  assert.equal(rows(all.text), 30, 'a page of 30');
  const more = /href="(\/cases\?state=all&amp;before=\d+)"/.exec(all.text)[1].replace(/&amp;/g, '&');
  const older = await page(more);
  assert.equal(older.status, 200);
  assert.ok(rows(older.text) > 0);
  const zs = await page('/cases?district=210202&state=open');
  assert.match(zs.text, /<option value="210202" selected>中山区<\/option>/);
  assert.match(zs.text, /<option value="open" selected>办理中<\/option>/);
  const places = [...zs.text.matchAll(/<tr><td>[^<]*<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td>/g)];
  assert.ok(places.length > 0);
  for (const [, place, state] of places) {
    assert.match(place, /^中山区/);
    assert.notEqual(state, '已结案');
  }
  assert.equal((await page('/cases?state=bogus')).status, 400);
});

test('a case page shows the photos of the result, never the report\'s; the home page lists the latest news', async () => {
  const { id } = await fileRequest(srv, { description: '结果照片测试', address_string: '西岗区测试街 2 号' });
  const caseId = Number(sql(srv.db, `SELECT id FROM cases WHERE code = '${id}'`));
  const now = Math.floor(Date.now() / 1000);
  const [report, result] = ['a', 'b'].map((c) => c.repeat(64));
  sql(srv.db, `INSERT INTO media (sha256, mime, bytes, created_at) VALUES ('${report}', 'image/jpeg', 10, ${now}), ('${result}', 'image/png', 10, ${now})`);
  sql(srv.db, `INSERT INTO case_media (case_id, sha256, role) VALUES (${caseId}, '${report}', 'report'), (${caseId}, '${result}', 'handled')`);
  const r = await page(`/track/${id}`);
  assert.equal(r.status, 200);
  assert.match(r.text, new RegExp(`<h2>处理结果照片</h2><ul class="photos"><li><a href="/media/${result}\\.png"><img src="/media/${result}\\.png" alt="处理结果照片 1"`));
  assert.doesNotMatch(r.text, new RegExp(report), 'the report\'s photo stays off the public page');
  const api = JSON.parse((await get(srv.base, `/api/v1/public/cases/${id}`)).text);
  assert.deepEqual(api.photos.map((p) => p.role), ['handled']);
  // the demo's creation news on the home page
  const home = (await page('/')).text;
  assert.match(home, /<h2 id="news-h">创城动态<\/h2><ul class="list"><li><span class="muted">[^<]+<\/span> <a href="\/news\/\d+">/);
});

test('a case page masks phone numbers, house numbers and the point: its code is public through Open311', async () => {
  const { id } = await fileRequest(srv, { description: '楼道堆物，联系电话 0411-88886666', address_string: '中山区人民路 18 号 2 单元', lat: 38.9177, long: 121.6391 });
  const r = await page(`/track/${id}`);
  assert.equal(r.status, 200);
  assert.match(r.text, /<dd>楼道堆物，联系电话 \*\*\*<\/dd>/);
  assert.match(r.text, /<dd>中山区人民路 \*\* 号 \*\* 单元<\/dd>/);
  assert.doesNotMatch(r.text, /88886666|18 号/);
  const c = JSON.parse((await get(srv.base, `/api/v1/public/cases/${id}`)).text);
  assert.equal(c.description, '楼道堆物，联系电话 ***');
  assert.equal(c.address, '中山区人民路 ** 号 ** 单元');
  assert.ok(c.lat !== 38.9177 && Math.abs(c.lat - 38.9177) < 0.001 && Math.abs(c.long - 121.6391) < 0.0015, `the point in its cell's centre: ${c.lat}, ${c.long}`);
});

test('an error page keeps the 关怀版 of the visitor', async () => {
  const r = await page('/track/DL000000XXXXXXX', { Cookie: 'wm_care=1', Accept: 'text/html' });
  assert.equal(r.status, 404);
  assert.match(r.text, /^<!doctype html>\n<html lang="zh-CN" class="care">/);
  const plain = await page('/track/DL000000XXXXXXX', { Accept: 'text/html' });
  assert.match(plain.text, /^<!doctype html>\n<html lang="zh-CN">/);
  const stray = await page('/no/such/page', { Cookie: 'wm_care=1', Accept: 'text/html' });
  assert.equal(stray.status, 404);
  assert.match(stray.text, /class="care"/, 'a stray link in a browser too');
});

test('问题公开 by category: the filter, its paging link, an unknown category lists nothing', async () => {
  const { id } = await fileRequest(srv, { service_code: 'E0102', description: '类别筛选测试', address_string: '中山区某路' });
  const r = await page('/cases?service_code=E0102');
  assert.equal(r.status, 200);
  assert.match(r.text, /<select id="service_code" name="service_code"><option value="">全部类别<\/option>/);
  assert.match(r.text, /<option value="E0102"[^>]* selected>/);
  const rows = [...r.text.matchAll(/<tr><td>([^<]+)<\/td>/g)].map((m) => m[1]);
  const name = JSON.parse((await get(srv.base, '/open311/v2/services.json')).text).find((s) => s.service_code === 'E0102').service_name;
  assert.ok(rows.length > 0 && rows.every((n) => n === name), rows.join());
  assert.doesNotMatch(r.text, new RegExp(id));
  const none = await page('/cases?service_code=Z9999');
  assert.match(none.text, /没有符合条件的问题/);
});

test('a case placed on the map only shows its district and street as its place', async () => {
  const { id } = await fileRequest(srv, { description: '只在地图上选了位置' });
  const view = JSON.parse((await get(srv.base, `/api/v1/public/cases/${id}`)).text);
  assert.equal(view.address, '');
  assert.ok(view.district, JSON.stringify(view));
  const r = await page(`/track/${id}`);
  assert.match(r.text, new RegExp(`<dt>地点</dt><dd>${view.district}${view.street}</dd>`));
});

// The public map and its masking (issue 8, docs/portal.md "Maps and masking"): the points of
// GET /api/v1/public/map are cell centres within 200 m of the filed place but never it, with
// nothing that finds a person or a door; its filters (days, district, category, state) and
// bad values; the district and street outlines as GeoJSON; /map without JavaScript as a
// table of districts linking to 问题公开; the map picker's lat/long kept through a mistake on
// 我要反映, and a report located by the map alone. Runs on SQLite and, with WENMING_TEST_PG,
// on PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { fieldParts, get, postMultipart, sleep } from './lib/http.mjs';
import { DALIAN, fetchRequest, fileRequest, haversine, offset } from './lib/open311.mjs';
import { sql } from './lib/staff.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

const CACHE_MS = 1100; /* routes.c CACHE_MS, and a little */
const FIELDS = ['date', 'district', 'lat', 'long', 'service_name', 'state', 'street'];
const mapData = async (qs = '') => {
  const r = await get(srv.base, `/api/v1/public/map${qs}`);
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.match(r.headers.get('content-type'), /^application\/json/);
  return { ...r.json(), text: r.text };
};
const near = (points, p, m = 200) => points.filter((q) => haversine(q.lat, q.long, p.lat, p.long) <= m);

test('points are masked: within 200 m of the report, never its place, nothing personal', async () => {
  const at = offset(DALIAN, 37, -53); // not a cell centre
  const code = 'E0102';
  const before = await mapData(`?days=1&service_code=${code}`);
  const { id } = await fileRequest(srv, {
    service_code: code, lat: at.lat, long: at.long, description: '地图测试：电话13912345678',
    address_string: '中山区地图路 77 号', phone: '13912345678',
  });
  const after = await mapData(`?days=1&service_code=${code}`);
  assert.equal(after.total, before.total + 1);
  assert.equal(after.points.length, before.points.length + 1);
  const mine = near(after.points, at).length - near(before.points, at).length;
  assert.equal(mine, 1, 'the new point lies within 200 m of where it was filed');
  for (const p of after.points) {
    assert.deepEqual(Object.keys(p).sort(), FIELDS);
    assert.ok(p.lat !== at.lat || p.long !== at.long, 'never the filed coordinates');
    assert.match(p.date, /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(p.state === 'open' || p.state === 'solved');
  }
  const filed = near(after.points, at);
  assert.ok(filed.every((p) => p.service_name === '暴露垃圾' && p.district), JSON.stringify(filed));
  assert.doesNotMatch(after.text, new RegExp(`${id}|地图测试|地图路|13912345678|"code"\\s*:\\s*"DL|description|address|phone|token`),
    'no code, description, address or phone');
  assert.deepEqual(Object.keys(after).filter((k) => k !== 'text').sort(),
    ['days', 'districts', 'located', 'points', 'since', 'solved', 'total']);
});

test('filters: days, district (its streets and grids), category, state; bad values', async () => {
  const xg = { lat: 38.91, long: 121.595 }; // 西岗区, 人民广场街道
  const { id } = await fileRequest(srv, { service_code: 'E0103', lat: xg.lat, long: xg.long });
  const old = await fileRequest(srv, { service_code: 'E0103', lat: xg.lat, long: xg.long });
  const xgCat = (days) => mapData(`?service_code=E0103&district=210203&days=${days}`);
  const [b30, b90] = [await xgCat(30), await xgCat(90)];
  sql(srv.db, `UPDATE cases SET requested_at = requested_at - 40 * 86400 WHERE code = '${old.id}'`);
  await sleep(CACHE_MS); // a write behind the server's back is seen once the cached answer is older
  const [cat30, cat90] = [await xgCat(30), await xgCat(90)];
  assert.equal(cat30.total, b30.total - 1, 'a case of 40 days ago is not among the last 30 days');
  assert.equal(cat90.total, b90.total, 'but among the last 90');
  assert.ok(cat30.points.every((p) => p.service_name === '积存垃圾渣土' && p.district === '西岗区'));

  const all = await mapData();
  assert.equal(all.days, 30);
  assert.ok(all.total > 10 && all.points.length === all.located, JSON.stringify({ ...all, points: all.points.length }));
  assert.equal(all.districts.reduce((s, d) => s + d.reported, 0) <= all.total, true);
  // newest first
  const dates = all.points.map((p) => p.date);
  assert.deepEqual([...dates].sort().reverse(), dates);

  const zs = await mapData('?district=210202');
  assert.ok(zs.points.length > 0);
  assert.ok(zs.points.every((p) => p.district === '中山区'), 'a district and what is in it');
  assert.deepEqual(zs.districts.map((d) => d.code), ['210202']);
  assert.equal(zs.districts[0].reported, all.districts.find((d) => d.code === '210202').reported);

  sql(srv.db, `UPDATE cases SET status = 'closed', closed_at = ${Math.floor(Date.now() / 1000)} WHERE code = '${id}'`);
  await sleep(CACHE_MS);
  const solved = await mapData('?service_code=E0103&district=210203&state=solved');
  const open = await mapData('?service_code=E0103&district=210203&state=open');
  assert.ok(solved.points.length >= 1 && solved.points.every((p) => p.state === 'solved'));
  assert.ok(open.points.every((p) => p.state === 'open'));
  assert.equal(solved.total + open.total, cat30.total);
  assert.equal(solved.solved, solved.total);

  for (const bad of ['days=0', 'days=91', 'days=x', 'state=closed', `district=${'9'.repeat(33)}`]) {
    const r = await get(srv.base, `/api/v1/public/map?${bad}`);
    assert.equal(r.status, 400, bad);
    assert.match(r.headers.get('content-type'), /^application\/json/);
  }
  for (const unknown of ['district=999999', 'service_code=NOPE']) {
    const r = await get(srv.base, `/api/v1/public/map?${unknown}`);
    assert.equal(r.status, 404, `${unknown}: an unknown code is not taken for "no problems"`);
    assert.equal(r.json()[0].code, 404);
  }
});

test('the districts and streets as GeoJSON, with nothing of the office', async () => {
  const r = await get(srv.base, '/api/v1/public/areas');
  assert.equal(r.status, 200);
  const fc = r.json();
  assert.equal(fc.type, 'FeatureCollection');
  const kinds = new Set(fc.features.map((f) => f.properties.kind));
  assert.deepEqual([...kinds].sort(), ['district', 'street']);
  for (const f of fc.features) {
    assert.equal(f.type, 'Feature');
    assert.deepEqual(Object.keys(f.properties).sort(), ['code', 'kind', 'name']);
    assert.equal(f.id, undefined);
    assert.match(f.geometry.type, /^(Multi)?Polygon$/);
  }
  assert.ok(fc.features.some((f) => f.properties.code === '210202' && f.properties.name === '中山区'));
});

test('/map without JavaScript: the districts with their figures and links to 问题公开', async () => {
  const r = await get(srv.base, '/map');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.match(r.text, /<a href="\/map" aria-current="page">问题地图<\/a>/);
  assert.match(r.text, /<form class="card filters" id="map-filters" method="get" action="\/map">/);
  for (const id of ['district', 'service_code', 'state', 'days']) assert.match(r.text, new RegExp(`<label for="${id}">`));
  assert.match(r.text, /<option value="30" selected>近 30 天<\/option>/);
  const data = await mapData();
  for (const d of data.districts) {
    const row = new RegExp(`<tr><th scope="row"><a href="/cases\\?district=${d.code}">${d.name}</a></th>`
      + `<td>${d.reported}</td><td>${d.solved}</td><td>${d.reported - d.solved}</td></tr>`);
    assert.match(r.text, row, d.name);
  }
  assert.match(r.text, new RegExp(`近 30 天共反映 <strong>${data.total}</strong> 件问题，已解决 <strong>${data.solved}</strong> 件`));
  assert.match(r.text, /<script type="module" src="\/static\/portal\/map.js"><\/script>/);
  assert.doesNotMatch(r.text, /style=|onclick=|<script>/, 'no inline style or script (CSP)');
  const week = await get(srv.base, '/map?district=210202&service_code=&state=open&days=7');
  assert.equal(week.status, 200);
  assert.match(week.text, /<option value="7" selected>近 7 天<\/option>/);
  assert.match(week.text, /<option value="210202" selected>中山区<\/option>/);
  assert.equal((week.text.match(/<tr><th scope="row">/g) || []).length, 1, 'the chosen district only');
  assert.match((await get(srv.base, '/map?days=14')).text, /<option value="14" selected>近 14 天<\/option><option value="30">/);
  const none = await get(srv.base, '/map?district=999999');
  assert.equal(none.status, 404);
  assert.match(none.text, /没有这个区域/);
  assert.equal((await get(srv.base, '/map?days=0')).status, 400);
  const js = await get(srv.base, '/static/portal/map.js');
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /javascript/);
});

test('我要反映: the map point survives a mistake; a point alone is enough to file', async () => {
  const form = await get(srv.base, '/report');
  const cookie = /^(wm_form=[0-9a-f]{32})/.exec(form.headers.get('set-cookie'))[1];
  assert.doesNotMatch(form.text, /name="lat"|name="long"/, 'nothing empty is posted without a point');
  assert.match(form.text, /<script type="module" src="\/static\/portal\/report.js"><\/script>/);
  const send = (fields) => postMultipart(srv.base, '/report', fieldParts({ form_token: cookie.slice(8), ...fields }),
    { headers: { Cookie: cookie } });
  const at = offset(DALIAN, 120, 80);
  const bad = await send({ service_code: 'E0102', description: '', lat: at.lat, long: at.long });
  assert.equal(bad.status, 422);
  assert.match(bad.text, /<p class="error" id="description-error">/);
  assert.doesNotMatch(bad.text, /id="address_string-error"/, 'the point is a place');
  assert.match(bad.text, new RegExp(`<input type="hidden" name="lat" value="${at.lat}"><input type="hidden" name="long" value="${at.long}">`));

  const half = await send({ service_code: 'E0102', description: '垃圾', lat: at.lat });
  assert.equal(half.status, 422);
  assert.doesNotMatch(half.text, /name="lat"/, 'half a point is not kept');

  const ok = await send({ service_code: 'E0102', description: '路边有垃圾堆', lat: at.lat, long: at.long });
  assert.equal(ok.status, 303, ok.text.slice(0, 300));
  const code = /\/track\/(DL[0-9A-Z]+)/.exec(ok.headers.get('location'))[1];
  const req = await fetchRequest(srv, code);
  assert.equal(req.lat, at.lat);
  assert.equal(req.long, at.long);
  assert.notEqual(sql(srv.db, `SELECT COALESCE(area_id, 0) FROM cases WHERE code = '${code}'`), '0', 'located in an area');
  const onMap = near((await mapData('?days=1&service_code=E0102')).points, at);
  assert.ok(onMap.some((p) => p.district === '中山区' && p.street), JSON.stringify(onMap));
});

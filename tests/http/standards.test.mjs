// The evaluation standard and the sites (issue 6, part 1–2): the shipped edition loaded by
// init, a site type's checklist, a second version imported beside it (never rewritten) and
// activated, CLI errors as FILE:LINE with nothing imported; sites listed within reach, as
// GeoJSON, one by code, saved by the office (audited), refused to a handler (403), exported
// and imported back. Runs on SQLite and, with WENMING_TEST_PG, on PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, startServer, ROOT } from './lib/server.mjs';
import { addUser, loginOk, staffReq, sql } from './lib/staff.mjs';

const EDITION = path.join(ROOT, 'data/standards/2026.csv');
let srv;
const who = {};

before(async () => {
  srv = await startServer();
  const people = {
    office: ['O-WMB', 'office'],
    handler: ['210203', 'handler'],
    inspector: ['O-WMB', 'inspector'],
  };
  for (const [login, [unit, roles]] of Object.entries(people))
    who[login] = await loginOk(srv, login, await addUser(srv, login, unit, roles));
});
after(async () => { await srv?.stop(); });

const get = (login, p) => staffReq(srv, 'GET', p, { cookie: who[login].cookie });
const post = (login, p, body) => staffReq(srv, 'POST', p, { cookie: who[login].cookie, csrf: who[login].csrf, body });
const json = (r) => JSON.parse(r.text);

// Every item of a tree, flat.
const itemsOf = (tree) => tree.projects.flatMap((p) => p.contents.flatMap((c) => c.items));

test('the shipped edition: versions, the tree, a site type\'s checklist', async () => {
  const types = await get('inspector', '/api/v1/site-types');
  assert.equal(types.status, 200, types.text);
  assert.ok(json(types).some((t) => t.code === 'market' && t.name === '农贸市场'));

  const v = json(await get('inspector', '/api/v1/standards'));
  assert.equal(v.length, 1);
  assert.equal(v[0].code, '2026');
  assert.equal(v[0].active, true);
  assert.ok(v[0].projects >= 6 && v[0].contents >= 15 && v[0].items >= 80, JSON.stringify(v[0]));

  const tree = json(await get('inspector', '/api/v1/standards/active'));
  assert.equal(tree.code, '2026');
  const items = itemsOf(tree);
  assert.equal(items.length, v[0].items);
  assert.ok(items.some((i) => i.veto === 'veto') && items.some((i) => i.veto === 'deduct'));
  const field = items.filter((i) => i.method === 'field');
  assert.ok(field.length > 0 && field.every((i) => i.site_types.length > 0));
  assert.ok(field.some((i) => i.service_codes.length > 0), 'field items open cases of categories');

  // the checklist of a market: only items checked at markets, no empty contents
  const list = json(await get('inspector', '/api/v1/standards/2026?site_type=market'));
  const mi = itemsOf(list);
  assert.ok(mi.length > 0);
  assert.ok(mi.every((i) => i.site_types.includes('market')), 'only market items');
  assert.equal(mi.length, items.filter((i) => i.site_types.includes('market')).length);
  for (const p of list.projects) {
    assert.ok(p.contents.length > 0);
    for (const c of p.contents) assert.ok(c.items.length > 0);
  }
  const surveys = itemsOf(json(await get('inspector', '/api/v1/standards/2026?method=survey')));
  assert.ok(surveys.length > 0 && surveys.every((i) => i.method === 'survey'));

  assert.equal((await get('inspector', '/api/v1/standards/1999')).status, 404);
  assert.equal((await get('inspector', '/api/v1/standards/2026?method=guess')).status, 400);
  assert.equal((await staffReq(srv, 'GET', '/api/v1/standards')).status, 401);
});

test('import standards: FILE:LINE errors and nothing imported; a new version beside the old, activated', async () => {
  const bad = path.join(srv.dir, 'bad-standards.csv');
  writeFileSync(bad, 'code,parent_code,kind,text,method,site_types,points,veto,service_codes,sort\n'
    + 'X1,,project,项目,,,,,,10\n'
    + 'X1.1,X1,content,内容,,,,,,10\n'
    + 'X1.1.1,X1.1,item,条目,field,nosuch,1,none,E0101,10\n'
    + 'X1.1.2,X1.1,item,条目,survey,market,0,maybe,E9999,20\n'
    + 'X1.1.3,X9,item,条目,material,,1,none,,30\n');
  const r = await runCli(['import', 'standards', bad, '--version', '2099', '--db', srv.db]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /bad-standards\.csv:4: .*unknown site type "nosuch"/);
  assert.match(r.stderr, /bad-standards\.csv:5: .*only field .* have site_types/);
  assert.match(r.stderr, /bad-standards\.csv:5: .*points must be a number above 0/);
  assert.match(r.stderr, /bad-standards\.csv:5: .*veto "maybe"/);
  assert.match(r.stderr, /bad-standards\.csv:5: .*unknown service code "E9999"/);
  assert.match(r.stderr, /bad-standards\.csv:6: .*parent_code "X9" is not a row above/);
  assert.match(r.stderr, /nothing was imported/);
  assert.equal(sql(srv.db, "SELECT COUNT(*) FROM standard_version WHERE code = '2099'"), '0');

  // a version is never rewritten
  const again = await runCli(['import', 'standards', EDITION, '--version', '2026', '--db', srv.db]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already imported.*never rewritten/);

  const ok = await runCli(['import', 'standards', EDITION, '--version', '2027', '--name', '2027 版', '--db', srv.db]);
  assert.equal(ok.code, 0, ok.stderr);
  let v = json(await get('office', '/api/v1/standards'));
  assert.deepEqual(v.map((x) => [x.code, x.active]), [['2027', false], ['2026', true]]);

  assert.equal((await post('handler', '/api/v1/standards/2027/activate', {})).status, 403);
  assert.equal((await post('office', '/api/v1/standards/2098/activate', {})).status, 404);
  const a = await post('office', '/api/v1/standards/2027/activate', {});
  assert.equal(a.status, 200, a.text);
  v = json(a);
  assert.deepEqual(v.map((x) => [x.code, x.active]), [['2027', true], ['2026', false]]);
  assert.equal(json(await get('inspector', '/api/v1/standards/active')).code, '2027');
  // the old version's items are untouched
  assert.equal(itemsOf(json(await get('inspector', '/api/v1/standards/2026'))).length, v[1].items);
  assert.equal(sql(srv.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'standard.activate' AND object = '2027'"), '1');
  const list = await runCli(['standards', 'list', '--db', srv.db]);
  assert.match(list.stdout, /^\* 2027 /m);
});

test('sites: list within reach, filters, GeoJSON, one by code', async () => {
  const all = json(await get('office', '/api/v1/sites?limit=1000'));
  assert.ok(all.length >= 100, `${all.length} sites`);
  assert.ok(all.every((s) => s.type_name && s.unit_code), 'every demo site has a type and a 包保 unit');
  const markets = json(await get('office', '/api/v1/sites?type=market'));
  assert.ok(markets.length >= 2 && markets.every((s) => s.type === 'market'));
  const q = json(await get('office', `/api/v1/sites?q=${encodeURIComponent('公交')}`));
  assert.ok(q.length > 0 && q.every((s) => (s.name + s.code + s.address).includes('公交')));

  // a 西岗区 handler sees the sites its units answer for or that lie in its areas
  const mine = json(await get('handler', '/api/v1/sites?limit=1000'));
  assert.ok(mine.length > 0 && mine.length < all.length, `${mine.length} of ${all.length}`);
  const inXg = (s) => s.unit_code.startsWith('210203') || s.area_code.startsWith('210203');
  assert.ok(mine.every(inXg), JSON.stringify(mine.filter((s) => !inXg(s)).slice(0, 2)));
  const other = all.find((s) => !inXg(s) && s.unit_code.startsWith('210202'));
  assert.equal((await get('handler', `/api/v1/sites/${other.code}`)).status, 404);

  const one = await get('office', `/api/v1/sites/${all[0].code}`);
  assert.equal(one.status, 200, one.text);
  assert.equal(json(one).code, all[0].code);
  assert.equal((await get('office', '/api/v1/sites/NOPE')).status, 404);

  const geo = await get('office', '/api/v1/sites/geojson?type=bus_stop');
  assert.equal(geo.status, 200, geo.text);
  assert.match(geo.headers.get('content-type'), /^application\/geo\+json/);
  const fc = json(geo);
  assert.equal(fc.type, 'FeatureCollection');
  assert.ok(fc.features.length >= 2);
  for (const f of fc.features) {
    assert.equal(f.geometry.type, 'Point');
    const [lon, lat] = f.geometry.coordinates;
    assert.ok(lon > 120 && lon < 124 && lat > 38 && lat < 41, `${lon},${lat}`);
    assert.equal(f.properties.type, 'bus_stop');
  }
});

test('sites: the office saves one (audited); bad input and a handler are refused', async () => {
  const body = { code: 'T-SITE-1', name: '测试点位<script>', type: 'park', lat: 38.914, long: 121.6147, address: '中山路1号' };
  assert.equal((await post('handler', '/api/v1/sites', body)).status, 403);
  const r = await post('office', '/api/v1/sites', body);
  assert.equal(r.status, 200, r.text);
  const s = json(r);
  assert.equal(s.name, '测试点位<script>');
  assert.ok(s.area_id, 'the area found from the point');
  assert.equal((await post('office', '/api/v1/sites', { ...body, type: 'nosuch' })).status, 422);
  assert.equal((await post('office', '/api/v1/sites', { ...body, lat: 95 })).status, 400);
  assert.equal((await post('office', '/api/v1/sites', { ...body, code: 'bad code' })).status, 400);
  const changed = json(await post('office', '/api/v1/sites', { ...body, name: '测试点位', active: 'false' }));
  assert.equal(changed.name, '测试点位');
  assert.equal(changed.active, false);
  assert.equal(sql(srv.db, "SELECT COUNT(*) FROM audit_log WHERE object = 'T-SITE-1' AND action IN ('site.create', 'site.update')"), '2');
  const inactive = json(await get('office', '/api/v1/sites?active=false'));
  assert.ok(inactive.some((x) => x.code === 'T-SITE-1'));
});

test('export and import sites: CSV round trip, GeoJSON, errors as FILE:LINE', async () => {
  const out = path.join(srv.dir, 'sites.csv');
  const ex = await runCli(['export', 'sites', '--out', out, '--db', srv.db]);
  assert.equal(ex.code, 0, ex.stderr);
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'code,name,type,area_code,unit_code,lat,lon,address');
  const n = lines.length - 1;
  const im = await runCli(['import', 'sites', out, '--db', srv.db]);
  assert.equal(im.code, 0, im.stderr);
  assert.match(im.stderr, new RegExp(`${n} sites imported .*0 inserted, ${n} updated`));
  const geo = path.join(srv.dir, 'sites.geojson');
  assert.equal((await runCli(['export', 'sites', '--geojson', '--out', geo, '--db', srv.db])).code, 0);
  assert.equal(JSON.parse(readFileSync(geo, 'utf8')).type, 'FeatureCollection');

  const bad = path.join(srv.dir, 'bad-sites.csv');
  writeFileSync(bad, 'code,name,type,area_code,unit_code,lat,lon,address\n'
    + 'B1,好,park,NOAREA,,,,\nB2,好,nosuch,,NOUNIT,38.9,,\n');
  const r = await runCli(['import', 'sites', bad, '--db', srv.db]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /bad-sites\.csv:2: .*unknown area "NOAREA"/);
  assert.match(r.stderr, /bad-sites\.csv:3: .*unknown site type "nosuch"/);
  assert.match(r.stderr, /bad-sites\.csv:3: .*lat and lon go together/);
  assert.match(r.stderr, /bad-sites\.csv:3: .*unknown unit "NOUNIT"/);
  assert.equal(sql(srv.db, "SELECT COUNT(*) FROM site WHERE code IN ('B1', 'B2')"), '0');
});

// Units and areas uploaded through the API (the console's administration): the same
// all-or-nothing import as the CLI, errors as FILE:LINE in a 422 with nothing changed,
// dry_run only checks, audited; handlers may not (403). Runs on SQLite and PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startServer } from './lib/server.mjs';
import { postMultipart } from './lib/http.mjs';
import { addUser, loginOk, staffReq, sql } from './lib/staff.mjs';

let srv;
const who = {};
before(async () => {
  srv = await startServer();
  who.office = await loginOk(srv, 'office', await addUser(srv, 'office', 'O-WMB', 'office'));
  who.zs = await loginOk(srv, 'zs', await addUser(srv, 'zs', '210202', 'handler'));
});
after(async () => { await srv?.stop(); });

const upload = (login, kind, name, data, fields = {}) => postMultipart(srv.base, `/api/v1/${kind}/import`,
  [...Object.entries(fields).map(([k, v]) => ({ name: k, value: v })), { name: 'file', filename: name, type: 'text/plain', data: Buffer.from(data) }],
  { headers: { Cookie: who[login].cookie, 'X-CSRF-Token': who[login].csrf } });
const HEAD = 'code,name,kind,parent_code,phone,contact,email,address,area_code,sort\n';

test('units: a new unit, errors listed with nothing changed, dry run, audit, 403', async () => {
  const before = sql(srv.db, 'SELECT COUNT(*) FROM unit');
  const bad = await upload('office', 'units', 'units.csv', HEAD + 'T-NEW,测试单位,department,NOPE,,,,,,1\nT-TWO,第二,department,NOPE2,,,,,,2\n');
  assert.equal(bad.status, 422, bad.text);
  assert.match(bad.text, /units\.csv:2: /);
  assert.match(bad.text, /units\.csv:3: /);
  assert.match(bad.text, /nothing was imported/);
  assert.equal(sql(srv.db, 'SELECT COUNT(*) FROM unit'), before);
  const form = await upload('office', 'units', 'units.csv', HEAD + 'T-TWO,,department,C-WMW,,,,,,2\n');
  assert.equal(form.status, 422, form.text);
  assert.match(form.text, /units\.csv:2: .*no name/);
  const dry = await upload('office', 'units', 'units.csv', HEAD + 'T-NEW,测试单位,department,C-WMW,,,,,,1\n', { dry_run: 'true' });
  assert.equal(dry.status, 200, dry.text);
  assert.deepEqual(dry.json(), { rows: 1, inserted: 1, updated: 0, dry_run: true });
  assert.equal(sql(srv.db, 'SELECT COUNT(*) FROM unit'), before, 'a dry run changes nothing');
  const ok = await upload('office', 'units', 'units.csv', HEAD + 'T-NEW,测试单位,department,C-WMW,0411-1,,,,,1\n');
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json().inserted, 1);
  const units = JSON.parse((await staffReq(srv, 'GET', '/api/v1/units', { cookie: who.office.cookie })).text);
  assert.ok(units.some((u) => u.code === 'T-NEW' && u.name === '测试单位'));
  assert.equal(sql(srv.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'units.import'"), '1');
  assert.equal((await upload('zs', 'units', 'units.csv', HEAD)).status, 403);
  assert.equal((await staffReq(srv, 'POST', '/api/v1/units/import', { cookie: who.office.cookie, csrf: who.office.csrf, body: {} })).status, 400);
});

test('areas: the demo file checks, a broken one is refused', async () => {
  const demo = readFileSync(path.join(ROOT, 'data/demo/areas.geojson'), 'utf8');
  const dry = await upload('office', 'areas', 'areas.geojson', demo, { dry_run: 'true' });
  assert.equal(dry.status, 200, dry.text);
  assert.ok(dry.json().rows > 0);
  const broken = await upload('office', 'areas', 'areas.geojson', '{"type":"FeatureCollection","features":[{"type":"Feature"}]}');
  assert.ok(broken.status === 422 || broken.status === 400, broken.text);
  assert.match(broken.text, /areas\.geojson/);
});

// The category catalogue in the staff API: the office adds a category (a new 大类 needs its
// name, an existing one's must match), changes its limits and default unit, and switches it
// off — Open311 then neither lists nor accepts it, staff cannot file in it, and a case filed
// before keeps its clock. Audited. Runs on SQLite and, with WENMING_TEST_PG, on PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { addUser, loginOk, staffReq, sql } from './lib/staff.mjs';
import { fileRequest, V2 } from './lib/open311.mjs';
import { get, postForm, sleep } from './lib/http.mjs';

let srv;
let office;
let dispatcher;
const json = (res) => JSON.parse(res.text);
const post = (who, path, body) => staffReq(srv, 'POST', path, { cookie: who.cookie, csrf: who.csrf, body });
const patch = (who, path, body) => staffReq(srv, 'PATCH', path, { cookie: who.cookie, csrf: who.csrf, body });

before(async () => {
  srv = await startServer();
  office = await loginOk(srv, 'cat.office', await addUser(srv, 'cat.office', 'O-WMB', 'office'));
  dispatcher = await loginOk(srv, 'cat.disp', await addUser(srv, 'cat.disp', 'O-WMB', 'dispatcher'));
});
after(async () => { await srv?.stop(); });

test('list, add, refuse bad additions', async () => {
  const list = json(await staffReq(srv, 'GET', '/api/v1/categories', { cookie: dispatcher.cookie }));
  const e0102 = list.find((c) => c.service_code === 'E0102');
  assert.equal(e0102.kind, 'event');
  assert.equal(e0102.group_code, '01');
  assert.ok(e0102.active && e0102.handle_minutes > 0 && e0102.default_unit_code, JSON.stringify(e0102));
  assert.ok(list.some((c) => c.attributes > 0), 'some categories ask for attributes');

  const units = json(await staffReq(srv, 'GET', '/api/v1/units', { cookie: office.cookie }));
  const cgj = units.find((u) => u.code === 'D-CGJ');
  const base = { kind: 'event', description: '共享单车乱停放，占用人行道或盲道。', register_minutes: 30,
    handle_minutes: 240, verify_minutes: 60, default_unit_id: cgj.id, keywords: '单车,共享单车' };
  // An existing group: its name is taken when none is sent; a different one is refused.
  const c = await post(office, '/api/v1/categories', { ...base, code: '0199', name: '共享单车乱停' });
  assert.equal(c.status, 201, c.text);
  const made = json(c);
  assert.equal(made.service_code, 'E0199');
  assert.equal(made.group_name, e0102.group_name);
  assert.equal(made.default_unit_code, 'D-CGJ');
  assert.equal((await post(office, '/api/v1/categories', { ...base, code: '0199', name: 'x' })).status, 409);
  const wrongGroup = await post(office, '/api/v1/categories', { ...base, code: '0198', name: 'x', group_name: '别的' });
  assert.equal(wrongGroup.status, 422, wrongGroup.text);
  assert.match(json(wrongGroup).description ?? wrongGroup.text, /group_name/);
  const newGroup = await post(office, '/api/v1/categories', { ...base, code: '8801', name: 'x' });
  assert.equal(newGroup.status, 422, newGroup.text);
  assert.equal((await post(office, '/api/v1/categories', { ...base, code: '8801', name: '校园周边', group_name: '校园' })).status, 201);
  assert.equal((await post(office, '/api/v1/categories', { ...base, code: '12a4', name: 'x' })).status, 400);
  assert.equal((await post(office, '/api/v1/categories', { ...base, code: '0197', name: '　' })).status, 422);
  assert.equal((await post(office, '/api/v1/categories', { ...base, code: '0197', name: 'x', default_unit_id: 999999 })).status, 422);
  assert.equal((await post(office, '/api/v1/categories', { ...base, code: '0197', name: 'x', handle_minutes: 0 })).status, 400);
  assert.equal((await post(dispatcher, '/api/v1/categories', { ...base, code: '0197', name: 'x' })).status, 403);

  // Open311 offers the new category within a second (its list is cached that long).
  for (let t = Date.now(); ; await sleep(100)) {
    const services = json(await get(srv.base, `${V2}/services.json`));
    if (services.some((s) => s.service_code === 'E0199' && s.service_name === '共享单车乱停')) break;
    assert.ok(Date.now() - t < 10000, 'Open311 lists the new category');
  }
  assert.equal(sql(srv.db, "SELECT count(*) FROM audit_log WHERE action = 'category.create' AND object = 'category:E0199'"), '1');
});

test('change limits and default unit; switch off: no new reports, an open case keeps its clock', async () => {
  const r = await fileRequest(srv, { service_code: 'E0199', lat: 38.914, long: 121.6147, description: '共享单车堵住盲道' });
  const before = await patch(office, '/api/v1/categories/E0199', { handle_minutes: 960, urgent: 'true', default_unit_id: 0, sort: 1 });
  assert.equal(before.status, 200, before.text);
  const changed = json(before);
  assert.equal(changed.handle_minutes, 960);
  assert.equal(changed.urgent, true);
  assert.equal(changed.default_unit_id, null);
  assert.equal(changed.name, '共享单车乱停', 'fields not sent stay');

  const off = await patch(office, '/api/v1/categories/E0199', { active: 'false' });
  assert.equal(json(off).active, false);
  // Reference data and the service list are cached for a second at most.
  const within = async (what, fn) => {
    for (let t = Date.now(); !(await fn()); await sleep(100)) assert.ok(Date.now() - t < 10000, what);
  };
  await within('Open311 no longer lists it', async () =>
    !json(await get(srv.base, `${V2}/services.json`)).some((s) => s.service_code === 'E0199'));
  await within('Open311 refuses reports in it', async () => (await postForm(srv.base, `${V2}/requests.json`,
    { api_key: srv.apiKey, service_code: 'E0199', lat: 38.914, long: 121.6147, description: 'x' })).status === 404);
  const staffFile = await post(dispatcher, '/api/v1/cases', { service_code: 'E0199', lat: 38.914, long: 121.6147, description: '共享单车' });
  assert.equal(staffFile.status, 422, staffFile.text);

  // The case filed before: registered and dispatched with the category's (new) limits.
  const code = r.id;
  const view = json(await staffReq(srv, 'GET', `/api/v1/cases/${code}`, { cookie: dispatcher.cookie }));
  const reg = await post(dispatcher, `/api/v1/cases/${code}/actions`, { action: 'register', version: view.version });
  assert.equal(reg.status, 200, reg.text);
  const units = json(await staffReq(srv, 'GET', '/api/v1/units', { cookie: office.cookie }));
  const cgj = units.find((u) => u.code === 'D-CGJ');
  const disp = await post(dispatcher, `/api/v1/cases/${code}/actions`, { action: 'dispatch', unit_id: cgj.id, version: json(reg).version });
  assert.equal(disp.status, 200, disp.text);
  // 急要件 now: 960 minutes of natural time from the dispatch.
  const due = json(disp).due_at - Math.floor(Date.now() / 1000);
  assert.ok(Math.abs(due - 960 * 60) < 120, `due in ${due} s: ${disp.text.slice(0, 300)}`);

  assert.equal((await patch(office, '/api/v1/categories/E0199', { active: 'true' })).status, 200);
  assert.equal((await patch(office, '/api/v1/categories/E9999', { active: 'true' })).status, 404);
  assert.equal((await patch(dispatcher, '/api/v1/categories/E0199', { active: 'false' })).status, 403);
  assert.equal(sql(srv.db, "SELECT count(*) FROM audit_log WHERE action = 'category.update' AND object = 'category:E0199'"), '3');
});

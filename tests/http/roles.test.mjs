// Who may call what (issue 4): the role matrix of the staff API written out by hand — one row
// per /api/v1/ route, one expected status per kind of user — and the reach of cases: a unit's
// staff see the cases of their unit's subtree only (by responsible unit, by area unit, or,
// until dispatched, by the category's default unit); the office and admins see all. Runs on
// SQLite and, with WENMING_TEST_PG, on PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { assertError } from './lib/http.mjs';
import { addUser, loginOk, staffReq, sql } from './lib/staff.mjs';

// login -> [unit code, roles]
const USERS = {
  admin: ['O-WMB', 'admin'],
  office: ['O-WMB', 'office'],
  dispatcher: ['O-WMB', 'dispatcher'],
  handler_zs: ['210202', 'handler'], // 中山区
  handler_xg: ['210203', 'handler'], // 西岗区
  inspector: ['210202', 'inspector'],
  leader: ['210202', 'leader'],
};
const WHO = ['admin', 'office', 'dispatcher', 'handler_zs', 'handler_xg', 'inspector', 'leader', 'anon'];

// Expected status of each route for each caller, in WHO's order. Paths name fixtures in {}
// (made in `before`); a body may depend on the caller (creations need unique values).
const MATRIX = [
  //                                                          admin office disp  h_zs  h_xg  insp  lead  anon
  ['GET', '/api/v1/session', null,                             [200,  200,  200,  200,  200,  200,  200,  401]],
  ['GET', '/api/v1/users', null,                               [200,  403,  403,  403,  403,  403,  403,  401]],
  ['POST', '/api/v1/users', (w) => ({ login: `new_${w}`, name: `New ${w}`, unit_id: '{unit}', roles: 'handler', password: 'correct horse battery' }),
                                                               [201,  403,  403,  403,  403,  403,  403,  401]],
  ['GET', '/api/v1/users/{victim}', null,                      [200,  403,  403,  403,  403,  403,  403,  401]],
  ['GET', '/api/v1/users/999999', null,                        [404,  403,  403,  403,  403,  403,  403,  401]],
  ['PATCH', '/api/v1/users/{victim}', (w) => ({ name: `renamed by ${w}` }),
                                                               [200,  403,  403,  403,  403,  403,  403,  401]],
  ['POST', '/api/v1/users/{victim}/password', () => ({ password: 'another long password' }),
                                                               [204,  403,  403,  403,  403,  403,  403,  401]],
  ['GET', '/api/v1/sessions', null,                            [200,  403,  403,  403,  403,  403,  403,  401]],
  ['DELETE', '/api/v1/sessions/{session}', null,               [204,  403,  403,  403,  403,  403,  403,  401]],
  ['GET', '/api/v1/units', null,                               [200,  200,  200,  200,  200,  200,  200,  401]],
  ['POST', '/api/v1/units', (w) => ({ code: `T-${w}`, name: `测试单位 ${w}`, kind: 'department', parent_id: '{root}' }),
                                                               [201,  201,  403,  403,  403,  403,  403,  401]],
  ['GET', '/api/v1/units/{unit}', null,                        [200,  200,  200,  200,  200,  200,  200,  401]],
  ['GET', '/api/v1/units/999999', null,                        [404,  404,  404,  404,  404,  404,  404,  401]],
  ['PATCH', '/api/v1/units/{unit}', (w) => ({ contact: `set by ${w}` }),
                                                               [200,  200,  403,  403,  403,  403,  403,  401]],
  ['POST', '/api/v1/units/import', null,                       [400,  400,  403,  403,  403,  403,  403,  401]],
  ['POST', '/api/v1/areas/import', null,                       [400,  400,  403,  403,  403,  403,  403,  401]],
  ['GET', '/api/v1/categories', null,                          [200,  200,  200,  200,  200,  200,  200,  401]],
  ['POST', '/api/v1/categories', (w) => ({ kind: 'event', code: `99${String(WHO.indexOf(w)).padStart(2, '0')}`, group_name: '测试大类',
    name: `测试 ${w}`, description: '测试', register_minutes: 60, handle_minutes: 480, verify_minutes: 120 }),
                                                               [201,  201,  403,  403,  403,  403,  403,  401]],
  ['PATCH', '/api/v1/categories/E0102', (w) => ({ keywords: `垃圾,${w}` }),
                                                               [200,  200,  403,  403,  403,  403,  403,  401]],
  ['GET', '/api/v1/areas', null,                               [200,  200,  200,  200,  200,  200,  200,  401]],
  ['GET', '/api/v1/areas/locate?lat=38.914&long=121.6147', null, [200, 200,  200,  200,  200,  200,  200,  401]],
  ['GET', '/api/v1/cases', null,                               [200,  200,  200,  200,  200,  200,  200,  401]],
  ['GET', '/api/v1/cases/{zsCase}', null,                      [200,  200,  200,  200,  404,  200,  200,  401]],
  ['GET', '/api/v1/cases/{xgCase}', null,                      [200,  200,  200,  404,  200,  404,  404,  401]],
  ['GET', '/api/v1/cases/DL000000NOSUCH0', null,               [404,  404,  404,  404,  404,  404,  404,  401]],
  ['GET', '/api/v1/site-types', null,                          [200,  200,  200,  200,  200,  200,  200,  401]],
  ['GET', '/api/v1/standards', null,                           [200,  200,  200,  200,  200,  200,  200,  401]],
  ['GET', '/api/v1/standards/active?site_type=market', null,   [200,  200,  200,  200,  200,  200,  200,  401]],
  ['POST', '/api/v1/standards/2026/activate', null,            [200,  200,  403,  403,  403,  403,  403,  401]],
  ['GET', '/api/v1/sites', null,                               [200,  200,  200,  200,  200,  200,  200,  401]],
  ['GET', '/api/v1/sites/geojson', null,                       [200,  200,  200,  200,  200,  200,  200,  401]],
  ['GET', '/api/v1/sites/S0001', null,                         [200,  200,  200,  200,  404,  200,  200,  401]],
  ['POST', '/api/v1/sites', (w) => ({ code: `T-${w}`, name: `测试点位 ${w}`, type: 'park' }),
                                                               [200,  200,  403,  403,  403,  403,  403,  401]],
  ['GET', '/api/v1/inspectors', null,                          [200,  200,  403,  403,  403,  403,  403,  401]],
  ['GET', '/api/v1/rounds', null,                              [200,  200,  200,  200,  200,  200,  200,  401]],
  ['POST', '/api/v1/rounds', (w) => ({ name: `轮次 ${w}`, starts_at: '2026-11-01', ends_at: '2026-12-01', areas: '210202' }),
                                                               [201,  201,  403,  403,  403,  403,  403,  401]],
  ['GET', '/api/v1/rounds/999999', null,                       [404,  404,  404,  404,  404,  404,  404,  401]],
  ['POST', '/api/v1/inspections', (w) => ({ client_id: `roles-${w}-0001`, round_id: 999999, site_code: 'S0001', results: 'A01.01.01:pass' }),
                                                               [404,  404,  403,  403,  403,  404,  403,  401]],
  ['GET', '/api/v1/plans', null,                               [200,  200,  200,  200,  200,  200,  200,  401]],
  ['POST', '/api/v1/plans', (w) => ({ code: `P-${w}`, title: `方案 ${w}`, starts_at: '2026-11-01', ends_at: '2027-12-01' }),
                                                               [201,  201,  403,  403,  403,  403,  403,  401]],
  ['GET', '/api/v1/plans/999999', null,                        [404,  404,  404,  404,  404,  404,  404,  401]],
  ['GET', '/api/v1/plans/999999/progress', null,               [404,  404,  404,  404,  404,  404,  404,  401]],
  ['POST', '/api/v1/plans/999999/tasks', (w) => ({ code: '1', title: `任务 ${w}`, lead_unit: 'O-WMB', starts_at: '2026-11-01', due_at: '2027-01-01' }),
                                                               [404,  404,  403,  403,  403,  403,  403,  401]],
  ['GET', '/api/v1/tasks', null,                               [200,  200,  200,  200,  200,  200,  200,  401]],
  ['GET', '/api/v1/tasks/999999', null,                        [404,  404,  404,  404,  404,  404,  404,  401]],
  ['POST', '/api/v1/tasks/999999', (w) => ({ title: `任务 ${w}` }), [404, 404, 403, 403, 403, 403, 403, 401]],
  ['POST', '/api/v1/tasks/999999/reports', (w) => ({ note: `进展 ${w}` }), [404, 404, 403, 404, 404, 403, 403, 401]],
  ['POST', '/api/v1/tasks/999999/actions', () => ({ action: 'submit' }), [404, 404, 403, 404, 404, 403, 403, 401]],
  ['POST', '/api/v1/media', null,                              [400,  400,  400,  400,  400,  400,  400,  401]],
  ['GET', '/api/v1/creation-titles', null,                   [200,  200,  200,  200,  200,  200,  200,  401]],
  ['GET', '/api/v1/creations', null,                           [200,  200,  200,  200,  200,  200,  200,  401]],
  ['GET', '/api/v1/creations/coverage', null,                  [200,  200,  200,  200,  200,  200,  200,  401]],
  ['GET', '/api/v1/creations/{zsCreation}', null,              [200,  200,  200,  200,  404,  200,  200,  401]],
  ['GET', '/api/v1/creations/{xgCreation}', null,              [200,  200,  200,  404,  200,  404,  200,  401]],
  ['GET', '/api/v1/creations/999999', null,                    [404,  404,  404,  404,  404,  404,  404,  401]],
  ['GET', '/api/v1/creations/{zsCreation}/checklist', null,    [200,  200,  200,  200,  404,  200,  200,  401]],
  // a 中山区 community per caller that may declare; 西岗区's handler is outside its reach
  ['POST', '/api/v1/creations', (w) => ({ unit_id: `{u${DECLARES[w] ?? '210202002002'}}`, title: 'civilized_community' }),
                                                               [201,  201,  403,  201,  403,  403,  403,  401]],
  // naming a named creation: a conflict for those who may name, 403 for the rest
  ['POST', '/api/v1/creations/{zsCreation}/actions', () => ({ action: 'name', version: 1 }),
                                                               [409,  409,  403,  403,  404,  403,  403,  401]],
  ['POST', '/api/v1/creations/{zsCreation}/assessments', (w) => ({ client_id: `roles-${w}-0001`, results: 'A01.01.01:pass' }),
                                                               [422,  422,  403,  422,  404,  403,  403,  401]],
  ['GET', '/api/v1/articles', null,                            [200,  200,  403,  403,  403,  403,  403,  401]],
  ['POST', '/api/v1/articles', (w) => ({ kind: 'news', title: `稿件 ${w}` }),
                                                               [201,  201,  403,  403,  403,  403,  403,  401]],
  ['GET', '/api/v1/articles/{article}', null,                  [200,  200,  403,  403,  403,  403,  403,  401]],
  // a stale version is a conflict for those who may write, 403 for the rest
  ['PATCH', '/api/v1/articles/{article}', () => ({ title: '改', version: 999 }),
                                                               [409,  409,  403,  403,  403,  403,  403,  401]],
  // a draft is not published: a conflict for the office, 403 for the rest
  ['POST', '/api/v1/articles/{article}/actions', () => ({ action: 'publish', version: 1 }),
                                                               [409,  409,  403,  403,  403,  403,  403,  401]],
  ['GET', '/api/v1/apikeys', null,                             [200,  403,  403,  403,  403,  403,  403,  401]],
  ['POST', '/api/v1/apikeys', (w) => ({ name: `key of ${w}` }), [201, 403,  403,  403,  403,  403,  403,  401]],
  ['DELETE', '/api/v1/apikeys/{apikey}', null,                 [204,  403,  403,  403,  403,  403,  403,  401]],
  ['DELETE', '/api/v1/apikeys/999999', null,                   [404,  403,  403,  403,  403,  403,  403,  401]],
  ['GET', '/api/v1/audit', null,                               [200,  403,  403,  403,  403,  403,  403,  401]],
  ['GET', '/api/v1/audit/verify', null,                        [200,  403,  403,  403,  403,  403,  403,  401]],
];

// The unit each caller allowed to declare declares for (one creation per unit × title).
const DECLARES = { admin: '210202004001', office: '210202004002', handler_zs: '210202005001' };

let srv;
const sessions = {}; // login -> {cookie, csrf, user}
const fx = {}; // fixtures named in MATRIX paths and bodies
let units; // id -> unit
let areaUnit; // area id -> unit id
let catDefault; // service_code -> default unit id (0: none)
let allCases; // as admin sees them (all)

const asAdmin = (method, path, body) => staffReq(srv, method, path, { cookie: sessions.admin.cookie, csrf: sessions.admin.csrf, body });

function unitByCode(code) {
  const u = [...units.values()].find((x) => x.code === code);
  assert.ok(u, `unit ${code}`);
  return u;
}

// Is unit `id` the unit `root` or below it?
function within(id, root) {
  for (let u = id, depth = 0; u && depth < 64; depth++) {
    if (u === root) return true;
    u = units.get(u)?.parent_id ?? null;
  }
  return false;
}

// The reach rule, from the API's own data: the responsible unit, the unit of the case's
// area, or (not yet dispatched) the category's default unit lies in root's subtree.
function reaches(root, c) {
  return within(c.unit_id, root) ||
    (c.area_id !== null && within(areaUnit.get(c.area_id), root)) ||
    (c.unit_id === null && within(catDefault.get(c.service_code), root));
}

before(async () => {
  srv = await startServer();
  // The CLI hashes each password (argon2id): add them side by side.
  const pws = await Promise.all(Object.entries(USERS).map(([login, [unit, roles]]) => addUser(srv, login, unit, roles)));
  for (const [i, login] of Object.keys(USERS).entries()) sessions[login] = await loginOk(srv, login, pws[i]);
  units = new Map((await asAdmin('GET', '/api/v1/units')).json().map((u) => [u.id, u]));
  const areas = (await asAdmin('GET', '/api/v1/areas')).json();
  assert.equal(areas.type, 'FeatureCollection');
  areaUnit = new Map(areas.features.map((f) => [f.id, f.properties.unit_id]));
  // Category default units are not in the staff API: read them from the database.
  catDefault = new Map(sql(srv.db, 'SELECT service_code, COALESCE(default_unit_id, 0) FROM category')
    .split('\n').filter(Boolean).map((l) => { const [code, id] = l.split('|'); return [code, Number(id)]; }));
  assert.ok(catDefault.size > 0);
  const list = await asAdmin('GET', '/api/v1/cases?limit=500');
  assert.equal(list.status, 200, list.text);
  allCases = list.json();
  assert.equal(allCases.length, 300, 'admin sees every demo case');

  const zs = unitByCode('210202').id;
  const xg = unitByCode('210203').id;
  const zsOnly = allCases.find((c) => reaches(zs, c) && !reaches(xg, c) && c.area_name === '中山区');
  const xgOnly = allCases.find((c) => reaches(xg, c) && !reaches(zs, c) && c.area_name === '西岗区');
  assert.ok(zsOnly && xgOnly, 'the demo has cases of each district alone');
  fx.zsCase = zsOnly.code;
  fx.xgCase = xgOnly.code;
  fx.unit = unitByCode('210202001').id;
  fx.root = unitByCode('C-WMW').id;

  for (const code of [...Object.values(DECLARES), '210202002002']) fx[`u${code}`] = unitByCode(code).id;
  const creationOf = (unit) => Number(sql(srv.db, `SELECT c.id FROM creation c JOIN unit u ON u.id = c.unit_id WHERE u.code = '${unit}'`));
  fx.zsCreation = creationOf('210202001001'); // 站北社区, 中山区
  fx.xgCreation = creationOf('210203001001'); // 长春路社区, 西岗区
  assert.ok(fx.zsCreation > 0 && fx.xgCreation > 0);

  const victimPw = await addUser(srv, 'victim', '210202', 'handler');
  fx.victim = (await loginOk(srv, 'victim', victimPw)).user.id;
  const otherPw = await addUser(srv, 'sessionee', '210203', 'handler');
  const other = await loginOk(srv, 'sessionee', otherPw);
  fx.sessioneeCookie = other.cookie;
  fx.session = (await asAdmin('GET', '/api/v1/sessions')).json().find((s) => s.login === 'sessionee').id;
  const article = await asAdmin('POST', '/api/v1/articles', { kind: 'news', title: '角色测试' });
  assert.equal(article.status, 201, article.text);
  fx.article = article.json().id;
  const key = await asAdmin('POST', '/api/v1/apikeys', { name: 'to revoke' });
  assert.equal(key.status, 201, key.text);
  fx.apikey = key.json().id;
});

after(async () => {
  await srv?.stop();
});

const fill = (s) => s.replace(/\{(\w+)\}/g, (_, k) => {
  assert.ok(fx[k] !== undefined, `fixture ${k}`);
  return String(fx[k]);
});

function fillBody(b) {
  return Object.fromEntries(Object.entries(b).map(([k, v]) => [k, typeof v === 'string' ? fill(v) : v]));
}

test('the role matrix: every /api/v1/ staff route for every kind of user', async () => {
  assert.equal(new Set(MATRIX.map((r) => `${r[0]} ${r[1]}`)).size, MATRIX.length, 'no row twice');
  const failures = [];
  for (const [method, tmpl, bodyFn, want] of MATRIX) {
    assert.equal(want.length, WHO.length, `${method} ${tmpl}: one status per caller`);
    // Refusals first, so that an allowed DELETE (say) does not change what the others meet.
    const order = WHO.map((w, i) => i).sort((a, b) => (want[a] < 300) - (want[b] < 300));
    for (const i of order) {
      const who = WHO[i];
      const s = sessions[who];
      const path = fill(tmpl);
      const body = bodyFn ? fillBody(bodyFn(who)) : undefined;
      const res = await staffReq(srv, method, path, { cookie: s?.cookie, csrf: s?.csrf, body });
      if (res.status !== want[i]) {
        failures.push(`${method} ${path} as ${who}: expected ${want[i]}, got ${res.status} ${res.text.slice(0, 160)}`);
        continue;
      }
      if (res.status >= 400) assertError(res, res.status, 'json', `${method} ${path} as ${who}`);
    }
  }
  assert.deepEqual(failures, [], failures.join('\n'));
  // What the allowed changes did.
  assert.equal((await asAdmin('GET', `/api/v1/users/${fx.victim}`)).json().name, 'renamed by admin');
  assert.equal((await staffReq(srv, 'GET', '/api/v1/session', { cookie: fx.sessioneeCookie })).status, 401, 'the revoked session ended');
  const codes = (await asAdmin('GET', '/api/v1/units')).json().map((u) => u.code);
  assert.ok(codes.includes('T-admin') && codes.includes('T-office'));
  assert.ok(!codes.includes('T-dispatcher') && !codes.includes('T-anon'), 'refused creations left nothing');
  const logins = (await asAdmin('GET', '/api/v1/users')).json().map((u) => u.login);
  assert.ok(logins.includes('new_admin') && !logins.includes('new_office') && !logins.includes('new_anon'));
  const keys = (await asAdmin('GET', '/api/v1/apikeys')).json();
  assert.deepEqual(keys.filter((k) => k.name.startsWith('key of ')).map((k) => k.name), ['key of admin']);
  const v = (await asAdmin('GET', '/api/v1/audit/verify')).json();
  assert.equal(v.intact, true);
});

test('one case: own district 200, the other district 404, office and admin both', async () => {
  const get = (who, code) => staffReq(srv, 'GET', `/api/v1/cases/${code}`, { cookie: sessions[who].cookie });
  for (const [who, zs, xg] of [
    ['handler_zs', 200, 404],
    ['handler_xg', 404, 200],
    ['office', 200, 200],
    ['admin', 200, 200],
  ]) {
    const a = await get(who, fx.zsCase);
    assert.equal(a.status, zs, `${who} GET 中山区 case ${fx.zsCase}: ${a.text.slice(0, 200)}`);
    const b = await get(who, fx.xgCase);
    assert.equal(b.status, xg, `${who} GET 西岗区 case ${fx.xgCase}: ${b.text.slice(0, 200)}`);
    if (zs === 200) assert.equal(a.json().code, fx.zsCase);
    if (xg === 200) assert.equal(b.json().code, fx.xgCase);
  }
  // Out of reach looks exactly like a case that does not exist.
  const hidden = await get('handler_zs', fx.xgCase);
  const missing = await get('handler_zs', 'DL000000NOSUCH0');
  assert.equal(hidden.status, 404);
  assert.equal(hidden.json()[0].description.replace(fx.xgCase, 'X'), missing.json()[0].description.replace('DL000000NOSUCH0', 'X'));
});

test('case lists: a district handler sees exactly the cases of its subtree', async () => {
  const zs = unitByCode('210202').id;
  const xg = unitByCode('210203').id;
  for (const [who, root, otherRoot] of [['handler_zs', zs, xg], ['handler_xg', xg, zs]]) {
    const r = await staffReq(srv, 'GET', '/api/v1/cases?limit=500', { cookie: sessions[who].cookie });
    assert.equal(r.status, 200, r.text);
    const got = r.json();
    assert.ok(got.length > 0, `${who} sees some cases`);
    assert.ok(got.length < allCases.length, `${who} does not see them all`);
    for (const c of got) {
      assert.ok(reaches(root, c), `${who} sees ${c.code} (unit ${c.unit_id}, area ${c.area_id} ${c.area_name}, ${c.service_code}) outside its subtree`);
      assert.ok(reaches(root, c) || !reaches(otherRoot, c), `${who} sees the other district's ${c.code}`);
    }
    const want = allCases.filter((c) => reaches(root, c)).map((c) => c.code);
    assert.deepEqual(got.map((c) => c.code), want, `${who}: every case in reach, newest first, nothing else`);
    const others = allCases.filter((c) => reaches(otherRoot, c) && !reaches(root, c)).map((c) => c.code);
    assert.ok(others.length > 0);
    const seen = new Set(got.map((c) => c.code));
    assert.deepEqual(others.filter((c) => seen.has(c)), [], `${who} sees none of the other district's cases`);
    // The demo exercises the area reason (its dispatched cases go to departments).
    assert.ok(got.some((c) => c.unit_id === null && within(areaUnit.get(c.area_id), root)), `${who}: some undispatched case by area`);
  }
  // The same scope as GET /cases/{code}: every listed case can be opened, and a sample of the rest cannot.
  const zsList = (await staffReq(srv, 'GET', '/api/v1/cases?limit=500', { cookie: sessions.handler_zs.cookie })).json();
  const inList = new Set(zsList.map((c) => c.code));
  const sample = allCases.filter((_, i) => i % 15 === 0);
  for (const c of sample) {
    const r = await staffReq(srv, 'GET', `/api/v1/cases/${c.code}`, { cookie: sessions.handler_zs.cookie });
    assert.equal(r.status, inList.has(c.code) ? 200 : 404, `handler_zs GET ${c.code}`);
  }
  // Office-wide staff see everything.
  for (const who of ['office', 'dispatcher']) {
    const r = await staffReq(srv, 'GET', '/api/v1/cases?limit=500', { cookie: sessions[who].cookie });
    assert.equal(r.json().length, allCases.length, `${who} sees every case`);
  }
});

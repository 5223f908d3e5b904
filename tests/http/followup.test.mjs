// Citizen follow-up and recurrence (issue 5 §6, §7): the public case view by tracking code
// shows only public timeline events, signed by units and never by staff; the reporter rates a
// closed case once with the Open311 token (403 wrong token, 409 before closing, 201, 409
// again); an unsatisfied rating reopens it; a report 10 m from an open case of the same
// category is flagged as a likely duplicate and one 200 m away is not; a report where a case
// closed a day ago gets recurrence_of; the public routes share the posting limit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createInstance, startServer } from './lib/server.mjs';
import { addUser, loginOk, staffReq, sql } from './lib/staff.mjs';
import { catalogue, fileRequest } from './lib/open311.mjs';
import { get } from './lib/http.mjs';

let inst, srv, cat;
const who = {};
const units = {};

before(async () => {
  inst = await createInstance({ demo: true });
  const people = {
    admin: ['O-WMB', 'admin,office'],
    dispatcher: ['O-WMB', 'dispatcher'],
    zs: ['210202', 'handler'],
    inspector: ['210202', 'inspector'],
  };
  const pw = {};
  for (const [login, [unit, roles]] of Object.entries(people)) pw[login] = await addUser(inst, login, unit, roles);
  srv = await startServer({ instance: inst });
  for (const login of Object.keys(people)) who[login] = await loginOk(srv, login, pw[login]);
  const list = await staffReq(srv, 'GET', '/api/v1/units', { cookie: who.admin.cookie });
  for (const u of list.json()) units[u.code] = u.id;
  cat = await catalogue(srv);
});

after(async () => { await srv?.stop(); });

// East of the demo city's cases (they lie west of 121.70), about 1.1 km apart, so no test
// finds another's cases within 50 m.
let nextPlace = 0;
function place() {
  nextPlace += 1;
  return { lat: 38.95 + 0.01 * nextPlace, long: 121.80 };
}
// metres due north of a point
const north = (p, m) => ({ lat: p.lat + m / 111195.08, long: p.long });

async function act(login, code, action, version, extra = {}) {
  const r = await staffReq(srv, 'POST', `/api/v1/cases/${code}/actions`, {
    cookie: who[login].cookie, csrf: who[login].csrf, body: { action, version, ...extra },
  });
  assert.equal(r.status, 200, `${login} ${action} v${version}: ${r.text.slice(0, 300)}`);
  return r.json();
}

// report → register → dispatch → accept → (internal comment, return, redispatch) → handle →
// verify_pass; resolves the case as staff see it.
async function close(code) {
  let c = await act('dispatcher', code, 'register', 1);
  c = await act('dispatcher', code, 'dispatch', c.version, { unit_id: units['210202'] });
  c = await act('admin', code, 'comment', c.version, { note: '内部备注：联系人张三 13800138000' });
  c = await act('zs', code, 'accept', c.version);
  c = await act('zs', code, 'handle', c.version, { note: '已清运' });
  c = await act('inspector', code, 'verify_pass', c.version);
  assert.equal(c.status, 'closed');
  return c;
}

const publicCase = (code) => get(srv.base, `/api/v1/public/cases/${encodeURIComponent(code)}`);
const rate = (code, body) => staffReq(srv, 'POST', `/api/v1/public/cases/${encodeURIComponent(code)}/rating`, { body });

test('the public view: status, deadline and public events only, no staff or reporter data', async () => {
  const p = place();
  const { id: code } = await fileRequest(srv, {
    ...p, service_code: cat.plain, description: '人行道上有暴露垃圾',
    email: 'reporter@example.com', phone: '13912345678', first_name: '秘密', last_name: '市民',
  });
  let r = await publicCase(code);
  assert.equal(r.status, 200, r.text);
  let c = r.json();
  assert.equal(c.code, code);
  assert.equal(c.status, 'reported');
  assert.equal(c.open311_status, 'open');
  assert.equal(c.service_code, cat.plain);
  assert.ok(c.due_at > 0, `a register deadline runs: ${r.text}`);
  assert.equal(c.overdue, false);
  assert.equal(c.can_rate, false);
  assert.deepEqual(c.timeline.map((e) => e.action), ['report']);
  assert.equal(c.timeline[0].by, '市民');

  await close(code);
  r = await publicCase(code);
  assert.equal(r.status, 200, r.text);
  c = r.json();
  assert.equal(c.status, 'closed');
  assert.equal(c.due_at, null);
  assert.equal(c.overdue, false);
  assert.equal(c.can_rate, true);
  assert.ok(c.closed_at > 0);
  // The comment is internal: not in the public timeline. Every public move is.
  assert.deepEqual(c.timeline.map((e) => e.action), ['report', 'register', 'dispatch', 'accept', 'handle', 'verify_pass']);
  const handle = c.timeline.find((e) => e.action === 'handle');
  assert.equal(handle.note, '已清运');
  assert.equal(handle.status, 'handled');
  assert.ok(handle.at > 0);
  const dispatch = c.timeline.find((e) => e.action === 'dispatch');
  assert.ok(dispatch.unit, 'the unit it was sent to is named');
  for (const e of c.timeline.slice(1)) {
    assert.equal(typeof e.by, 'string');
    assert.ok(e.by.length > 0 && !/user|\d/.test(e.by), `signed by a unit, not a person: ${e.by}`);
  }
  // Nothing of the reporter, the staff or the internal note anywhere in the answer.
  for (const secret of ['reporter@example.com', '13912345678', '秘密', '内部备注', '13800138000', 'user:',
    'demo.', 'dispatcher', 'inspector"', 'token']) {
    assert.ok(!r.text.includes(secret), `public view leaks ${secret}: ${r.text}`);
  }
  // Tracking codes as people type them: lower case is the same case; garbage is a 404.
  assert.equal((await publicCase(code.toLowerCase())).status, 200);
  assert.equal((await publicCase('DL000000XXXXXXX')).status, 404);
  assert.equal((await publicCase('nonsense')).status, 404);
});

test('rating: wrong token 403, before closing 409, once 201, again 409', async () => {
  const { id: code, token } = await fileRequest(srv, { ...place(), service_code: cat.plain });
  assert.ok(token);
  // Before closing.
  let r = await rate(code, { token, rating: 'satisfied' });
  assert.equal(r.status, 409, r.text);
  await close(code);
  // A wrong token, someone else's token, a missing one, a bad rating, a long comment.
  r = await rate(code, { token: 'x'.repeat(22), rating: 'satisfied' });
  assert.equal(r.status, 403, r.text);
  const other = await fileRequest(srv, { ...place(), service_code: cat.plain });
  r = await rate(code, { token: other.token, rating: 'satisfied' });
  assert.equal(r.status, 403, r.text);
  r = await rate(code, { rating: 'satisfied' });
  assert.equal(r.status, 400, r.text);
  r = await rate(code, { token, rating: 'great' });
  assert.equal(r.status, 400, r.text);
  r = await rate(code, { token, rating: 'satisfied', comment: '好'.repeat(501) });
  assert.equal(r.status, 400, r.text);
  assert.equal((await rate('DL000000XXXXXXX', { token, rating: 'satisfied' })).status, 404);
  // The reporter, once: 500 characters are fine.
  r = await rate(code, { token, rating: 'basically', comment: '好'.repeat(500) });
  assert.equal(r.status, 201, r.text);
  const body = r.json();
  assert.equal(body.rating, 'basically');
  assert.equal(body.label, '基本满意');
  assert.equal(body.reopened, false);
  assert.equal(body.status, 'closed');
  r = await rate(code, { token, rating: 'satisfied' });
  assert.equal(r.status, 409, r.text);
  // The public view shows it; the case stays closed.
  const c = (await publicCase(code)).json();
  assert.equal(c.rating.rating, 'basically');
  assert.equal(c.rating.label, '基本满意');
  assert.equal(c.can_rate, false);
  assert.equal(c.status, 'closed');
  // Stored once, on the audit trail as the citizen's.
  assert.equal(sql(inst.db, `SELECT r.rating FROM case_rating r JOIN cases c ON c.id = r.case_id WHERE c.code = '${code}'`), 'basically');
  const audit = await staffReq(srv, 'GET', `/api/v1/audit?object=case:${code}&limit=20`, { cookie: who.admin.cookie });
  const rated = audit.json().filter((a) => a.action === 'case.rate');
  assert.equal(rated.length, 1, audit.text);
  assert.equal(rated[0].actor, 'citizen');
});

test('an unsatisfied rating within 30 days reopens the case', async () => {
  const { id: code, token } = await fileRequest(srv, { ...place(), service_code: cat.plain });
  await close(code);
  const r = await rate(code, { token, rating: 'unsatisfied', comment: '垃圾又堆起来了' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json().reopened, true);
  assert.equal(r.json().status, 'handling');
  const c = (await publicCase(code)).json();
  assert.equal(c.status, 'handling');
  assert.equal(c.open311_status, 'open');
  const last = c.timeline.at(-1);
  assert.equal(last.action, 'reopen');
  assert.equal(last.by, '文明办');
  assert.ok(last.note.includes('不满意'));
  assert.ok(c.due_at > 0, 'the handling clock runs again');
  // Staff see it back with the unit; the reporter cannot rate it a second time.
  const s = await staffReq(srv, 'GET', `/api/v1/cases/${code}`, { cookie: who.admin.cookie });
  assert.equal(s.json().status, 'handling');
  assert.equal((await rate(code, { token, rating: 'satisfied' })).status, 409);
  const audit = await staffReq(srv, 'GET', `/api/v1/audit?object=case:${code}&limit=20`, { cookie: who.admin.cookie });
  assert.ok(audit.json().some((a) => a.action === 'case.reopen' && a.actor === 'system'), audit.text);
});

test('an unsatisfied rating more than 30 days after closing is recorded but reopens nothing', async () => {
  const { id: code, token } = await fileRequest(srv, { ...place(), service_code: cat.plain });
  await close(code);
  sql(inst.db, `UPDATE cases SET closed_at = closed_at - 31 * 86400 WHERE code = '${code}'`);
  const r = await rate(code, { token, rating: 'unsatisfied' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json().reopened, false);
  assert.equal(r.json().status, 'closed');
});

const flags = (code) => sql(inst.db,
  `SELECT COALESCE(d.code, '-') || ' ' || COALESCE(o.code, '-') FROM cases c LEFT JOIN cases d ON d.id = c.likely_duplicate_of LEFT JOIN cases o ON o.id = c.recurrence_of WHERE c.code = '${code}'`);

test('likely duplicates: 10 m from an open case of the category, not 200 m, not another category', async () => {
  const p = place();
  const [svc, otherSvc] = cat.plainList;
  assert.ok(otherSvc, 'two services without required attributes');
  const { id: first } = await fileRequest(srv, { ...p, service_code: svc });
  assert.equal(flags(first), '- -');
  const { id: near } = await fileRequest(srv, { ...north(p, 10), service_code: svc });
  assert.equal(flags(near), `${first} -`, 'flagged as a likely duplicate of the first');
  const { id: far } = await fileRequest(srv, { ...north(p, 200), service_code: svc });
  assert.equal(flags(far), '- -');
  const { id: other } = await fileRequest(srv, { ...north(p, 5), service_code: otherSvc });
  assert.equal(flags(other), '- -', 'another category is another problem');
  // Flagged only: both stay open for the dispatcher to merge or not.
  assert.equal(sql(inst.db, `SELECT status FROM cases WHERE code = '${near}'`), 'reported');
  // In the staff case view once it shows the flags (src/api/staff_cases.c).
  const s = (await staffReq(srv, 'GET', `/api/v1/cases/${near}`, { cookie: who.admin.cookie })).json();
  assert.equal(s.likely_duplicate_of, first);
});

test('recurrence: a report where a case of the category closed a day ago', async () => {
  const p = place();
  const { id: old } = await fileRequest(srv, { ...p, service_code: cat.plain });
  await close(old);
  sql(inst.db, `UPDATE cases SET closed_at = closed_at - 86400 WHERE code = '${old}'`);
  const { id: again } = await fileRequest(srv, { ...north(p, 20), service_code: cat.plain });
  assert.equal(flags(again), `- ${old}`, 'recurrence of the closed case, and no duplicate');
  // Closed 31 days ago: no longer a recurrence.
  const q = place();
  const { id: older } = await fileRequest(srv, { ...q, service_code: cat.plain });
  await close(older);
  sql(inst.db, `UPDATE cases SET closed_at = closed_at - 31 * 86400 WHERE code = '${older}'`);
  const { id: later } = await fileRequest(srv, { ...q, service_code: cat.plain });
  assert.equal(flags(later), '- -');
  const s = (await staffReq(srv, 'GET', `/api/v1/cases/${again}`, { cookie: who.admin.cookie })).json();
  assert.equal(s.recurrence_of, old);
});

test('the public routes share the posting limit per address', async () => {
  const limited = await startServer({ instance: inst, env: { WENMING_POST_RATE_IP: '1' } });
  try {
    const statuses = [];
    // Unknown codes are never cached, so every call reaches the limit: a burst of 10, then 429.
    for (let i = 0; i < 14; i++) statuses.push((await get(limited.base, '/api/v1/public/cases/DL000000XXXXXXX')).status);
    assert.ok(statuses.includes(429), statuses.join(' '));
    assert.equal(statuses[0], 404);
    const r = await staffReq(limited, 'POST', '/api/v1/public/cases/DL000000XXXXXXX/rating', { body: { token: 'x', rating: 'satisfied' } });
    assert.equal(r.status, 429, r.text);
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
  } finally {
    await limited.stop();
  }
});

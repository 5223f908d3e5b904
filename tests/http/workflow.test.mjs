// The staff case workflow through POST /api/v1/cases/{code}/actions: the full loop from an
// Open311 report to closure, the rework loop, return and redispatch, extension, merge, the
// version guard under concurrent dispatch (one 200, one 409), moves a role may not make (403),
// moves the state machine does not allow (409), and the timeline and audit records they leave.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createInstance, startServer } from './lib/server.mjs';
import { addUser, loginOk, staffReq } from './lib/staff.mjs';
import { fileRequest, fetchRequest } from './lib/open311.mjs';
import { fieldParts, postMultipart } from './lib/http.mjs';
import { jpeg, png } from './lib/images.mjs';

let inst, srv;
const who = {};
const units = {};

before(async () => {
  inst = await createInstance({ demo: true });
  const people = {
    admin: ['O-WMB', 'admin,office'],
    dispatcher: ['O-WMB', 'dispatcher'],
    dispatcher2: ['O-WMB', 'dispatcher'],
    zs: ['210202', 'handler'],
    xg: ['210203', 'handler'],
    inspector: ['210202', 'inspector'],
    inspector2: ['210202', 'inspector'],
    leader: ['210202', 'leader'],
  };
  const pw = {};
  for (const [login, [unit, roles]] of Object.entries(people)) pw[login] = await addUser(inst, login, unit, roles);
  srv = await startServer({ instance: inst });
  for (const login of Object.keys(people)) who[login] = await loginOk(srv, login, pw[login]);
  const list = await staffReq(srv, 'GET', '/api/v1/units', { cookie: who.admin.cookie });
  for (const u of list.json()) units[u.code] = u.id;
});

after(async () => { await srv?.stop(); });

async function act(login, code, action, version, extra = {}) {
  return staffReq(srv, 'POST', `/api/v1/cases/${code}/actions`, {
    cookie: who[login].cookie, csrf: who[login].csrf, body: { action, version, ...extra },
  });
}

// Does the move and asserts it went through; resolves the case after it.
async function step(login, code, action, version, extra = {}) {
  const r = await act(login, code, action, version, extra);
  assert.equal(r.status, 200, `${login} ${action} v${version}: ${r.text.slice(0, 300)}`);
  return r.json();
}

// A report in 中山区 (the demo polygons put the city centre point in 西岗区).
const ZHONGSHAN = { lat: 38.91, long: 121.66 };

async function newCase(description = 'workflow test') {
  const { id } = await fileRequest(srv, { description, ...ZHONGSHAN });
  return id;
}

async function timeline(code) {
  const r = await staffReq(srv, 'GET', `/api/v1/cases/${code}/timeline`, { cookie: who.admin.cookie });
  assert.equal(r.status, 200, r.text);
  return r.json();
}

test('full loop: report → register → dispatch → accept → handle → verify → closed', async () => {
  const code = await newCase('人行道上有暴露垃圾');
  // The routing rules suggest a unit while the case waits for dispatch.
  const seen = await staffReq(srv, 'GET', `/api/v1/cases/${code}`, { cookie: who.dispatcher.cookie });
  assert.equal(seen.status, 200, seen.text);
  assert.ok(seen.json().suggested_unit_id, seen.text);
  assert.ok(seen.json().suggestion.length > 0);
  let c = await step('dispatcher', code, 'register', 1);
  assert.equal(c.status, 'registered');
  assert.equal(c.stage, 'dispatch');
  c = await step('dispatcher', code, 'dispatch', c.version, { unit_id: units['210202'] });
  assert.equal(c.status, 'dispatched');
  assert.equal(c.unit_id, units['210202']);
  assert.equal(c.stage, 'handle');
  assert.ok(c.due_at > 0);
  c = await step('zs', code, 'accept', c.version);
  assert.equal(c.status, 'handling');
  c = await step('zs', code, 'handle', c.version, { note: '已清运' });
  assert.equal(c.status, 'handled');
  assert.equal(c.stage, 'verify');
  c = await step('inspector', code, 'verify_pass', c.version);
  assert.equal(c.status, 'closed');
  assert.equal(c.version, 6);
  assert.equal(c.stage, '');
  assert.equal(c.due_at, null);

  const tl = await timeline(code);
  assert.deepEqual(tl.map((e) => e.action), ['report', 'register', 'dispatch', 'accept', 'handle', 'verify_pass']);
  assert.deepEqual(tl.map((e) => e.actor).slice(1), [`user:${who.dispatcher.user.id}`, `user:${who.dispatcher.user.id}`,
    `user:${who.zs.user.id}`, `user:${who.zs.user.id}`, `user:${who.inspector.user.id}`]);
  assert.equal(tl[4].note, '已清运');
  // Citizens see it closed through Open311, with the public note of the last move.
  const pub = await fetchRequest(srv, code);
  assert.equal(pub.status, 'closed');
  // Every move is on the audit trail, and the chain holds.
  const audit = await staffReq(srv, 'GET', `/api/v1/audit?object=case:${code}&limit=20`, { cookie: who.admin.cookie });
  const actions = audit.json().map((a) => a.action).reverse();
  assert.deepEqual(actions, ['case.report', 'case.register', 'case.dispatch', 'case.accept', 'case.handle', 'case.verify_pass']);
  const v = await staffReq(srv, 'GET', '/api/v1/audit/verify', { cookie: who.admin.cookie });
  assert.equal(v.json().intact, true, v.text);
});

test('rework loop: a failed verification sends the case back, then it closes', async () => {
  const code = await newCase();
  let c = await step('dispatcher', code, 'register', 1);
  c = await step('dispatcher', code, 'dispatch', c.version, { unit_id: units['210202'] });
  c = await step('zs', code, 'accept', c.version);
  c = await step('zs', code, 'handle', c.version, { note: '处理了' });
  const noNote = await act('inspector', code, 'verify_fail', c.version);
  assert.equal(noNote.status, 422, `verify_fail needs a reason: ${noNote.text}`);
  c = await step('inspector', code, 'verify_fail', c.version, { note: '现场仍有垃圾' });
  assert.equal(c.status, 'handling');
  c = await step('zs', code, 'handle', c.version, { note: '已彻底清理' });
  c = await step('inspector', code, 'verify_pass', c.version);
  assert.equal(c.status, 'closed');
  const tl = await timeline(code);
  assert.equal(tl.filter((e) => e.action === 'verify_fail').length, 1);
  assert.equal(tl.filter((e) => e.action === 'handle').length, 2);
});

test('return and redispatch: the wrong unit sends it back, the dispatcher sends it on', async () => {
  const code = await newCase();
  let c = await step('dispatcher', code, 'register', 1);
  c = await step('dispatcher', code, 'dispatch', c.version, { unit_id: units['210203'] });
  // 西岗区's handler reaches the 中山区 case now that it is dispatched to 西岗区.
  c = await step('xg', code, 'return', c.version, { note: '不在我区辖区' });
  assert.equal(c.status, 'registered');
  c = await step('dispatcher', code, 'dispatch', c.version, { unit_id: units['210202'] });
  assert.equal(c.unit_id, units['210202']);
  // Redispatch while dispatched, to another unit (then back): the status stays.
  c = await step('dispatcher', code, 'redispatch', c.version, { unit_id: units['D-CGJ'] });
  assert.equal(c.status, 'dispatched');
  assert.equal(c.unit_id, units['D-CGJ']);
  const same = await act('dispatcher', code, 'redispatch', c.version, { unit_id: units['D-CGJ'] });
  assert.equal(same.status, 422, same.text);
  const missing = await act('dispatcher', code, 'dispatch', c.version);
  assert.ok([400, 409].includes(missing.status), missing.text);
});

test('extension, supervision, comments and merging', async () => {
  const code = await newCase();
  let c = await step('dispatcher', code, 'register', 1);
  c = await step('dispatcher', code, 'dispatch', c.version, { unit_id: units['210202'] });
  c = await step('zs', code, 'accept', c.version);
  assert.equal(c.stage, 'handle');
  assert.ok(c.due_at > Date.now() / 1000, `a handling deadline in the future: ${c.due_at}`);
  const due0 = c.due_at;
  const noMinutes = await act('zs', code, 'extend_request', c.version, { note: '申请延期' });
  assert.equal(noMinutes.status, 400, noMinutes.text);
  c = await step('zs', code, 'extend_request', c.version, { note: '需协调施工单位，申请延期3天', extension_minutes: 3 * 480 });
  assert.equal(c.due_at, due0, 'asking moves nothing');
  c = await step('dispatcher', code, 'extend_approve', c.version);
  assert.equal(c.status, 'handling');
  assert.ok(c.due_at >= due0 + 3 * 86400, `three working days later: ${due0} -> ${c.due_at}`);
  c = await step('admin', code, 'supervise', c.version, { note: '市文明办督办' });
  assert.equal(c.supervise_level, 1, 'one level up');
  c = await step('admin', code, 'supervise', c.version, { note: '升级督办', level: 3 });
  assert.equal(c.supervise_level, 3);
  c = await step('admin', code, 'supervise', c.version, { note: '不降级', level: 2 });
  assert.equal(c.supervise_level, 3, 'never down');
  c = await step('dispatcher', code, 'comment', c.version, { note: '已联系施工单位', public: 'true' });
  const pub = (await timeline(code)).find((e) => e.note === '已联系施工单位');
  assert.equal(pub.public, true, 'a public comment');
  c = await step('leader', code, 'comment', c.version, { note: '请尽快' });
  const dup = await newCase('同一处垃圾');
  let d = await step('dispatcher', dup, 'merge', 1, { duplicate_of: code });
  assert.equal(d.status, 'rejected');
  const self = await act('dispatcher', code, 'merge', c.version, { duplicate_of: code });
  assert.equal(self.status, 422, self.text);
  const tl = await timeline(code);
  assert.ok(tl.some((e) => e.action === 'extend_request' && e.note.includes('延期')));
  assert.ok(tl.some((e) => e.action === 'supervise'));
});

test('concurrent dispatch: one wins, the other gets 409 with the current state', async () => {
  const code = await newCase();
  const c = await step('dispatcher', code, 'register', 1);
  const [a, b] = await Promise.all([
    act('dispatcher', code, 'dispatch', c.version, { unit_id: units['210202'] }),
    act('dispatcher2', code, 'dispatch', c.version, { unit_id: units['210203'] }),
  ]);
  const statuses = [a.status, b.status].sort();
  assert.deepEqual(statuses, [200, 409], `${a.status} ${a.text} / ${b.status} ${b.text}`);
  const loser = a.status === 409 ? a : b;
  assert.match(loser.text, /dispatched|version/);
  const tl = await timeline(code);
  assert.equal(tl.filter((e) => e.action === 'dispatch').length, 1, 'exactly one dispatch recorded');
});

test('forbidden moves (403), moves out of order (409), out of reach (404)', async () => {
  const code = await newCase();
  // A handler cannot register, an inspector cannot dispatch, a leader cannot act.
  assert.equal((await act('zs', code, 'register', 1)).status, 403);
  assert.equal((await act('leader', code, 'register', 1)).status, 403);
  // 西岗区's handler does not even see a 中山区 case that is not with 西岗区.
  assert.equal((await act('xg', code, 'register', 1)).status, 404);
  // Out of order: verify a case that was never handled.
  assert.equal((await act('inspector', code, 'verify_pass', 1)).status, 409);
  // A stale version.
  let c = await step('dispatcher', code, 'register', 1);
  assert.equal((await act('dispatcher', code, 'dispatch', 1, { unit_id: units['210202'] })).status, 409);
  assert.equal((await act('inspector', code, 'dispatch', c.version, { unit_id: units['210202'] })).status, 403);
  c = await step('dispatcher', code, 'dispatch', c.version, { unit_id: units['210202'] });
  // 西岗区's handler does not reach a 中山区 case dispatched to 中山区.
  assert.equal((await act('xg', code, 'accept', c.version)).status, 404);
  // Rejecting needs a reason.
  const other = await newCase();
  assert.equal((await act('dispatcher', other, 'reject', 1)).status, 422);
  assert.equal((await step('dispatcher', other, 'reject', 1, { note: '非城市管理问题' })).status, 'rejected');
  // Without the CSRF token the session cannot act.
  const noCsrf = await staffReq(srv, 'POST', `/api/v1/cases/${code}/actions`, {
    cookie: who.zs.cookie, body: { action: 'accept', version: c.version },
  });
  assert.equal(noCsrf.status, 403);
  // Anonymous callers are asked to log in.
  const anon = await staffReq(srv, 'POST', `/api/v1/cases/${code}/actions`, { body: { action: 'accept', version: c.version } });
  assert.equal(anon.status, 401);
});

// Multipart with the session (files cannot travel in JSON).
function staffMultipart(login, path, fields, files) {
  return postMultipart(srv.base, path, [...fieldParts(fields), ...files],
    { headers: { Cookie: who[login].cookie, 'X-CSRF-Token': who[login].csrf } });
}

test('现场解决: an inspector files a case already handled with before/after photos; another verifies', async () => {
  const before = { name: 'photo_before', filename: 'before.jpg', type: 'image/jpeg', data: jpeg(1) };
  const after = { name: 'photo_after', filename: 'after.png', type: 'image/png', data: png(2, 2, 3) };
  const fields = { service_code: 'E0102', lat: 38.91, long: 121.66, description: '路边垃圾', handled: 'true', note: '已当场清理' };
  const onlyOne = await staffMultipart('inspector', '/api/v1/cases', fields, [before]);
  assert.equal(onlyOne.status, 422, onlyOne.text);
  const noNote = await staffMultipart('inspector', '/api/v1/cases', { ...fields, note: '' }, [before, after]);
  assert.equal(noNote.status, 422, noNote.text);
  const handler = await staffMultipart('zs', '/api/v1/cases', fields, [before, after]);
  assert.equal(handler.status, 403, 'handlers do not file cases');
  const r = await staffMultipart('inspector', '/api/v1/cases', fields, [before, after]);
  assert.equal(r.status, 201, r.text);
  const c = r.json();
  assert.equal(c.status, 'handled');
  assert.equal(c.stage, 'verify');
  assert.equal(c.source, 'inspector');
  // The one who fixed it does not verify it.
  const self = await act('inspector', c.code, 'verify_pass', c.version);
  assert.equal(self.status, 403, self.text);
  const ok = await step('inspector2', c.code, 'verify_pass', c.version);
  assert.equal(ok.status, 'closed');
  const tl = await timeline(c.code);
  assert.deepEqual(tl.map((e) => e.action), ['onsite', 'verify_pass']);
  assert.equal(tl[0].note, '已当场清理');
  // A plain staff report (not handled) starts at reported.
  const plain = await staffReq(srv, 'POST', '/api/v1/cases', { cookie: who.dispatcher.cookie, csrf: who.dispatcher.csrf,
    body: { service_code: 'E0102', address: '中山路1号', description: '巡查发现' } });
  assert.equal(plain.status, 201, plain.text);
  assert.equal(plain.json().status, 'reported');
});

test('handle with a photo of the result; a photo with another move is refused', async () => {
  const code = await newCase();
  let c = await step('dispatcher', code, 'register', 1);
  c = await step('dispatcher', code, 'dispatch', c.version, { unit_id: units['210202'] });
  c = await step('zs', code, 'accept', c.version);
  const photo = { name: 'photo', filename: 'done.jpg', type: 'image/jpeg', data: jpeg(7) };
  const wrong = await staffMultipart('zs', `/api/v1/cases/${code}/actions`, { action: 'comment', version: c.version, note: 'x' }, [photo]);
  assert.equal(wrong.status, 400, wrong.text);
  const notImage = await staffMultipart('zs', `/api/v1/cases/${code}/actions`, { action: 'handle', version: c.version, note: 'x' },
    [{ name: 'photo', filename: 'x.jpg', type: 'image/jpeg', data: Buffer.from('not an image') }]);
  assert.equal(notImage.status, 415, notImage.text);
  const r = await staffMultipart('zs', `/api/v1/cases/${code}/actions`, { action: 'handle', version: c.version, note: '已修复' }, [photo]);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json().status, 'handled');
});

test('inboxes: each queue holds its cases; order=due puts the nearest deadline first', async () => {
  const a = await newCase('queue a');
  const b = await newCase('queue b');
  let ca = await step('dispatcher', a, 'register', 1);
  ca = await step('dispatcher', a, 'dispatch', ca.version, { unit_id: units['210202'] });
  const q = async (login, query) => {
    const r = await staffReq(srv, 'GET', `/api/v1/cases?${query}`, { cookie: who[login].cookie });
    assert.equal(r.status, 200, r.text);
    return r.json();
  };
  const reg = await q('dispatcher', 'queue=register&limit=500');
  assert.ok(reg.some((c) => c.code === b), 'b waits to be registered');
  assert.ok(reg.every((c) => c.status === 'reported'));
  const handle = await q('zs', 'queue=handle&order=due&limit=500');
  assert.ok(handle.some((c) => c.code === a), 'a waits for 中山区 to handle it');
  assert.ok(handle.every((c) => ['dispatched', 'handling'].includes(c.status)));
  for (let i = 1; i < handle.length; i++) assert.ok(handle[i - 1].due_at <= handle[i].due_at, 'nearest deadline first');
  assert.ok(!(await q('xg', 'queue=handle&limit=500')).some((c) => c.code === a), '西岗区 does not see it');
  // Overdue: push a's deadline into the past behind the server's back.
  const { sql } = await import('./lib/staff.mjs');
  // (the demo's own open cases are overdue too: make a the most overdue of all)
  sql(inst.db, `UPDATE cases SET expected_at = 1000 WHERE code = '${a}'`);
  const overdue = await q('dispatcher', 'queue=overdue&order=due&limit=500');
  assert.equal(overdue[0].code, a, 'the overdue case on top');
  assert.ok((await q('zs', 'queue=handle&order=due&limit=1'))[0].code === a);
  const bad = await staffReq(srv, 'GET', '/api/v1/cases?queue=nope', { cookie: who.zs.cookie });
  assert.equal(bad.status, 400);
});

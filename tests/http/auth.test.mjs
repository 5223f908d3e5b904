// Staff sign-in (issue 4): the session cookie and its attributes, the same answer for a wrong
// password and an unknown login, logout, forged cookies, CSRF, lockout, disabled accounts,
// idle and absolute expiry (clocks moved back in the database behind the server's back),
// admin session revoke, TOTP (enrol, second step, replay, one-step), login and posting rate
// limits, api-key service scope and revoke, security headers, and the audit records all this
// leaves. Runs on SQLite and, with WENMING_TEST_PG, on PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { get, postForm, assertError, sleep } from './lib/http.mjs';
import { V2, DALIAN, catalogue } from './lib/open311.mjs';
import { addUser, userCli, login, loginOk, staffReq, sessionCookie, totpCode, sql } from './lib/staff.mjs';

const BAD_LOGIN = 'login or password is wrong';

let srv;
let admin; // {cookie, csrf, user}

before(async () => {
  srv = await startServer();
  const pw = await addUser(srv, 'admin', 'O-WMB', 'admin');
  admin = await loginOk(srv, 'admin', pw);
});

after(async () => {
  await srv?.stop();
});

const asAdmin = (method, path, body) => staffReq(srv, method, path, { cookie: admin.cookie, csrf: admin.csrf, body });

// Audit records (newest first) of an action prefix, optionally of one object.
async function audit(action, object) {
  const q = new URLSearchParams({ limit: '1000' });
  if (action) q.set('action', action);
  if (object) q.set('object', object);
  const r = await asAdmin('GET', `/api/v1/audit?${q}`);
  assert.equal(r.status, 200, r.text);
  return r.json();
}

async function assertAudited(action, object, what = '') {
  const recs = await audit(action, object);
  assert.ok(recs.some((x) => x.action === action && (!object || x.object === object)),
    `${what}: an audit record ${action} ${object ?? ''}`);
  return recs.filter((x) => x.action === action);
}

async function userId(loginName) {
  const r = await asAdmin('GET', '/api/v1/users');
  assert.equal(r.status, 200, r.text);
  const u = r.json().find((x) => x.login === loginName);
  assert.ok(u, `user ${loginName} listed`);
  return u.id;
}

async function sessionIdsOf(loginName) {
  const r = await asAdmin('GET', '/api/v1/sessions');
  assert.equal(r.status, 200, r.text);
  return r.json().filter((s) => s.login === loginName).map((s) => s.id);
}

const me = (cookie) => staffReq(srv, 'GET', '/api/v1/session', { cookie });

function errorText(res) {
  const body = res.json();
  assert.ok(Array.isArray(body) && body.length === 1, `error shape: ${res.text}`);
  assert.equal(body[0].code, res.status);
  return body[0].description;
}

function retryAfter(res, what = '') {
  const v = res.headers.get('retry-after');
  assert.match(v ?? '', /^\d+$/, `${what}: a ${res.status} needs Retry-After in whole seconds, got ${v}`);
  return Number(v);
}

// ---------------------------------------------------------------- login, cookie, logout

test('login sets an HttpOnly SameSite=Lax cookie; Secure only behind https', async () => {
  const pw = await addUser(srv, 'clerk', '210202', 'handler');
  const r = await login(srv, 'clerk', pw);
  assert.equal(r.status, 200, r.res.text);
  const sc = r.res.headers.get('set-cookie');
  assert.match(sc, /^wm_session=[A-Za-z0-9_-]{40,};/);
  const attrs = sc.split(';').map((s) => s.trim());
  assert.ok(attrs.includes('HttpOnly'), sc);
  assert.ok(attrs.includes('SameSite=Lax'), sc);
  assert.ok(attrs.includes('Path=/'), sc);
  assert.ok(attrs.includes(`Max-Age=${12 * 3600}`), sc);
  assert.ok(!attrs.includes('Secure'), `no Secure over plain http: ${sc}`);
  assert.equal(r.json.user.login, 'clerk');
  assert.deepEqual(r.json.user.roles, ['handler']);
  assert.equal(r.json.mfa_required, false);
  assert.ok(!('password_hash' in r.json.user));

  const s = await login(srv, 'clerk', pw, { headers: { 'X-Forwarded-Proto': 'https' } });
  assert.equal(s.status, 200);
  const sattrs = s.res.headers.get('set-cookie').split(';').map((x) => x.trim());
  assert.ok(sattrs.includes('Secure'), `Secure behind https: ${sattrs}`);
  assert.notEqual(s.cookie, r.cookie, 'every login is a new session');

  const who = await me(r.cookie);
  assert.equal(who.status, 200, who.text);
  assert.equal(who.json().user.login, 'clerk');
  assert.equal(who.json().csrf_token, r.csrf, 'GET session gives the same CSRF token');
  const anon = await me(undefined);
  assert.equal(anon.status, 401);
  assertError(anon, 401, 'json', 'GET session without a cookie');

  await assertAudited('login.ok', `user:${r.json.user.id}`, 'login');
});

test('a wrong password and an unknown login get the same 403', async () => {
  const pw = await addUser(srv, 'same403', '210202', 'handler');
  const wrong = await login(srv, 'same403', pw + 'x');
  const unknown = await login(srv, 'nosuchuser', pw);
  assert.equal(wrong.status, 403);
  assert.equal(unknown.status, 403);
  assert.equal(wrong.res.text, unknown.res.text, 'identical bodies');
  assert.equal(errorText(wrong.res), BAD_LOGIN);
  assert.equal(wrong.res.headers.get('set-cookie'), null, 'no cookie on failure');
  const missing = await staffReq(srv, 'POST', '/api/v1/session', { body: { login: 'same403' } });
  assert.equal(missing.status, 400, 'password is required');
  const recs = await assertAudited('login.fail', `user:${await userId('same403')}`, 'wrong password');
  assert.deepEqual(recs[0].summary, {});
  // A right password afterwards works (one failure does not lock).
  assert.equal((await login(srv, 'same403', pw)).status, 200);
});

test('logout needs the CSRF token; the cookie stops working', async () => {
  const pw = await addUser(srv, 'leaver', '210203', 'handler');
  const s = await loginOk(srv, 'leaver', pw);
  const [sid] = await sessionIdsOf('leaver');
  const noCsrf = await staffReq(srv, 'DELETE', '/api/v1/session', { cookie: s.cookie });
  assert.equal(noCsrf.status, 403, noCsrf.text);
  assert.equal((await me(s.cookie)).status, 200, 'a refused logout leaves the session alive');
  const out = await staffReq(srv, 'DELETE', '/api/v1/session', { cookie: s.cookie, csrf: s.csrf });
  assert.equal(out.status, 204, out.text);
  const sc = out.headers.get('set-cookie');
  assert.match(sc, /^wm_session=;/, sc);
  assert.match(sc, /Max-Age=0/, sc);
  const after = await me(s.cookie);
  assert.equal(after.status, 401, 'the old cookie is anonymous after logout');
  assert.deepEqual(await sessionIdsOf('leaver'), []);
  await assertAudited('logout', `session:${sid}`, 'logout');
  // Logging out without a session is harmless.
  const anon = await staffReq(srv, 'DELETE', '/api/v1/session');
  assert.equal(anon.status, 204);
});

test('a forged or garbage cookie is anonymous', async () => {
  const cookies = [
    'wm_session=garbage',
    `wm_session=${'A'.repeat(43)}`,
    'wm_session=',
    'wm_session=%00%ff;;; other=1',
    `other=1; wm_session=${'x'.repeat(5000)}`,
  ];
  for (const cookie of cookies) {
    for (const path of ['/api/v1/session', '/api/v1/users', '/api/v1/cases']) {
      const r = await staffReq(srv, 'GET', path, { cookie });
      assert.equal(r.status, 401, `${path} with ${cookie.slice(0, 40)}: ${r.text}`);
    }
    assert.equal((await get(srv.base, '/healthz', { headers: { Cookie: cookie } })).status, 200);
    const svc = await get(srv.base, `${V2}/services.json`, { headers: { Cookie: cookie } });
    assert.equal(svc.status, 200, 'public routes do not care');
  }
  // A public POST with a forged cookie needs no CSRF token (there is no session).
  const cat = await catalogue(srv);
  const p = await postForm(srv.base, `${V2}/requests.json`,
    { api_key: srv.apiKey, service_code: cat.plain, lat: DALIAN.lat, long: DALIAN.long, description: 'forged cookie' },
    { headers: { Cookie: 'wm_session=garbage' } });
  assert.ok(p.status === 200 || p.status === 201, p.text);
});

test('CSRF: a state-changing call needs the session token (header or csrf_token field)', async () => {
  const pw = await addUser(srv, 'csrfer', '210202', 'inspector');
  const s = await loginOk(srv, 'csrfer', pw);
  const path = '/api/v1/me/totp'; // starts an enrolment: stores nothing
  const missing = await staffReq(srv, 'POST', path, { cookie: s.cookie });
  assert.equal(missing.status, 403, missing.text);
  assert.match(errorText(missing), /CSRF/);
  const wrong = await staffReq(srv, 'POST', path, { cookie: s.cookie, csrf: s.csrf.slice(0, -1) + (s.csrf.endsWith('A') ? 'B' : 'A') });
  assert.equal(wrong.status, 403, wrong.text);
  const otherSession = await loginOk(srv, 'csrfer', pw);
  const crossed = await staffReq(srv, 'POST', path, { cookie: s.cookie, csrf: otherSession.csrf });
  assert.equal(crossed.status, 403, "another session's token does not fit");
  const ok = await staffReq(srv, 'POST', path, { cookie: s.cookie, csrf: s.csrf });
  assert.equal(ok.status, 200, ok.text);
  assert.match(ok.json().secret, /^[A-Z2-7]{32}$/);
  const form = await postForm(srv.base, path, { csrf_token: s.csrf }, { headers: { Cookie: s.cookie } });
  assert.equal(form.status, 200, `csrf_token form field: ${form.text}`);
  const formWrong = await postForm(srv.base, path, { csrf_token: 'nope' }, { headers: { Cookie: s.cookie } });
  assert.equal(formWrong.status, 403);
  // As admin: a real change refused without the token, made with it.
  const units = (await asAdmin('GET', '/api/v1/units')).json();
  const unit = units.find((u) => u.code === '210202001');
  const refused = await staffReq(srv, 'PATCH', `/api/v1/units/${unit.id}`, { cookie: admin.cookie, body: { phone: '0411-1' } });
  assert.equal(refused.status, 403);
  assert.equal((await asAdmin('GET', `/api/v1/units/${unit.id}`)).json().phone, unit.phone, 'nothing changed');
  const done = await asAdmin('PATCH', `/api/v1/units/${unit.id}`, { phone: '0411-2' });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.json().phone, '0411-2');
  // GET needs no token.
  assert.equal((await staffReq(srv, 'GET', '/api/v1/units', { cookie: s.cookie })).status, 200);
});

// ---------------------------------------------------------------- lockout, disable, expiry

test('five wrong passwords lock the account; reset-password unlocks it', async () => {
  const pw = await addUser(srv, 'locky', '210202', 'handler');
  const id = await userId('locky');
  for (let i = 1; i <= 4; i++) {
    const r = await login(srv, 'locky', `wrong-password-${i}`);
    assert.equal(r.status, 403);
    assert.equal(errorText(r.res), BAD_LOGIN, `attempt ${i}`);
  }
  const fifth = await login(srv, 'locky', 'wrong-password-5');
  assert.equal(fifth.status, 403);
  assert.match(errorText(fifth.res), /locked for 60 s/, 'the fifth failure says the account is now locked');
  const sixth = await login(srv, 'locky', 'wrong-password-6');
  assert.equal(sixth.status, 429, sixth.res.text);
  assert.match(errorText(sixth.res), /locked/);
  const right = await login(srv, 'locky', pw);
  assert.equal(right.status, 429, 'the right password is refused while locked');
  assert.equal(right.cookie, null);
  const u = (await asAdmin('GET', `/api/v1/users/${id}`)).json();
  assert.ok(u.locked_until > Date.now() / 1000, 'the admin sees the lock');
  const fails = await audit('login.fail', `user:${id}`);
  assert.equal(fails.length, 5, 'five failures audited (not the refusals while locked)');
  assert.deepEqual(fails[0].summary, { locked: true });

  const reset = await userCli(srv, 'reset-password', 'locky');
  const fresh = reset.stdout.trim();
  assert.ok(fresh.length >= 10 && fresh !== pw);
  assert.equal((await login(srv, 'locky', pw)).status, 403, 'the old password is gone');
  const ok = await login(srv, 'locky', fresh);
  assert.equal(ok.status, 200, ok.res.text);
  const recs = await assertAudited('user.password', `user:${id}`, 'reset-password');
  assert.equal(recs[0].actor, 'cli');
  assert.deepEqual(recs[0].summary, { by: 'cli' });
  // Last, so that the checks above run even while this one fails.
  const ra = retryAfter(right.res, 'the right password while locked');
  assert.ok(ra >= 1 && ra <= 60, `Retry-After ${ra}`);
});

test('a disabled user cannot log in and their live session stops working', async () => {
  const pw = await addUser(srv, 'quitter', '210203', 'handler');
  const s = await loginOk(srv, 'quitter', pw);
  assert.equal((await me(s.cookie)).status, 200);
  await userCli(srv, 'disable', 'quitter');
  assert.equal((await me(s.cookie)).status, 401, 'the live session ends');
  const r = await login(srv, 'quitter', pw);
  assert.equal(r.status, 403);
  assert.equal(errorText(r.res), BAD_LOGIN, 'a disabled account looks like a wrong password');
  await userCli(srv, 'enable', 'quitter');
  assert.equal((await login(srv, 'quitter', pw)).status, 200, 'enabled again');
  const recs = await assertAudited('user.update', `user:${await userId('quitter')}`, 'disable');
  assert.ok(recs.some((x) => x.summary.active === false));
  assert.ok(recs.some((x) => x.summary.active === true));
});

test('idle (2 h) and absolute (12 h) expiry, clocks moved back in the database', async () => {
  const pw = await addUser(srv, 'sleeper', '210202', 'leader');
  const id = await userId('sleeper');
  const a = await loginOk(srv, 'sleeper', pw);
  const b = await loginOk(srv, 'sleeper', pw);
  const [sb, sa] = await sessionIdsOf('sleeper'); // newest first
  assert.ok(sa < sb);
  assert.equal((await me(a.cookie)).status, 200);
  const now = Math.floor(Date.now() / 1000);
  // a: last seen 2 h and a minute ago (an hour short of idle stays alive: checked on b first)
  sql(srv.db, `UPDATE sessions SET last_seen_at = ${now - 3600} WHERE id = ${sb}`);
  assert.equal((await me(b.cookie)).status, 200, 'an hour idle is fine');
  sql(srv.db, `UPDATE sessions SET last_seen_at = ${now - 2 * 3600 - 60} WHERE id = ${sa}`);
  assert.equal((await me(a.cookie)).status, 401, 'idle for more than 2 h');
  // b: recently seen, but created 12 h ago
  sql(srv.db, `UPDATE sessions SET created_at = ${now - 12 * 3600 - 60}, expires_at = ${now - 60} WHERE id = ${sb}`);
  assert.equal((await me(b.cookie)).status, 401, 'past the absolute expiry');
  assert.deepEqual(await sessionIdsOf('sleeper'), [], 'expired sessions are not listed');
  assert.equal(Number(sql(srv.db, `SELECT COUNT(*) FROM sessions WHERE user_id = ${id}`)), 2);
});

test('an admin lists sessions and revokes one', async () => {
  const pw = await addUser(srv, 'revokee', '210202', 'dispatcher');
  const keep = await loginOk(srv, 'revokee', pw);
  const gone = await loginOk(srv, 'revokee', pw);
  const r = await asAdmin('GET', '/api/v1/sessions');
  const mine = r.json().filter((s) => s.login === 'revokee');
  assert.equal(mine.length, 2);
  for (const s of mine) {
    assert.equal(s.user_id, await userId('revokee'));
    assert.equal(s.ip, '127.0.0.1');
    assert.ok(s.expires_at - s.created_at === 12 * 3600, JSON.stringify(s));
    assert.ok(!('token' in s) && !('token_hash' in s) && !('csrf' in s), 'no secrets listed');
  }
  const sid = Math.max(...mine.map((s) => s.id)); // the newer one: `gone`
  const noCsrf = await staffReq(srv, 'DELETE', `/api/v1/sessions/${sid}`, { cookie: admin.cookie });
  assert.equal(noCsrf.status, 403);
  const del = await asAdmin('DELETE', `/api/v1/sessions/${sid}`);
  assert.equal(del.status, 204, del.text);
  assert.equal((await me(gone.cookie)).status, 401, 'the revoked session ends');
  assert.equal((await me(keep.cookie)).status, 200, 'the other one lives');
  const again = await asAdmin('DELETE', `/api/v1/sessions/${sid}`);
  assert.equal(again.status, 404, again.text);
  assert.equal((await asAdmin('DELETE', '/api/v1/sessions/999999')).status, 404);
  assert.deepEqual((await sessionIdsOf('revokee')).includes(sid), false);
  const recs = await assertAudited('session.revoke', `session:${sid}`, 'revoke');
  assert.equal(recs[0].actor, `user:${admin.user.id}`, 'the admin is the actor');
});

// ---------------------------------------------------------------- TOTP

// Waits while the current 30 s step has less than 1.5 s left, so the server checks a code in
// the step it was made for.
async function awayFromStepEdge() {
  const into = (Date.now() / 1000) % 30;
  if (into > 28.5) await sleep((30 - into) * 1000 + 100);
}
const step = () => Math.floor(Date.now() / 1000 / 30);

test('TOTP: enrol, second step, replay refused, one-step login', async () => {
  const pw = await addUser(srv, 'twofa', '210202', 'inspector');
  const id = await userId('twofa');
  const s = await loginOk(srv, 'twofa', pw);
  const begin = await staffReq(srv, 'POST', '/api/v1/me/totp', { cookie: s.cookie, csrf: s.csrf });
  assert.equal(begin.status, 200, begin.text);
  const { secret, otpauth_uri: uri } = begin.json();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.ok(uri.startsWith('otpauth://totp/wenming:twofa?'), uri);
  assert.match(uri, new RegExp(`[?&]secret=${secret}(&|$)`));
  assert.equal((await asAdmin('GET', `/api/v1/users/${id}`)).json().totp, false, 'nothing stored before confirm');

  const badConfirm = await staffReq(srv, 'POST', '/api/v1/me/totp/confirm',
    { cookie: s.cookie, csrf: s.csrf, body: { secret, totp: totpCode(secret, Date.now() / 1000 + 300) } });
  assert.equal(badConfirm.status, 403, `a wrong code does not enrol: ${badConfirm.text}`);
  // Codes used in increasing steps: confirm with the previous step's code (in the window).
  await awayFromStepEdge();
  const confirm = await staffReq(srv, 'POST', '/api/v1/me/totp/confirm',
    { cookie: s.cookie, csrf: s.csrf, body: { secret, totp: totpCode(secret, (step() - 1) * 30) } });
  assert.equal(confirm.status, 204, confirm.text);
  assert.equal((await asAdmin('GET', `/api/v1/users/${id}`)).json().totp, true);
  assert.equal((await staffReq(srv, 'DELETE', '/api/v1/session', { cookie: s.cookie, csrf: s.csrf })).status, 204);

  // Password alone: a pending session that reaches no staff route.
  const p = await login(srv, 'twofa', pw);
  assert.equal(p.status, 200, p.res.text);
  assert.equal(p.json.mfa_required, true);
  assert.ok(p.cookie);
  for (const path of ['/api/v1/session', '/api/v1/cases', '/api/v1/units']) {
    const r = await staffReq(srv, 'GET', path, { cookie: p.cookie });
    assert.equal(r.status, 401, `${path} before the second factor`);
  }
  const wrong = await staffReq(srv, 'POST', '/api/v1/session/totp', { cookie: p.cookie, csrf: p.csrf, body: { totp: '000000' === totpCode(secret) ? '111111' : '000000' } });
  assert.equal(wrong.status, 403, wrong.text);
  await awayFromStepEdge();
  const code = totpCode(secret, step() * 30);
  const noCsrf = await staffReq(srv, 'POST', '/api/v1/session/totp', { cookie: p.cookie, body: { totp: code } });
  assert.equal(noCsrf.status, 403, 'the TOTP step is a state change: CSRF applies');
  const second = await staffReq(srv, 'POST', '/api/v1/session/totp', { cookie: p.cookie, csrf: p.csrf, body: { totp: code } });
  assert.equal(second.status, 200, second.text);
  assert.equal(second.json().mfa_required, false);
  const who = await me(p.cookie);
  assert.equal(who.status, 200, 'the same session is now a full one');
  assert.equal(who.json().user.login, 'twofa');
  assert.equal((await staffReq(srv, 'POST', '/api/v1/session/totp', { cookie: p.cookie, csrf: p.csrf, body: { totp: code } })).status, 422,
    'no second factor is owed any more');

  // The same code again, on a new login: refused.
  const q = await login(srv, 'twofa', pw);
  assert.equal(q.json.mfa_required, true);
  const replay = await staffReq(srv, 'POST', '/api/v1/session/totp', { cookie: q.cookie, csrf: q.csrf, body: { totp: code } });
  assert.equal(replay.status, 403, `replay: ${replay.text}`);
  assert.equal((await me(q.cookie)).status, 401);
  // One step: password and the next step's code together.
  await awayFromStepEdge();
  const next = totpCode(secret, (step() + 1) * 30);
  const one = await login(srv, 'twofa', pw, { totp: next });
  assert.equal(one.status, 200, one.res.text);
  assert.equal(one.json.mfa_required, false);
  assert.equal((await me(one.cookie)).status, 200);
  const oneReplay = await login(srv, 'twofa', pw, { totp: next });
  assert.equal(oneReplay.status, 403, 'a one-step code cannot be replayed either');
  const badOne = await login(srv, 'twofa', pw, { totp: '12345' });
  assert.equal(badOne.status, 403);
  assert.equal(badOne.cookie, null);

  await assertAudited('user.totp', `user:${id}`, 'enrol');
  await assertAudited('login.password', `user:${id}`, 'pending login');
  await assertAudited('login.totp_fail', `user:${id}`, 'wrong second factor');
  const oks = await audit('login.ok', `user:${id}`);
  assert.ok(oks.some((x) => x.summary.totp === true), 'login.ok after the second factor');
});

// ---------------------------------------------------------------- rate limits

test('login rate limit per address: the 4th of WENMING_LOGIN_RATE=3 gets 429', async () => {
  // A second server on the same database, with the limit on.
  const pw = await addUser(srv, 'ratey', 'O-WMB', 'office');
  const limited = await startServer({ instance: srv, env: { WENMING_LOGIN_RATE: '3' } });
  try {
    assert.equal((await login(limited, 'ratey', pw)).status, 200);
    assert.equal((await login(limited, 'ratey', 'wrong-password')).status, 403);
    assert.equal((await login(limited, 'nobody', 'wrong-password')).status, 403);
    const fourth = await login(limited, 'ratey', pw);
    assert.equal(fourth.status, 429, fourth.res.text);
    assertError(fourth.res, 429, 'json', '4th login');
    // Another client address (as the local proxy says) has its own allowance.
    const other = await login(limited, 'ratey', pw, { headers: { 'X-Forwarded-For': '198.51.100.7' } });
    assert.equal(other.status, 200, other.res.text);
    // The refused attempt was not counted against the account.
    const u = await loginOk(limited, 'ratey', pw, { headers: { 'X-Forwarded-For': '198.51.100.8' } });
    assert.equal(u.user.locked_until, 0);
    const ra = retryAfter(fourth.res, '4th login');
    assert.ok(ra >= 1 && ra <= 20, `Retry-After ${ra} (3 a minute: one every 20 s)`);
  } finally {
    await limited.stop();
  }
});

test('posting rate limit per address: the 11th POST of WENMING_POST_RATE_IP=1 gets 429', async () => {
  const limited = await startServer({ instance: srv, env: { WENMING_POST_RATE_IP: '1' } });
  try {
    const cat = await catalogue(limited);
    const post = (n, headers = {}, format = 'json') => postForm(limited.base, `${V2}/requests.${format}`,
      { api_key: srv.apiKey, service_code: cat.plain, lat: DALIAN.lat, long: DALIAN.long, description: `rate ${n}` }, { headers });
    const t0 = Date.now();
    const first = await Promise.all(Array.from({ length: 10 }, (_, i) => post(i)));
    for (const r of first) assert.ok(r.status === 200 || r.status === 201, r.text);
    const eleventh = await post(10);
    const elapsed = Date.now() - t0;
    let xml;
    if (elapsed < 900) { // a second refills one report
      assertError(eleventh, 429, 'json', '11th POST');
      xml = await post(11, {}, 'xml');
      assertError(xml, 429, 'xml', '12th POST as XML');
    }
    const other = await post(12, { 'X-Forwarded-For': '203.0.113.9' });
    assert.ok(other.status === 200 || other.status === 201, `another address: ${other.text}`);
    if (elapsed < 900) {
      const ra = retryAfter(eleventh, '11th POST');
      assert.ok(ra >= 1 && ra <= 2, `Retry-After ${ra}`);
      retryAfter(xml, '12th POST as XML');
    }
  } finally {
    await limited.stop();
  }
});

// ---------------------------------------------------------------- api keys

test('api key scope: a key for one service posts there only; a revoked key is refused', async () => {
  const cat = await catalogue(srv);
  const [mine, other] = cat.plainList;
  assert.ok(mine && other, 'two services without required attributes');
  const made = await asAdmin('POST', '/api/v1/apikeys', { name: 'partner', services: mine });
  assert.equal(made.status, 201, made.text);
  const k = made.json();
  assert.equal(k.name, 'partner');
  assert.equal(k.services, mine);
  assert.match(k.api_key, /^\S{20,}$/);
  const listed = (await asAdmin('GET', '/api/v1/apikeys')).json().find((x) => x.id === k.id);
  assert.ok(listed && listed.services === mine && listed.revoked_at === null);
  assert.ok(!JSON.stringify((await asAdmin('GET', '/api/v1/apikeys')).json()).includes(k.api_key), 'the key is shown once only');

  const post = (code) => postForm(srv.base, `${V2}/requests.json`,
    { api_key: k.api_key, service_code: code, lat: DALIAN.lat, long: DALIAN.long, description: 'scoped key' });
  const ok = await post(mine);
  assert.equal(ok.status, 201, ok.text);
  const refused = await post(other);
  assertError(refused, 403, 'json', 'another service');

  const noCsrf = await staffReq(srv, 'DELETE', `/api/v1/apikeys/${k.id}`, { cookie: admin.cookie });
  assert.equal(noCsrf.status, 403);
  const del = await asAdmin('DELETE', `/api/v1/apikeys/${k.id}`);
  assert.equal(del.status, 204, del.text);
  const t0 = Date.now();
  let r;
  for (;;) {
    r = await post(mine);
    if (r.status === 403 || Date.now() - t0 > 1500) break;
    await sleep(100);
  }
  assertError(r, 403, 'json', 'a revoked key within 1.5 s');
  assert.equal((await asAdmin('DELETE', `/api/v1/apikeys/${k.id}`)).status, 404, 'revoked already');
  assert.ok(Number.isInteger((await asAdmin('GET', '/api/v1/apikeys')).json().find((x) => x.id === k.id).revoked_at));

  const created = await assertAudited('apikey.create', `apikey:${k.id}`, 'apikey create');
  assert.equal(created[0].actor, `user:${admin.user.id}`);
  assert.deepEqual(created[0].summary, { name: 'partner', services: mine });
  assert.ok(!JSON.stringify(await audit('apikey')).includes(k.api_key), 'keys never reach the audit trail');
  await assertAudited('apikey.revoke', `apikey:${k.id}`, 'apikey revoke');
});

// ---------------------------------------------------------------- headers, audit

test('security headers on every kind of response; X-Request-Id echoed when sane', async () => {
  const pw = await addUser(srv, 'headers', '210202', 'handler');
  const s = await login(srv, 'headers', pw);
  const responses = [
    ['healthz', await get(srv.base, '/healthz')],
    ['login', s.res],
    ['401', await me(undefined)],
    ['403', await staffReq(srv, 'GET', '/api/v1/users', { cookie: s.cookie })],
    ['404', await get(srv.base, '/nope')],
    ['open311', await get(srv.base, `${V2}/services.json`)],
    ['staff', await me(s.cookie)],
  ];
  for (const [what, r] of responses) {
    const csp = r.headers.get('content-security-policy');
    assert.ok(csp, `${what}: CSP`);
    assert.ok(!/unsafe-inline|unsafe-eval/.test(csp), `${what}: no unsafe-inline: ${csp}`);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(r.headers.get('x-frame-options'), 'DENY', what);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', what);
    assert.ok(r.headers.get('referrer-policy'), what);
    assert.match(r.headers.get('x-request-id') ?? '', /^[0-9a-f]{16}$/, `${what}: a generated request id`);
  }
  const sane = 'req-42.abc_DEF';
  assert.equal((await get(srv.base, '/healthz', { headers: { 'X-Request-Id': sane } })).headers.get('x-request-id'), sane);
  assert.equal((await me(s.cookie)).headers.get('x-request-id') !== sane, true);
  for (const bad of ['short', 'has space inside', 'x'.repeat(65), 'semi;colon1', '<script>1</script>']) {
    const r = await get(srv.base, '/healthz', { headers: { 'X-Request-Id': bad } });
    assert.match(r.headers.get('x-request-id'), /^[0-9a-f]{16}$/, `not echoed: ${bad}`);
  }
});

test('the audit trail holds every kind of record and its chain is intact', async () => {
  const all = await audit('');
  const actions = new Set(all.map((x) => x.action));
  for (const a of ['user.create', 'login.ok', 'login.fail', 'login.password', 'login.totp_fail', 'logout',
    'user.password', 'user.update', 'user.totp', 'session.revoke', 'unit.update', 'apikey.create', 'apikey.revoke']) {
    assert.ok(actions.has(a), `an audit record ${a} (have ${[...actions].join(', ')})`);
  }
  for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].id > all[i].id, 'newest first');
  for (const x of all) assert.ok(!/password_hash|\$argon2/.test(JSON.stringify(x)), 'no password hashes');
  const v = await asAdmin('GET', '/api/v1/audit/verify');
  assert.equal(v.status, 200, v.text);
  const body = v.json();
  assert.equal(body.intact, true, v.text);
  assert.equal(body.broken_id, null);
  assert.ok(body.records >= all.length, v.text);
});

// Staff helpers: accounts through the CLI, logging in, JSON calls with the session cookie and
// CSRF token, RFC 6238 TOTP codes, and SQL behind the server's back on either store.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { PG, PSQL, runCli } from './server.mjs';
import { req } from './http.mjs';

// `wenming user add LOGIN --name LOGIN --unit UNIT --roles a,b`; resolves the password it
// printed (once).
export async function addUser(inst, login, unit, roles) {
  const r = await runCli(['user', 'add', login, '--name', login, '--unit', unit,
    '--roles', Array.isArray(roles) ? roles.join(',') : roles, '--db', inst.db]);
  assert.equal(r.code, 0, `user add ${login}: ${r.stderr}`);
  const pw = r.stdout.trim();
  assert.ok(pw.length >= 10 && !/\s/.test(pw), `user add printed one password: ${JSON.stringify(r.stdout)}`);
  return pw;
}

// `wenming user VERB LOGIN` (disable, enable, reset-password); resolves the CLI result.
export async function userCli(inst, verb, login) {
  const r = await runCli(['user', verb, login, '--db', inst.db]);
  assert.equal(r.code, 0, `user ${verb} ${login}: ${r.stderr}`);
  return r;
}

// The wm_session cookie pair ("wm_session=…") of a Set-Cookie header, or null.
export function sessionCookie(res) {
  const sc = res.headers.get('set-cookie');
  const m = sc && /(?:^|,\s*)(wm_session=[^;]*)/.exec(sc);
  return m ? m[1] : null;
}

// JSON call. cookie: "wm_session=…"; csrf: sent as X-CSRF-Token; body: an object sent as JSON
// (or a string, sent as is with `contentType`); headers: more headers.
export function staffReq(srv, method, path, { cookie, csrf, body, headers = {}, contentType } = {}) {
  const h = { ...headers };
  if (cookie) h.Cookie = cookie;
  if (csrf) h['X-CSRF-Token'] = csrf;
  let b;
  if (body !== undefined) {
    b = typeof body === 'string' ? body : JSON.stringify(body);
    h['Content-Type'] = contentType ?? 'application/json';
  }
  return req(srv.base, method, path, { body: b, headers: h });
}

// POST /api/v1/session. Resolves {status, json (or null), cookie, csrf, res}.
export async function login(srv, loginName, password, { totp, headers } = {}) {
  const body = { login: loginName, password };
  if (totp !== undefined) body.totp = totp;
  const res = await staffReq(srv, 'POST', '/api/v1/session', { body, headers });
  let json = null;
  try { json = JSON.parse(res.text); } catch { /* not JSON */ }
  return {
    status: res.status,
    json,
    cookie: res.status === 200 ? sessionCookie(res) : null,
    csrf: res.status === 200 ? json?.csrf_token : null,
    res,
  };
}

// Logs in and asserts success; resolves {cookie, csrf, user, json}.
export async function loginOk(srv, loginName, password, opts) {
  const r = await login(srv, loginName, password, opts);
  assert.equal(r.status, 200, `login ${loginName}: ${r.res.text.slice(0, 300)}`);
  assert.ok(r.cookie, `login ${loginName} sets the session cookie`);
  assert.ok(r.csrf, `login ${loginName} answers a csrf_token`);
  return { cookie: r.cookie, csrf: r.csrf, user: r.json.user, json: r.json };
}

// ---------------------------------------------------------------- TOTP (RFC 6238)

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Decode(s) {
  const clean = s.replace(/[\s=]/g, '').toUpperCase();
  let bits = 0;
  let val = 0;
  const out = [];
  for (const c of clean) {
    const v = B32.indexOf(c);
    if (v < 0) throw new Error(`not base32: ${c}`);
    val = (val << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((val >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// The 6-digit HMAC-SHA1 code of a base32 secret for unix time `t` (seconds), 30 s steps.
export function totpCode(secret, t = Date.now() / 1000) {
  const step = Math.floor(t / 30);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(bin % 1e6).padStart(6, '0');
}

// ---------------------------------------------------------------- the database

// Runs SQL on the instance's database with the store's own client (sqlite3 or psql), not
// through wenming; resolves the output (rows tab/pipe separated, trimmed).
export function sql(db, text) {
  // A running server may hold SQLite's write lock for a moment (its jobs, its writer): wait
  // for it as the server's own connections do, instead of failing at once with "locked".
  const [cmd, args] = PG ? [PSQL, [db, '-qAtX', '-v', 'ON_ERROR_STOP=1', '-c', text]]
    : ['sqlite3', ['-cmd', '.timeout 10000', db, text]];
  return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30000 }).toString().trim();
}

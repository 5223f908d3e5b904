// The figures over HTTP: GET /api/v1/stats (JSON and CSV, formula cells guarded), the ranking
// (红黑榜), the daily trend and the hotspots; rows limited to the caller's reach (a district
// handler sees only its subtree), 401 without a session, 403 for a role without figures,
// 400 for a bad period. Cases are moved through the real workflow API first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createInstance, startServer } from './lib/server.mjs';
import { addUser, loginOk, staffReq, sql } from './lib/staff.mjs';
import { fileRequest } from './lib/open311.mjs';

let inst, srv;
const who = {};
const units = {};
const unitCode = {};

// The period: from yesterday to tomorrow (bare dates are local +08:00 midnights).
const day = (d) => new Date(Date.now() + 8 * 3600e3 + d * 86400e3).toISOString().slice(0, 10);
const FROM = day(-1);
const TO = day(2);
const Q = `from=${FROM}&to=${TO}`;

before(async () => {
  inst = await createInstance({ demo: true });
  const people = {
    admin: ['O-WMB', 'admin,office'],
    dispatcher: ['O-WMB', 'dispatcher'],
    zs: ['210202', 'handler'],
    xg: ['210203', 'handler'],
    inspector: ['210202', 'inspector'],
    inspector2: ['210203', 'inspector'],
    leader: ['210202', 'leader'],
  };
  const pw = {};
  for (const [login, [unit, roles]] of Object.entries(people)) pw[login] = await addUser(inst, login, unit, roles);
  srv = await startServer({ instance: inst });
  for (const login of Object.keys(people)) who[login] = await loginOk(srv, login, pw[login]);
  const list = await staffReq(srv, 'GET', '/api/v1/units', { cookie: who.admin.cookie });
  for (const u of list.json()) { units[u.code] = u.id; unitCode[u.id] = u.code; }

  // One case closed by 中山区, one dispatched to 西岗区 and handled, then reworked.
  await runCase('210202', ['accept', 'handle', 'verify_pass'], 'zs', 'inspector');
  await runCase('210203', ['accept', 'handle', 'verify_fail'], 'xg', 'inspector2');
});

after(async () => { await srv?.stop(); });

async function step(login, code, action, version, extra = {}) {
  const r = await staffReq(srv, 'POST', `/api/v1/cases/${code}/actions`, {
    cookie: who[login].cookie, csrf: who[login].csrf, body: { action, version, ...extra },
  });
  assert.equal(r.status, 200, `${login} ${action}: ${r.text.slice(0, 300)}`);
  return r.json();
}

async function runCase(unit, moves, handler, inspector) {
  const { id } = await fileRequest(srv, { description: `stats ${unit}`, lat: 38.91, long: 121.66 });
  let c = await step('dispatcher', id, 'register', 1);
  c = await step('dispatcher', id, 'dispatch', c.version, { unit_id: units[unit] });
  for (const m of moves) {
    const by = m.startsWith('verify') ? inspector : handler;
    c = await step(by, id, m, c.version, m === 'handle' || m === 'verify_fail' ? { note: '已处理' } : {});
  }
  return id;
}

function get(login, path, headers = {}) {
  return staffReq(srv, 'GET', path, { cookie: login ? who[login].cookie : undefined, headers });
}

const RATES = ['register_rate', 'dispatch_ontime_rate', 'handle_rate', 'handle_ontime_rate',
  'rework_rate', 'verify_ontime_rate', 'close_rate', 'satisfaction_rate', 'recurrence_rate'];

function assertRates(row) {
  for (const k of [...RATES, 'handle_hours_avg', 'handle_hours_p90', 'score']) {
    assert.ok(k in row, `${k} present`);
    const v = row[k];
    assert.ok(v === null || (typeof v === 'number' && Number.isFinite(v)), `${k}: ${v}`);
  }
}

test('citywide stats per unit: counts, rates, null on a zero denominator', async () => {
  const r = await get('admin', `/api/v1/stats?${Q}&group=unit`);
  assert.equal(r.status, 200, r.text);
  const body = r.json();
  assert.equal(body.group, 'unit');
  const zs = body.rows.find((x) => x.code === '210202');
  const xg = body.rows.find((x) => x.code === '210203');
  assert.ok(zs && xg, JSON.stringify(body.rows.map((x) => x.code)));
  for (const row of body.rows) assertRates(row);
  assert.ok(zs.registered >= 1 && zs.dispatched >= 1 && zs.handled >= 1 && zs.closed >= 1, JSON.stringify(zs));
  assert.equal(zs.dispatched_ontime, zs.dispatched, 'dispatched at once: on time');
  assert.ok(zs.handle_hours_avg !== null && zs.handle_hours_avg >= 0);
  assert.ok(xg.reworked >= 1 && xg.rework_rate > 0, JSON.stringify(xg));
  assert.equal(xg.closed, 0);
  // no ratings anywhere yet: 满意率 has no denominator
  assert.equal(zs.satisfaction_rate, null);
  assert.equal(zs.ratings, 0);
});

test('a district handler sees only its own subtree', async () => {
  for (const [login, prefix] of [['zs', '210202'], ['xg', '210203'], ['leader', '210202']]) {
    const r = await get(login, `/api/v1/stats?${Q}&group=unit`);
    assert.equal(r.status, 200, r.text);
    const rows = r.json().rows;
    assert.ok(rows.length >= 1, `${login} sees its own row`);
    for (const row of rows) assert.ok(row.code.startsWith(prefix), `${login} sees ${row.code}`);
  }
  const d = await get('zs', `/api/v1/stats?${Q}&group=district`);
  assert.equal(d.status, 200, d.text);
  assert.deepEqual(d.json().rows.map((x) => x.code), ['210202']);
  const all = await get('admin', `/api/v1/stats?${Q}&group=district`);
  const codes = all.json().rows.map((x) => x.code);
  assert.ok(codes.includes('210202') && codes.includes('210203'), codes.join());
});

test('groups by category and source', async () => {
  for (const g of ['category', 'source']) {
    const r = await get('admin', `/api/v1/stats?${Q}&group=${g}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json().rows.length >= 1, g);
  }
  const s = await get('admin', `/api/v1/stats?${Q}&group=source`);
  assert.ok(s.json().rows.some((x) => x.code === 'open311' && x.reported >= 2));
});

test('CSV with format=csv or Accept: text/csv, formula cells guarded', async () => {
  sql(inst.db, "UPDATE unit SET name = '=HYPERLINK(\"http://x\")' WHERE code = '210203'");
  try {
    const r = await get('admin', `/api/v1/stats?${Q}&group=unit&format=csv`);
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /^text\/csv/);
    const lines = r.text.trim().split('\r\n');
    assert.ok(lines[0].startsWith('key,code,label,reported,'), lines[0]);
    assert.ok(lines[0].includes('register_rate') && lines[0].endsWith('score'));
    const xg = lines.find((l) => l.includes(',210203,'));
    assert.ok(xg, r.text);
    assert.ok(xg.includes(`"'=HYPERLINK(""http://x"")"`) || xg.includes("'=HYPERLINK"), xg);
    assert.ok(!/,=/.test(r.text), 'no cell starts with =');
    const a = await get('admin', `/api/v1/stats?${Q}`, { Accept: 'text/csv' });
    assert.equal(a.status, 200);
    assert.match(a.headers.get('content-type'), /^text\/csv/);
    // a district handler's CSV has only its rows too
    const z = await get('zs', `/api/v1/stats?${Q}&format=csv`);
    for (const l of z.text.trim().split('\r\n').slice(1)) assert.match(l, /^\d+,210202/);
  } finally {
    sql(inst.db, "UPDATE unit SET name = '西岗区' WHERE code = '210203'");
  }
});

test('ranking: units by score with red and black lists', async () => {
  const r = await get('admin', `/api/v1/stats/ranking?${Q}&top=1`);
  assert.equal(r.status, 200, r.text);
  const b = r.json();
  assert.equal(b.top, 1);
  assert.equal(b.red.length, 1);
  assert.equal(b.black.length, 1);
  assert.notEqual(b.red[0].key, b.black[0].key);
  assert.equal(b.red[0].rank, 1);
  const scores = b.units.filter((u) => u.rank > 0).map((u) => u.score);
  assert.deepEqual(scores, [...scores].sort((x, y) => y - x), 'best first');
  assert.ok(b.red[0].score >= b.black[0].score);
  assert.equal(b.weights.handle_rate, 15);
  const z = await get('zs', `/api/v1/stats/ranking?${Q}`);
  for (const u of z.json().units) assert.ok(u.code.startsWith('210202'), u.code);
});

test('trend per day and hotspots', async () => {
  const r = await get('admin', `/api/v1/stats/trend?${Q}`);
  assert.equal(r.status, 200, r.text);
  const rows = r.json().rows;
  const today = rows.find((x) => x.date === day(0));
  assert.ok(today && today.reported >= 2 && today.closed >= 1, JSON.stringify(rows));
  const g = await get('admin', `/api/v1/stats/trend?${Q}&group=district&format=csv`);
  assert.equal(g.status, 200);
  assert.ok(g.text.startsWith('date,key,code,label,reported,closed,overdue\r\n'), g.text);
  const h = await get('admin', `/api/v1/stats/hotspots?${Q}&limit=5`);
  assert.equal(h.status, 200, h.text);
  assert.ok(Array.isArray(h.json().areas) && h.json().areas.length <= 5);
});

test('401 without a session, 403 for inspectors, 400 for a bad period', async () => {
  for (const p of ['/api/v1/stats', '/api/v1/stats/ranking', '/api/v1/stats/trend', '/api/v1/stats/hotspots']) {
    assert.equal((await get(null, `${p}?${Q}`)).status, 401, p);
    assert.equal((await get('inspector', `${p}?${Q}`)).status, 403, p);
  }
  assert.equal((await get('admin', `/api/v1/stats?from=${TO}&to=${FROM}`)).status, 400);
  assert.equal((await get('admin', '/api/v1/stats?from=2020-01-01&to=2026-01-01')).status, 400);
  assert.equal((await get('admin', `/api/v1/stats?from=${FROM}`)).status, 400);
  assert.equal((await get('admin', `/api/v1/stats?${Q}&group=street`)).status, 400);
});

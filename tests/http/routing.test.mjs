// Routing rules (issue 5): `wenming import|export routing` through the CLI (FILE:LINE errors,
// nothing half-imported, the round trip), and the staff API: an admin creates, lists,
// changes and deactivates rules and asks for suggestions; a handler gets 403 for writes
// and suggestions. Runs on SQLite and, with WENMING_TEST_PG, on PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, startServer } from './lib/server.mjs';
import { addUser, loginOk, staffReq, sql } from './lib/staff.mjs';

const DEMO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../data/demo/routing.csv');
let srv;
let admin;
let handler;

before(async () => {
  srv = await startServer();
  const pa = await addUser(srv, 'rt.admin', 'O-WMB', 'admin');
  const ph = await addUser(srv, 'rt.handler', '210202', 'handler');
  admin = await loginOk(srv, 'rt.admin', pa);
  handler = await loginOk(srv, 'rt.handler', ph);
});
after(async () => { await srv?.stop(); });

const json = (res) => JSON.parse(res.text);

test('import routing: errors as FILE:LINE, nothing imported; the demo file and its round trip', async () => {
  const bad = path.join(srv.dir, 'bad.csv');
  writeFileSync(bad, 'category,area_code,unit_code,priority,note\nE9999,*,D-CGJ,0,\nE01,*,NOPE,0,\nE01,210202,D-CGJ,x,\n');
  const r = await runCli(['import', 'routing', bad, '--db', srv.db]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /bad\.csv:2: category "E9999"/);
  assert.match(r.stderr, /bad\.csv:3: unit_code "NOPE"/);
  assert.match(r.stderr, /bad\.csv:4: priority "x"/);
  assert.match(r.stderr, /3 errors in .*nothing was imported/);
  // init --demo loaded the demo rules; the bad file changed none of them.
  assert.equal(sql(srv.db, 'SELECT COUNT(*) FROM routing_rule'), '26');

  const ok = await runCli(['import', 'routing', DEMO, '--db', srv.db]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /26 rules imported .*0 inserted, 26 updated, 0 deactivated/);
  const out = path.join(srv.dir, 'routing.csv');
  const ex = await runCli(['export', 'routing', '--out', out, '--db', srv.db]);
  assert.equal(ex.code, 0, ex.stderr);
  const again = await runCli(['import', 'routing', out, '--db', srv.db]);
  assert.match(again.stderr, /0 inserted, 26 updated, 0 deactivated/);
  const help = await runCli(['import', 'routing', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /FILE:LINE/);
});

test('API: suggest, create, change, deactivate as admin; a handler is refused', async () => {
  const q = '/api/v1/routing/suggest?service_code=E0102&lat=38.914&long=121.6147';
  // after the demo import (the test above ran first in this file)
  let s = await staffReq(srv, 'GET', q, { cookie: admin.cookie });
  assert.equal(s.status, 200, s.text);
  const first = json(s);
  assert.ok(first.unit_id && first.rule_id, s.text);
  assert.match(first.reason, /^rule \d+: /);

  const units = json(await staffReq(srv, 'GET', '/api/v1/units', { cookie: admin.cookie }));
  const wmb = units.find((u) => u.code === 'O-WMB');
  const areas = json(await staffReq(srv, 'GET', `/api/v1/areas/locate?lat=38.914&long=121.6147`, { cookie: admin.cookie }));
  const grid = areas.areas[0];

  const body = { category: 'E0102', area_id: grid.id, unit_id: wmb.id, priority: 5, note: '测试' };
  const denied = await staffReq(srv, 'POST', '/api/v1/routing-rules', { cookie: handler.cookie, csrf: handler.csrf, body });
  assert.equal(denied.status, 403);
  assert.equal((await staffReq(srv, 'GET', q, { cookie: handler.cookie })).status, 403);
  assert.equal((await staffReq(srv, 'GET', '/api/v1/routing-rules', { cookie: handler.cookie })).status, 200);

  const c = await staffReq(srv, 'POST', '/api/v1/routing-rules', { cookie: admin.cookie, csrf: admin.csrf, body });
  assert.equal(c.status, 201, c.text);
  const rule = json(c);
  assert.equal(rule.category_code, 'E0102');
  assert.equal(rule.unit_code, 'O-WMB');
  const dup = await staffReq(srv, 'POST', '/api/v1/routing-rules', { cookie: admin.cookie, csrf: admin.csrf, body });
  assert.equal(dup.status, 409, dup.text);
  const unknown = await staffReq(srv, 'POST', '/api/v1/routing-rules', { cookie: admin.cookie, csrf: admin.csrf, body: { ...body, category: '01' } });
  assert.equal(unknown.status, 422, unknown.text);

  s = json(await staffReq(srv, 'GET', q, { cookie: admin.cookie }));
  assert.equal(s.rule_id, rule.id, JSON.stringify(s));
  assert.equal(s.unit_id, wmb.id);

  const p = await staffReq(srv, 'PATCH', `/api/v1/routing-rules/${rule.id}`, { cookie: admin.cookie, csrf: admin.csrf, body: { priority: 7 } });
  assert.equal(p.status, 200, p.text);
  assert.equal(json(p).priority, 7);

  const d = await staffReq(srv, 'DELETE', `/api/v1/routing-rules/${rule.id}`, { cookie: admin.cookie, csrf: admin.csrf });
  assert.equal(d.status, 204, d.text);
  s = json(await staffReq(srv, 'GET', q, { cookie: admin.cookie }));
  assert.equal(s.rule_id, first.rule_id, 'back to the demo rule once deactivated');
  assert.equal(sql(srv.db, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'routing_rule.%'"), '3');
  const missing = await staffReq(srv, 'DELETE', '/api/v1/routing-rules/999999', { cookie: admin.cookie, csrf: admin.csrf });
  assert.equal(missing.status, 404);
});

// The audit trail through the command line: apikey create and revoke are recorded (actor
// cli, the key's name, never the key), `audit verify` finds the chain intact, and after a
// row is changed or the tail deleted behind the program's back (sqlite3 or psql) it exits 1
// naming the record. Runs on SQLite and, with WENMING_TEST_PG, on PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createInstance, runCli } from './lib/server.mjs';
import { sql as tamper } from './lib/staff.mjs'; // SQL with the store's own client, not wenming

async function cli(args, db) {
  const r = await runCli([...args, '--db', db]);
  return r;
}

function rows(stdout) {
  return stdout.trim().split('\n').filter(Boolean).map((l) => {
    const [id, at, actor, ip, action, object, summary] = l.split('\t');
    return { id: Number(id), at: Number(at), actor, ip, action, object, summary: JSON.parse(summary) };
  });
}

test('apikey create and revoke are audited; verify finds a changed row', async () => {
  const inst = await createInstance({ demo: false }); // creates key 1 "test": record 1
  const created = await cli(['apikey', 'create', 'partner app'], inst.db);
  assert.equal(created.code, 0, created.stderr);
  const key = created.stdout.trim();
  const revoked = await cli(['apikey', 'revoke', '2'], inst.db);
  assert.equal(revoked.code, 0, revoked.stderr);
  const missing = await cli(['apikey', 'revoke', '99'], inst.db);
  assert.equal(missing.code, 1, 'no such key');

  const list = await cli(['audit', 'list'], inst.db);
  assert.equal(list.code, 0, list.stderr);
  const recs = rows(list.stdout);
  assert.deepEqual(recs.map((r) => [r.id, r.actor, r.action, r.object]), [
    [3, 'cli', 'apikey.revoke', 'apikey:2'],
    [2, 'cli', 'apikey.create', 'apikey:2'],
    [1, 'cli', 'apikey.create', 'apikey:1'],
  ], 'newest first; the failed revoke left no record');
  assert.equal(recs[1].summary.after.name, 'partner app');
  assert.equal(recs[0].summary.name, 'partner app');
  assert.equal(recs[0].summary.before.revoked_at, null);
  assert.ok(Number.isInteger(recs[0].summary.after.revoked_at));
  assert.ok(!list.stdout.includes(key) && !list.stdout.includes(inst.apiKey), 'keys never reach the audit trail');

  const byObject = await cli(['audit', 'list', '--object', 'apikey:1', '--limit', '5'], inst.db);
  assert.equal(byObject.code, 0, byObject.stderr);
  assert.deepEqual(rows(byObject.stdout).map((r) => r.id), [1]);

  const ok = await cli(['audit', 'verify'], inst.db);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^3 records, chain intact$/m);

  tamper(inst.db, `UPDATE audit_log SET summary = '{"after":{"name":"someone else"}}' WHERE id = 2`);
  const bad = await cli(['audit', 'verify'], inst.db);
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /broken at record 2: /);
});

test('verify finds a deleted tail and a deleted middle record', async () => {
  const inst = await createInstance({ demo: false });
  for (const name of ['a', 'b', 'c']) {
    const r = await cli(['apikey', 'create', name], inst.db);
    assert.equal(r.code, 0, r.stderr);
  }
  const ok = await cli(['audit', 'verify'], inst.db);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^4 records, chain intact$/m);

  tamper(inst.db, 'DELETE FROM audit_log WHERE id = 4');
  const tail = await cli(['audit', 'verify'], inst.db);
  assert.equal(tail.code, 1, tail.stdout + tail.stderr);
  assert.match(tail.stdout, /broken at record 4: .*tail deleted/);

  tamper(inst.db, 'DELETE FROM audit_log WHERE id = 2');
  const middle = await cli(['audit', 'verify'], inst.db);
  assert.equal(middle.code, 1, middle.stdout + middle.stderr);
  assert.match(middle.stdout, /broken at record 2: .*missing/);
});

test('audit rejects a bad subcommand or flag with exit 2', async () => {
  for (const args of [['audit'], ['audit', 'frobnicate'], ['audit', 'list', '--limit', '0']]) {
    const r = await runCli(args, { timeout: 10000 });
    assert.equal(r.code, 2, `wenming ${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.trim().length > 0);
  }
});

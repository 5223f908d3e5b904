// `wenming demo generate`: a generated history on a fresh demo database (SQLite, or PostgreSQL
// with WENMING_TEST_PG): the status mix, timelines that go through the state machine (every
// closed case ends with verify_pass, stage-ending events carry their deadline), ratings, the
// same figures from the same seed, and a refusal to run again without --force.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createInstance, runCli } from './lib/server.mjs';
import { sql } from './lib/staff.mjs';

const N = 1000;
const NOW = '1764000000'; // a fixed present: the same seed then gives the same figures
let inst;
let first;
let second; // the same seed on another fresh database, generated at the same time
let base; // the last id of init --demo's own sample cases

const generate = (db, extra = []) =>
  runCli(['demo', 'generate', '--cases', String(N), '--seed', '1', '--now', NOW, '--db', db, ...extra],
    { timeout: 60000 });

function figures(r) {
  assert.equal(r.code, 0, `demo generate: exit ${r.code}\n${r.stderr}`);
  const f = JSON.parse(r.stdout.trim().split('\n').pop());
  delete f.seconds;
  delete f.cases_per_second;
  delete f.escalate_seconds;
  delete f.fold_seconds;
  return f;
}

before(async () => {
  const [a, b] = await Promise.all([createInstance({ demo: true }), createInstance({ demo: true })]);
  inst = a;
  base = Number(sql(inst.db, 'SELECT COALESCE(max(id), 0) FROM cases'));
  const [r1, r2] = await Promise.all([generate(a.db), generate(b.db)]);
  first = figures(r1);
  second = figures(r2);
});

test('the status mix: ~85% closed, ~5% rejected, ~10% open in several stages', () => {
  assert.equal(first.cases, N);
  assert.equal(first.closed + first.rejected + first.open, N);
  const share = (n) => n / N;
  assert.ok(share(first.closed) > 0.78 && share(first.closed) < 0.9, `closed ${first.closed}`);
  assert.ok(share(first.rejected) > 0.025 && share(first.rejected) < 0.08, `rejected ${first.rejected}`);
  assert.ok(share(first.open) > 0.05 && share(first.open) < 0.16, `open ${first.open}`);
  for (const s of ['reported', 'registered', 'dispatched', 'handling', 'handled'])
    assert.ok(first.by_status[s] > 0, `some cases are ${s}`);
  assert.ok(first.overdue > 0, 'some open cases are overdue now');
  assert.ok(first.reworked > 0 && first.late > 0 && first.rated > 0, JSON.stringify(first));
});

test('the figures\' tallies agree with the cases and events they count', () => {
  assert.ok(first.tally_folded > 0, 'the generator folds the deltas it caused');
  assert.equal(Number(sql(inst.db, 'SELECT count(*) FROM case_tally_delta')), 0);
  const tally = (col) => Number(sql(inst.db, `SELECT COALESCE(sum(${col}), 0) FROM case_tally`));
  const count = (where) => Number(sql(inst.db, `SELECT count(*) FROM case_event WHERE ${where}`));
  assert.equal(tally('reported'), Number(sql(inst.db, 'SELECT count(*) FROM cases')));
  assert.equal(tally('valid_reported'), Number(sql(inst.db, 'SELECT count(*) FROM cases WHERE duplicate_of IS NULL')));
  assert.equal(tally('registered'), count("action = 'register'"));
  assert.equal(tally('dispatched'), count("action = 'dispatch'"));
  assert.equal(tally('dispatched_ontime'), count("action = 'dispatch' AND NOT (at > due_at)") + count("action = 'dispatch' AND due_at IS NULL"));
  assert.equal(tally('handled'), count("action IN ('handle', 'onsite')"));
  assert.equal(tally('due_handled'), count("action IN ('handle', 'onsite')"));
  assert.equal(tally('reworked'), count("action = 'verify_fail'"));
  assert.equal(tally('closed'), count("action = 'verify_pass'"));
  assert.equal(tally('place_closed'), count("action = 'verify_pass'"));
  assert.equal(tally('late'), count('at > due_at'));
  assert.equal(tally('ratings'), Number(sql(inst.db, 'SELECT count(*) FROM case_rating')));
  assert.equal(tally('recurred'), Number(sql(inst.db, 'SELECT count(*) FROM cases WHERE recurrence_of IS NOT NULL')));
  assert.equal(Number(sql(inst.db, 'SELECT count(*) FROM case_handle_time')),
    Number(sql(inst.db, `SELECT count(*) FROM case_event e WHERE action = 'handle' AND EXISTS (SELECT 1
      FROM case_event d WHERE d.case_id = e.case_id AND d.id < e.id AND d.action IN ('dispatch', 'redispatch'))`)));
});

test('the database holds what the figures say', () => {
  const rows = Object.fromEntries(sql(inst.db, `SELECT status, count(*) FROM cases WHERE id > ${base}
    GROUP BY status`).split('\n').map((l) => l.split('|')).map(([s, n]) => [s, Number(n)]));
  for (const [s, n] of Object.entries(first.by_status)) assert.equal(rows[s] ?? 0, n, s);
  assert.equal(Number(sql(inst.db, `SELECT count(*) FROM case_rating WHERE case_id > ${base}`)), first.rated);
  const ratedOpen = Number(sql(inst.db, `SELECT count(*) FROM case_rating r JOIN cases c ON c.id = r.case_id
    WHERE c.status <> 'closed' OR r.at < c.closed_at`));
  assert.equal(ratedOpen, 0, 'ratings only for closed cases, after closing');
});

test('every closed case has a timeline ending in verify_pass; events carry due_at', () => {
  // the last event of each closed case (escalations come only to open cases)
  const bad = Number(sql(inst.db, `SELECT count(*) FROM cases c WHERE c.id > ${base} AND c.status = 'closed' AND
    (SELECT e.action FROM case_event e WHERE e.case_id = c.id ORDER BY e.at DESC, e.id DESC LIMIT 1)
    <> 'verify_pass'`));
  assert.equal(bad, 0, 'closed cases whose last event is not verify_pass');
  const walked = Number(sql(inst.db, `SELECT count(DISTINCT case_id) FROM case_event
    WHERE case_id > ${base} AND action = 'verify_pass'`));
  assert.ok(walked >= first.closed);
  const withDue = Number(sql(inst.db, `SELECT count(*) FROM case_event WHERE case_id > ${base}
    AND action IN ('register', 'dispatch', 'handle', 'verify_pass') AND due_at IS NOT NULL`));
  const stageEnds = Number(sql(inst.db, `SELECT count(*) FROM case_event WHERE case_id > ${base}
    AND action IN ('register', 'dispatch', 'handle', 'verify_pass')`));
  assert.ok(withDue > 0.95 * stageEnds, `${withDue} of ${stageEnds} stage-ending events have due_at`);
  const late = Number(sql(inst.db, `SELECT count(*) FROM case_event
    WHERE action IN ('register', 'dispatch', 'handle', 'verify_pass') AND at > due_at`));
  assert.ok(late > 0, 'some moves were late');
  // open cases run a stage with a deadline (deferred ones are paused)
  const noClock = Number(sql(inst.db, `SELECT count(*) FROM cases WHERE status IN
    ('reported', 'registered', 'dispatched', 'handling', 'handled') AND (expected_at IS NULL OR stage = '')
    AND id > ${base}`));
  assert.equal(noClock, 0, 'open generated cases without a running clock');
  const red = Number(sql(inst.db, "SELECT count(*) FROM cases WHERE alert = 2 AND status NOT IN ('closed', 'rejected')"));
  assert.ok(red > 0, 'the escalation pass marked overdue cases red');
});

test('a second run without --force is refused; the same seed gives the same figures', async () => {
  const again = await generate(inst.db);
  assert.notEqual(again.code, 0, 'refused on a database with more than the demo cases');
  assert.match(again.stderr, /--force/);
  assert.deepEqual(second, first);
});

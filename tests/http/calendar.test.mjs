// wenming import calendar / export calendar, end to end through the CLI, on the store under
// test (PostgreSQL when WENMING_TEST_PG is set, else SQLite): init loads data/calendar/ into
// every database, the export -> import round trip into a new database, errors printed as
// FILE:LINE, nothing half-imported, and init never undoes an administrator's import.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInstance, PG, pgCreateDatabase, ROOT, runCli, tempDir } from './lib/server.mjs';

const newDb = (dir, name) => (PG ? pgCreateDatabase() : path.join(dir, name));
const SHIPPED = readFileSync(path.join(ROOT, 'data/calendar/2026.csv'), 'utf8');

async function ok(args, timeout = 60000) {
  const r = await runCli(args, { timeout });
  assert.equal(r.code, 0, `wenming ${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
  return r;
}

const days = async (db) => (await ok(['export', 'calendar', '--db', db])).stdout;
const hours = async (db) => (await ok(['export', 'calendar', '--hours', '--db', db])).stdout;

test('--help of the calendar forms names their flags; bad usage exits 2', async () => {
  const cases = [
    [['import', 'calendar', '--help'], ['--dry-run', '--db', 'FILE:LINE', 'date,kind,name', 'start,end']],
    [['export', 'calendar', '--help'], ['--out', '--db', '--hours']],
    [['import', '--help'], ['import calendar']],
    [['export', '--help'], ['export calendar']],
  ];
  for (const [args, words] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 0, `wenming ${args.join(' ')}: ${r.stderr}`);
    for (const w of words) assert.ok(r.stdout.includes(w), `${args.join(' ')} --help mentions ${w}:\n${r.stdout}`);
  }
  const dir = tempDir();
  for (const args of [['import', 'calendar'], ['import', 'calendar', 'a', 'b'], ['export', 'calendar', 'extra'],
    ['import', 'calendar', 'x.csv', '--bogus']]) {
    const r = await runCli([...args, '--db', path.join(dir, 'x.db')]);
    assert.equal(r.code, 2, `wenming ${args.join(' ')}: exit ${r.code} ${r.stderr}`);
  }
  const missing = await runCli(['import', 'calendar', path.join(dir, 'nope.csv'), '--db', path.join(dir, 'x.db')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read/);
});

test('init loads the shipped calendar into every database, once', async () => {
  const inst = await createInstance({ demo: false });
  assert.equal(await days(inst.db), SHIPPED, 'the export is the shipped file, byte for byte');
  assert.equal(await hours(inst.db), 'start,end\n08:30,12:00\n13:30,17:30\n');
  // an administrator corrects a day; init (an upgrade) must not undo it
  const fix = path.join(inst.dir, 'fix.csv');
  writeFileSync(fix, 'date,kind,name\n2026-10-07,holiday,国庆节（更正）\n');
  const r = await ok(['import', 'calendar', fix, '--db', inst.db]);
  assert.match(r.stderr, /1 days imported .*: 0 inserted, 1 updated/);
  await ok(['init', '--db', inst.db]);
  const after = await days(inst.db);
  assert.match(after, /\n2026-10-07,holiday,国庆节（更正）\n/);
  assert.equal(after.split('\n').length, SHIPPED.split('\n').length);
});

test('export, import into a new database: the same export; formula cells round-trip', async () => {
  const src = await createInstance({ demo: false });
  const dir = src.dir;
  const y2027 = path.join(dir, '2027.csv');
  writeFileSync(y2027, 'name,date,kind\r\n元旦,2027-01-01,holiday\r\n"=SUM(A1)",2027-01-02,holiday\r\n'
    + '"调休, 上班",2027-01-03,workday\r\n');
  const add = await ok(['import', 'calendar', y2027, '--db', src.db]);
  assert.match(add.stderr, /3 days imported .*: 3 inserted, 0 updated/);
  const file = path.join(dir, 'calendar.csv');
  const exp = await ok(['export', 'calendar', '--db', src.db, '--out', file]);
  assert.match(exp.stderr, /42 days written/);
  const text = readFileSync(file, 'utf8');
  assert.match(text, /\n2027-01-02,holiday,'=SUM\(A1\)\n2027-01-03,workday,"调休, 上班"\n$/);

  // a database made by the import alone (schema, no init): exactly these days
  const dst = newDb(dir, 'dst.db');
  const imp = await ok(['import', 'calendar', file, '--db', dst]);
  assert.match(imp.stderr, /42 days imported .*: 42 inserted, 0 updated/);
  assert.equal(await days(dst), text);
  const again = await ok(['import', 'calendar', file, '--db', dst]);
  assert.match(again.stderr, /0 inserted, 42 updated/);
  assert.equal(await days(dst), text);

  // hours: replaced as a whole, exported the same way
  const h = path.join(dir, 'hours.csv');
  writeFileSync(h, 'start,end\n9:00,12:00\n13:00,17:00\n');
  const hr = await ok(['import', 'calendar', h, '--db', dst]);
  assert.match(hr.stderr, /2 working periods imported/);
  assert.equal(await hours(dst), 'start,end\n09:00,12:00\n13:00,17:00\n');
});

test('a file with errors: every one as FILE:LINE, nothing imported', async () => {
  const inst = await createInstance({ demo: false });
  const before = { days: await days(inst.db), hours: await hours(inst.db) };
  const bad = path.join(inst.dir, 'bad.csv');
  writeFileSync(bad, [
    'date,kind,name',
    '2027-01-01,holiday,元旦', // 2: fine, but must not be written
    '2027-02-30,holiday,春节', // 3
    '2027-03-03,workday,调休', // 4: a Wednesday
    '2027-03-06,vacation,x', // 5
    '2027-03-07,holiday,', // 6: no name
    '2027-01-01,holiday,元旦', // 7: twice
    '27-1-9,holiday,x', // 8
    '',
  ].join('\n'));
  for (const extra of [[], ['--dry-run']]) {
    const r = await runCli(['import', 'calendar', bad, ...extra, '--db', inst.db]);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    const want = [
      [3, /date "2027-02-30" is not a date/],
      [4, /2027-03-03 is a Wednesday, a workday already/],
      [5, /kind "vacation" is not holiday or workday/],
      [6, /holiday 2027-03-07 has no name/],
      [7, /day 2027-01-01 appears twice \(first on line 2\)/],
      [8, /date "27-1-9" is not a date/],
    ];
    assert.equal(lines.length, want.length + 1, r.stderr);
    want.forEach(([line, re], i) => {
      assert.ok(lines[i].startsWith(`${bad}:${line}: `), `line ${i}: ${lines[i]}`);
      assert.match(lines[i], re);
    });
    assert.match(lines.at(-1), /6 errors in .*; nothing was imported/);
  }
  const cols = path.join(inst.dir, 'cols.csv');
  writeFileSync(cols, 'date,kind,holiday_name\n2027-01-01,holiday,x\n');
  const rc = await runCli(['import', 'calendar', cols, '--db', inst.db]);
  assert.equal(rc.code, 1);
  assert.match(rc.stderr, /cols\.csv:1: unknown column "holiday_name"/);
  const quote = path.join(inst.dir, 'quote.csv');
  writeFileSync(quote, 'date,kind,name\n2027-01-01,holiday,"元旦\n');
  const rq = await runCli(['import', 'calendar', quote, '--db', inst.db]);
  assert.equal(rq.code, 1);
  assert.match(rq.stderr, /quote\.csv:2: /);

  const h = path.join(inst.dir, 'hours.csv');
  writeFileSync(h, 'start,end\n08:30,12:00\n11:30,17:30\n25:00,26:00\n14:00,13:00\n');
  const rh = await runCli(['import', 'calendar', h, '--db', inst.db]);
  assert.equal(rh.code, 1, rh.stderr);
  assert.match(rh.stderr, /hours\.csv:3: the period 11:30–17:30 starts before the one above ends/);
  assert.match(rh.stderr, /hours\.csv:4: start "25:00" and end "26:00" must be times HH:MM/);
  assert.match(rh.stderr, /hours\.csv:5: the period 14:00–13:00 does not end after it starts/);

  // the dry run of a good file changes nothing either
  const good = path.join(inst.dir, 'good.csv');
  writeFileSync(good, 'date,kind,name\n2027-01-01,holiday,元旦\n');
  const dry = await ok(['import', 'calendar', good, '--dry-run', '--db', inst.db]);
  assert.match(dry.stderr, /is valid: 1 days; nothing changed/);

  assert.deepEqual({ days: await days(inst.db), hours: await hours(inst.db) }, before);
});

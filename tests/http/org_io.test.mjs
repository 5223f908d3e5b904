// wenming import units|areas and export units|areas, end to end through the CLI, on the
// store under test (PostgreSQL when WENMING_TEST_PG is set, else SQLite): help texts, exit
// codes, the export -> import round trip into a new database, errors printed as FILE:LINE on
// stderr, and nothing half-imported (the export is the same before and after a failed import).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInstance, PG, pgCreateDatabase, runCli, tempDir } from './lib/server.mjs';

const newDb = (dir, name) => (PG ? pgCreateDatabase() : path.join(dir, name));

async function ok(args, timeout = 60000) {
  const r = await runCli(args, { timeout });
  assert.equal(r.code, 0, `wenming ${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
  return r;
}

// Both exports of db as text.
async function exportAll(db) {
  const units = await ok(['export', 'units', '--db', db]);
  const areas = await ok(['export', 'areas', '--db', db]);
  return { units: units.stdout, areas: areas.stdout };
}

test('--help of the new forms names their flags; bad usage exits 2', async () => {
  const cases = [
    [['import', 'units', '--help'], ['--dry-run', '--db', '--no-area-codes', 'area_code', 'FILE:LINE']],
    [['import', 'areas', '--help'], ['--dry-run', '--db', 'FeatureCollection', 'FILE:LINE']],
    [['export', 'units', '--help'], ['--out', '--db', 'parent_code']],
    [['export', 'areas', '--help'], ['--out', '--db', 'FeatureCollection']],
    [['import', '--help'], ['import units|areas']],
    [['export', '--help'], ['export units|areas', '--format']],
  ];
  for (const [args, words] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 0, `wenming ${args.join(' ')}: ${r.stderr}`);
    for (const w of words) assert.ok(r.stdout.includes(w), `${args.join(' ')} --help mentions ${w}:\n${r.stdout}`);
  }
  const dir = tempDir();
  for (const args of [['import', 'units'], ['import', 'areas', 'a', 'b'], ['import', 'units', 'x.csv', '--bogus'],
    ['export', 'units', 'extra'], ['import', 'areas', 'x.geojson', '--no-area-codes']]) {
    const r = await runCli([...args, '--db', path.join(dir, 'x.db')]);
    assert.equal(r.code, 2, `wenming ${args.join(' ')}: exit ${r.code} ${r.stderr}`);
  }
  const missing = await runCli(['import', 'units', path.join(dir, 'nope.csv'), '--db', path.join(dir, 'x.db')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read/);
});

test('export units and areas, import them into a new database: the same exports', async () => {
  const src = await createInstance({ demo: true });
  const dir = src.dir;
  // one unit with an area, an address over two lines and a formula-looking name
  const extra = path.join(dir, 'extra.csv');
  writeFileSync(extra, 'code,name,kind,parent_code,area_code,address,contact,email,sort\n'
    + 'S-TEST,"=HYPERLINK(""x"")",school,D-JYJ,210202001,"一行\n二行",王老师,wang@example.cn,7\n');
  const add = await ok(['import', 'units', extra, '--db', src.db]);
  assert.match(add.stderr, /1 inserted, 0 updated/);

  const ufile = path.join(dir, 'units.csv');
  const afile = path.join(dir, 'areas.geojson');
  await ok(['export', 'units', '--db', src.db, '--out', ufile]);
  const exp = await ok(['export', 'areas', '--db', src.db, '--out', afile]);
  assert.match(exp.stderr, /20 areas written/);
  const units = readFileSync(ufile, 'utf8');
  assert.equal(units.split('\n')[0], 'code,name,kind,parent_code,phone,contact,email,address,area_code,sort');
  assert.match(units, /\nS-TEST,"'=HYPERLINK\(""x""\)",school,D-JYJ,,王老师,wang@example.cn,"一行\n二行",210202001,7\n/);
  assert.ok(units.indexOf('\nC-WMW,') < units.indexOf('\nD-JYJ,'), 'parents first');
  const fc = JSON.parse(readFileSync(afile, 'utf8'));
  assert.equal(fc.type, 'FeatureCollection');
  assert.equal(fc.features.length, 20);

  // a new database: units first without their areas, then areas, then units again
  const dst = newDb(dir, 'dst.db');
  const first = await ok(['import', 'units', ufile, '--no-area-codes', '--db', dst]);
  assert.match(first.stderr, /94 units imported .*: 94 inserted, 0 updated/);
  await ok(['import', 'areas', afile, '--db', dst]);
  const again = await ok(['import', 'units', ufile, '--db', dst]);
  assert.match(again.stderr, /0 inserted, 94 updated/);
  assert.deepEqual(await exportAll(dst), await exportAll(src.db));
});

test('a bad units file: every error as FILE:LINE on stderr, exit 1, nothing imported', async () => {
  const { dir, db } = await createInstance({ demo: true });
  const before = await exportAll(db);
  const bad = path.join(dir, 'bad.csv');
  writeFileSync(bad, 'code,name,kind,parent_code,phone\n'
    + 'C-WMW,改了名,committee,,\n'          // 2: fine on its own (an update)
    + 'N-1,新单位,nokind,C-WMW,\n'           // 3
    + 'N-2,新单位,office,C-NOPE,\n'          // 4 (reported once the rows are clean)
    + 'N-3,新单位,office,C-WMW,abc\n'        // 5
    + 'N-3,新单位,office,C-WMW,\n');         // 6
  const r = await runCli(['import', 'units', bad, '--db', db]);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.ok(lines.includes(`${bad}:3: kind "nokind" is not one of committee, office, department, utility, district, county_city, county, zone, street, town, community, village, school, enterprise`), r.stderr);
  assert.ok(lines.some((l) => l.startsWith(`${bad}:5: phone "abc"`)), r.stderr);
  assert.ok(lines.includes(`${bad}:6: unit code "N-3" appears twice (first on line 5)`), r.stderr);
  assert.match(lines.at(-1), /3 errors in .*bad\.csv; nothing was imported/);
  assert.deepEqual(await exportAll(db), before, 'nothing changed');

  // --dry-run of a good file changes nothing either; the real run then does
  const good = path.join(dir, 'good.csv');
  writeFileSync(good, 'code,name,kind,parent_code\nC-WMW,改了名,committee,\nN-1,新单位,office,C-WMW\n');
  const dry = await ok(['import', 'units', good, '--dry-run', '--db', db]);
  assert.match(dry.stderr, /is valid: 2 units \(1 new, 1 existing\); nothing changed/);
  assert.deepEqual(await exportAll(db), before);
  await ok(['import', 'units', good, '--db', db]);
  const after = await exportAll(db);
  assert.match(after.units, /\nC-WMW,改了名,committee,/);
  assert.match(after.units, /\nN-1,新单位,office,C-WMW,/);

  // an unknown parent and a cycle through the database
  const cyc = path.join(dir, 'cycle.csv');
  writeFileSync(cyc, 'code,name,kind,parent_code\nC-WMW,市文明委,committee,D-XCB\nN-2,新单位,office,C-NOPE\n');
  const c = await runCli(['import', 'units', cyc, '--db', db]);
  assert.equal(c.code, 1);
  assert.match(c.stderr, new RegExp(`${cyc.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: unit "C-WMW" is its own ancestor`));
  assert.match(c.stderr, /cycle\.csv:3: parent_code "C-NOPE" is not a known unit/);
  assert.deepEqual(await exportAll(db), after);
});

test('a bad areas file: errors name the line and the feature, nothing imported', async () => {
  const { dir, db } = await createInstance({ demo: true });
  const before = await exportAll(db);
  const lines = before.areas.trimEnd().split('\n');
  // line 1 is the collection's head, features start on line 2
  const f = (i) => JSON.parse(lines[i].replace(/,$/, ''));
  const district = f(1);
  district.properties.name = '改名';
  const unclosed = f(2);
  unclosed.geometry.coordinates[0].at(-1)[0] += 0.001;
  const swapped = f(3);
  swapped.geometry.coordinates[0][0] = [38.9, 121.6];
  const grid = f(4);
  grid.properties.unit_code = 'NO-UNIT';
  const text = '{"type":"FeatureCollection","features":[\n'
    + [district, unclosed, swapped, grid].map((x) => JSON.stringify(x)).join(',\n') + '\n]}\n';
  const bad = path.join(dir, 'bad.geojson');
  writeFileSync(bad, text);
  const r = await runCli(['import', 'areas', bad, '--db', db]);
  assert.equal(r.code, 1, r.stderr);
  const err = r.stderr.split('\n');
  assert.ok(err.includes(`${bad}:3: feature 2 (${unclosed.properties.code}): a linear ring must end where it starts`), r.stderr);
  assert.ok(err.some((l) => l.startsWith(`${bad}:4: feature 3 (${swapped.properties.code}): position [38.9, 121.6] is out of range`)), r.stderr);
  assert.ok(err.includes(`${bad}:5: feature 4 (${grid.properties.code}): unit_code "NO-UNIT" is not a known unit`), r.stderr);
  assert.match(r.stderr, /3 errors in .*bad\.geojson; nothing was imported/);
  assert.deepEqual(await exportAll(db), before, 'the district rename was not kept');

  const syntax = path.join(dir, 'syntax.geojson');
  writeFileSync(syntax, '{"type":"FeatureCollection",\n"features":[\n{]}\n');
  const s = await runCli(['import', 'areas', syntax, '--db', db]);
  assert.equal(s.code, 1);
  assert.match(s.stderr, /syntax\.geojson:3:\d+: /);
});

test('the whole-database export and import keep working beside the new forms', async () => {
  const { dir, db } = await createInstance({ demo: true });
  const file = path.join(dir, 'all.jsonl');
  await ok(['export', '--db', db, '--out', file]);
  const dst = newDb(dir, 'copy.db');
  const r = await ok(['import', '--db', dst, file]);
  assert.match(r.stderr, /counts and checksums match/);
  assert.deepEqual(await exportAll(dst), await exportAll(db));
});

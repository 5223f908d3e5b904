// wenming export / import: a city moved from its SQLite file to a new database (PostgreSQL
// when WENMING_TEST_PG is set, else another SQLite file) with one pair of commands; the
// served copy has the same cases under the same ids, and the old api key still works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PG, pgCreateDatabase, runCli, startServer, tempDir } from './lib/server.mjs';
import { countRequests, fetchRequest, fileRequest } from './lib/open311.mjs';

test('export and import --help name their flags and say photos are not included', async () => {
  for (const [cmd, words] of [['export', ['--format', '--out', '--db', 'media']], ['import', ['--db', 'media', 'new database']]]) {
    const r = await runCli([cmd, '--help']);
    assert.equal(r.code, 0, r.stderr);
    for (const w of words) assert.ok(r.stdout.includes(w), `${cmd} --help mentions ${w}:\n${r.stdout}`);
  }
  const bad = await runCli(['export', '--format', 'csv', '--db', path.join(tempDir(), 'x.db')]);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /jsonl/);
});

test('init --demo, POST a case, export, import into a new database, serve it: the case is there by id', async () => {
  const dir = tempDir();
  const src = path.join(dir, 'src.db');
  const init = await runCli(['init', '--demo', '--db', src], { timeout: 60000 });
  assert.equal(init.code, 0, init.stderr);
  const key = await runCli(['apikey', 'create', 'mover', '--db', src]);
  assert.equal(key.code, 0, key.stderr);
  const apiKey = key.stdout.trim();

  const srv = await startServer({ instance: { dir, db: src, apiKey } });
  let posted, before;
  try {
    posted = await fileRequest(srv, { description: '搬家测试 export/import' });
    before = await countRequests(srv);
  } finally {
    await srv.stop();
  }

  const file = path.join(dir, 'city.jsonl');
  const exp = await runCli(['export', '--format', 'jsonl', '--db', src, '--out', file], { timeout: 60000 });
  assert.equal(exp.code, 0, exp.stderr);
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  const header = JSON.parse(lines[0]);
  assert.equal(header.wenming_export, 1);
  assert.ok(header.tables.includes('cases'));
  const trailer = lines.map((l) => JSON.parse(l)).find((o) => o.t === 'cases' && 'count' in o);
  assert.equal(trailer.count, before, 'the cases trailer counts every case');
  assert.match(trailer.sha256, /^[0-9a-f]{64}$/);

  const dst = PG ? pgCreateDatabase() : path.join(dir, 'dst.db');
  const imp = await runCli(['import', '--db', dst, file], { timeout: 60000 });
  assert.equal(imp.code, 0, imp.stderr);
  assert.match(imp.stderr, /counts and checksums match/);
  const again = await runCli(['import', '--db', dst, file], { timeout: 60000 });
  assert.equal(again.code, 1, 'a second import into the filled database is refused');
  assert.match(again.stderr, /not empty/);

  const srv2 = await startServer({ instance: { dir, db: dst, apiKey } });
  try {
    const got = await fetchRequest(srv2, posted.id);
    assert.equal(got.service_request_id, posted.id);
    assert.equal(got.description, '搬家测试 export/import');
    assert.equal(await countRequests(srv2), before, 'every case moved');
    const next = await fileRequest(srv2, { description: 'after the move' });
    assert.notEqual(next.id, posted.id, 'a new case gets a new tracking code');
    assert.equal(await countRequests(srv2), before + 1, 'and a new row (no id collision)');
  } finally {
    await srv2.stop();
  }
});

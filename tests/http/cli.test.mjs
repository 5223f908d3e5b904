// The command line: version, --help of every command, bad flags, init with and without demo
// data, apikey create, configuration by flags and environment, the listening line, request
// logging, and graceful shutdown on SIGTERM/SIGINT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInstance, PG, pgCreateDatabase, runCli, startServer, tempDir } from './lib/server.mjs';
import { get, postForm, rawRequest, rawHttp, sleep } from './lib/http.mjs';
import { V2, DALIAN, catalogue, countRequests, fileRequest, filesUnder, isOk, TRACKING_RE } from './lib/open311.mjs';
import { jpeg } from './lib/images.mjs';

test('wenming version prints a version and exits 0', async () => {
  const r = await runCli(['version']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\d+\.\d+|[0-9a-f]{7}/, `version output: ${r.stdout}`);
});

test('--help of the program and of every command exits 0 and names its flags', async () => {
  const cases = [
    [['--help'], ['init', 'serve', 'apikey', 'version']],
    [['init', '--help'], ['--demo', '--db']],
    [['serve', '--help'], ['--port', '--bind', '--db', '--threads', '--media', '--quiet']],
    [['apikey', '--help'], ['create']],
    [['apikey', 'create', '--help'], ['--db']],
    [['version', '--help'], []],
  ];
  for (const [args, words] of cases) {
    const r = await runCli(args, { timeout: 10000 });
    assert.equal(r.code, 0, `wenming ${args.join(' ')}: exit ${r.code} ${r.stderr}`);
    const out = r.stdout + r.stderr;
    assert.ok(out.trim().length > 0, `wenming ${args.join(' ')} prints help`);
    for (const w of words) assert.ok(out.includes(w), `wenming ${args.join(' ')} mentions ${w}:\n${out}`);
  }
  // The environment variables are documented in serve's help.
  const r = await runCli(['serve', '--help']);
  for (const v of ['WENMING_DB', 'WENMING_PORT']) assert.ok((r.stdout + r.stderr).includes(v), `serve --help documents ${v}`);
});

test('a bad flag, a bad value or an unknown command prints a message and exits non-zero', async () => {
  const dir = tempDir();
  const db = path.join(dir, 'x.db');
  const cases = [
    ['serve', '--bogus', '--db', db],
    ['serve', '--port', 'eighty', '--db', db],
    ['serve', '--port', '70000', '--db', db],
    ['serve', '--port', '-1', '--db', db],
    ['serve', '--threads', 'many', '--db', db],
    ['serve', '--port'],
    ['init', '--nope', '--db', db],
    ['apikey', 'create'],
    ['apikey', 'frobnicate', 'x', '--db', db],
    ['frobnicate'],
  ];
  for (const args of cases) {
    const r = await runCli(args, { timeout: 10000, cwd: dir, env: { WENMING_DB: db } });
    assert.ok(!r.timedOut, `wenming ${args.join(' ')} must not start anything (it ran until killed)`);
    assert.notEqual(r.code, 0, `wenming ${args.join(' ')} must exit non-zero`);
    assert.ok(r.code < 128 && r.signal === null, `wenming ${args.join(' ')} exits cleanly, not by a signal/crash: code ${r.code} ${r.signal}\n${r.stderr}`);
    assert.ok(r.stderr.trim().length > 0, `wenming ${args.join(' ')} says why on stderr`);
  }
  assert.ok(!existsSync(db), 'a rejected command created no database');
});

test('init without --demo loads the categories and no cases; apikey create prints a fresh key', async () => {
  const inst = await createInstance({ demo: false });
  if (!PG) assert.ok(statSync(inst.db).size > 0, 'the database file exists');
  assert.match(inst.apiKey, /^\S{16,}$/, 'an api key of at least 16 characters, nothing else');
  const again = await runCli(['apikey', 'create', 'second', '--db', inst.db]);
  assert.equal(again.code, 0, again.stderr);
  const key2 = again.stdout.trim();
  assert.equal(again.stdout.trim().split('\n').length, 1, 'the key alone on stdout');
  assert.notEqual(key2, inst.apiKey, 'each key is new');

  const srv = await startServer({ instance: inst });
  try {
    const cat = await catalogue(srv);
    assert.ok(cat.services.length >= 60, `at least 60 categories without --demo, got ${cat.services.length}`);
    assert.equal(await countRequests(srv), 0, 'no cases without --demo');
    // both keys work
    for (const k of [inst.apiKey, key2]) {
      const r = await fileRequest(srv, { api_key: k });
      assert.ok(r.id);
    }
    assert.equal(await countRequests(srv), 2);
  } finally {
    await srv.stop();
  }
});

test('init --demo adds demo cases', async () => {
  const srv = await startServer({ demo: true });
  try {
    assert.ok(await countRequests(srv) > 0, 'the demo has some cases');
  } finally {
    await srv.stop();
  }
});

test('WENMING_DB, WENMING_PORT, WENMING_BIND, WENMING_MEDIA, WENMING_JURISDICTION, WENMING_THREADS configure without flags', async () => {
  const dir = tempDir();
  const db = path.join(dir, 'env.db');
  const init = await runCli(['init'], { env: { WENMING_DB: db } });
  assert.equal(init.code, 0, init.stderr);
  assert.ok(existsSync(db), 'init honours WENMING_DB');
  const key = await runCli(['apikey', 'create', 'env'], { env: { WENMING_DB: db } });
  assert.equal(key.code, 0, key.stderr);
  const media = path.join(dir, 'photos-here');
  const srv = await startServer({
    instance: { dir, db, apiKey: key.stdout.trim() },
    dbFlag: false,
    portFlag: false,
    mediaDir: media,
    env: { WENMING_DB: db, WENMING_PORT: '0', WENMING_BIND: '127.0.0.3', WENMING_MEDIA: media, WENMING_JURISDICTION: 'test.example', WENMING_THREADS: '2' },
  });
  try {
    assert.match(srv.base, /^http:\/\/127\.0\.0\.3:\d+$/, 'WENMING_BIND and WENMING_PORT=0 are honoured');
    assert.notEqual(srv.port, 8080, 'WENMING_PORT=0 picked a free port, not the default');
    await assert.rejects(fetch(`http://127.0.0.1:${srv.port}/healthz`), 'not listening on 127.0.0.1');
    const base = { api_key: srv.apiKey, lat: DALIAN.lat, long: DALIAN.long };
    const cat = await catalogue(srv);
    let r = await postForm(srv.base, `${V2}/requests.json`, { ...base, service_code: cat.plain, jurisdiction_id: 'test.example' });
    assert.ok(isOk(r.status), `the configured jurisdiction is accepted: ${r.status} ${r.text}`);
    r = await postForm(srv.base, `${V2}/requests.json`, { ...base, service_code: cat.plain, jurisdiction_id: 'dalian' });
    assert.equal(r.status, 404, 'another jurisdiction is refused');
    const photo = jpeg(101);
    await fileRequest(srv, {}, { files: [{ name: 'media', filename: 'p.jpg', type: 'image/jpeg', data: photo }] });
    assert.ok(filesUnder(media).length >= 1, `the photo is stored under WENMING_MEDIA (${media})`);
    assert.equal(filesUnder(path.join(dir, 'media')).length, 0, 'and not in the default media dir');
  } finally {
    await srv.stop();
  }
});

test('--media DIR and --bind ADDR are honoured; media defaults to <dir of db>/media', async () => {
  const inst = await createInstance({ demo: false });
  const media = path.join(inst.dir, 'flagmedia');
  const srv = await startServer({ instance: inst, mediaDir: media, args: ['--media', media, '--bind', '127.0.0.2', '--threads', '3'] });
  try {
    assert.match(srv.base, /^http:\/\/127\.0\.0\.2:\d+$/, '--bind 127.0.0.2');
    await assert.rejects(fetch(`http://127.0.0.1:${srv.port}/healthz`), 'not listening on 127.0.0.1');
    await fileRequest(srv, {}, { files: [{ name: 'media', filename: 'p.jpg', type: 'image/jpeg', data: jpeg(102) }] });
    assert.ok(filesUnder(media).length >= 1, 'photo under --media');
  } finally {
    await srv.stop();
  }
  const srv2 = await startServer({ instance: inst });
  try {
    assert.match(srv2.base, /^http:\/\/127\.0\.0\.1:\d+$/, 'binds 127.0.0.1 by default');
    await fileRequest(srv2, {}, { files: [{ name: 'media', filename: 'p.jpg', type: 'image/jpeg', data: jpeg(103) }] });
    assert.ok(filesUnder(path.join(inst.dir, 'media')).length >= 1, 'photo under <dir of db>/media by default');
  } finally {
    await srv2.stop();
  }
});

test('serve prints the listening line; without --quiet it logs each request', async () => {
  const srv = await startServer({ demo: false, quiet: false });
  try {
    assert.match(srv.stderr(), /wenming: listening on http:\/\/127\.0\.0\.1:\d+/);
    const r = await get(srv.base, '/healthz?probe=loglinecheck');
    assert.equal(r.status, 200);
    // the line is written once the response has gone out: wait for it (a loaded CI machine)
    let log = '';
    let line;
    for (let t = Date.now(); !line && Date.now() - t < 5000; await sleep(50)) {
      log = srv.stderr() + srv.stdout();
      line = log.split('\n').find((l) => l.includes('/healthz'));
    }
    assert.ok(line, `a request log line for /healthz:\n${log.slice(-2000)}`);
    assert.match(line, /GET/);
    assert.match(line, /\b200\b/);
  } finally {
    await srv.stop();
  }
  const quiet = await startServer({ demo: false });
  try {
    await get(quiet.base, '/healthz');
    await sleep(200);
    assert.ok(!(quiet.stderr() + quiet.stdout()).includes('/healthz'), '--quiet logs no requests');
  } finally {
    await quiet.stop();
  }
});

test('SIGINT also stops the server with exit 0', async () => {
  const srv = await startServer({ demo: false });
  assert.equal((await get(srv.base, '/healthz')).status, 200);
  await srv.stop({ signal: 'SIGINT' });
});

test('SIGTERM lets an in-flight request finish before exiting 0', async () => {
  const srv = await startServer({ demo: false });
  const cat = await catalogue(srv);
  const body = `api_key=${encodeURIComponent(srv.apiKey)}&service_code=${cat.plain}&lat=${DALIAN.lat}&long=${DALIAN.long}&description=in-flight`;
  const head = rawRequest('POST', `${V2}/requests.json`, {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(body.length) },
  });
  let stopped;
  const res = await rawHttp(srv.port, null, {
    write: async (sock) => {
      sock.write(head);
      sock.write(body.slice(0, 20));
      await sleep(300);
      stopped = srv.stop(); // SIGTERM while the body is half sent
      await sleep(300);
      sock.write(body.slice(20));
    },
  });
  assert.ok(isOk(res.status), `the in-flight POST completes: got ${res.status} ${res.body}`);
  await stopped;
});

test('migrate --check reports pending migrations without applying them; migrate applies them', async () => {
  const db = PG ? pgCreateDatabase() : path.join(tempDir(), 'fresh.db');
  let r = await runCli(['migrate', '--check', '--db', db]);
  assert.equal(r.code, 1, `pending on a fresh database: ${r.stdout} ${r.stderr}`);
  assert.match(r.stdout, /^[1-9]\d* pending$/m);
  r = await runCli(['migrate', '--check', '--db', db]);
  assert.equal(r.code, 1, '--check changed nothing');
  r = await runCli(['migrate', '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  r = await runCli(['migrate', '--check', '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), '0 pending');
  const inst = await createInstance({ demo: false });
  r = await runCli(['migrate', '--check', '--db', inst.db]);
  assert.equal(r.code, 0, `init leaves nothing pending: ${r.stdout} ${r.stderr}`);
  r = await runCli(['migrate', '--bogus']);
  assert.equal(r.code, 2);
});

test('backup while serving, more writes, restore: the database is back as it was at the backup', { timeout: 60000 }, async () => {
  const inst = await createInstance({ demo: false });
  const file = path.join(tempDir(), PG ? 'wenming.dump' : 'backup.db');
  let srv = await startServer({ instance: inst });
  const before = [];
  try {
    for (let i = 0; i < 3; i++) before.push((await fileRequest(srv, { description: `before ${i}` })).id);
    const b = await runCli(['backup', file, '--db', inst.db]); // online: the server keeps running
    assert.equal(b.code, 0, b.stderr);
    assert.ok(statSync(file).size > 0, 'the backup file exists');
    for (let i = 0; i < 2; i++) await fileRequest(srv, { description: `after ${i}` });
    assert.equal(await countRequests(srv), 5);
  } finally {
    await srv.stop();
  }
  const r = await runCli(['restore', file, '--db', inst.db]);
  assert.equal(r.code, 0, r.stderr);
  srv = await startServer({ instance: inst });
  try {
    assert.equal(await countRequests(srv), 3, 'the two requests after the backup are gone');
    for (const id of before) assert.equal((await get(srv.base, `${V2}/requests/${id}.json`)).status, 200);
    assert.match((await fileRequest(srv, { description: 'after restore' })).id, TRACKING_RE);
  } finally {
    await srv.stop();
  }
  const bad = await runCli(['restore', path.join(tempDir(), 'missing'), '--db', inst.db]);
  assert.equal(bad.code, 1, 'a missing backup file fails');
  assert.equal((await runCli(['backup', '--db', inst.db])).code, 2, 'backup without FILE');
});

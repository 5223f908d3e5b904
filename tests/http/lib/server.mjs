// Starts the real wenming binary on a free port with a database in a fresh temp dir.
//   const srv = await startServer();          // init --demo, apikey create test, serve --port 0
//   ... fetch(srv.base + '/healthz') ...
//   await srv.stop();                          // SIGTERM; throws unless the exit code is 0
// The binary is $WENMING_BIN (relative paths are taken from the repo root), else
// build/asan/wenming, else build/wenming. Every started process is SIGKILLed when the test
// process exits, and every temp dir is removed then (unless WENMING_TEST_KEEP=1).
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export function binPath() {
  if (process.env.WENMING_BIN) return path.resolve(ROOT, process.env.WENMING_BIN);
  for (const p of ['build/asan/wenming', 'build/wenming']) {
    const abs = path.join(ROOT, p);
    if (existsSync(abs)) return abs;
  }
  return path.join(ROOT, 'build/asan/wenming');
}

const live = new Set();
const dirs = new Set();
process.on('exit', () => {
  for (const p of live) {
    try { p.kill('SIGKILL'); } catch { /* gone */ }
  }
  if (process.env.WENMING_TEST_KEEP !== '1') {
    for (const d of dirs) {
      try { rmSync(d, { recursive: true, force: true }); } catch { /* ignore */ }
    }
  }
});

// The environment for a child: ours without any WENMING_* (so a developer's settings do not
// leak in), plus `extra`.
export function childEnv(extra = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('WENMING_')) delete env[k];
  // Leak reports would make every SIGTERM exit non-zero: they are wanted (make asan), so keep
  // whatever ASAN_OPTIONS the caller set; only make UBSan reports carry a stack.
  env.UBSAN_OPTIONS ??= 'print_stacktrace=1';
  return { ...env, ...extra };
}

export function tempDir(prefix = 'wenming-test-') {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.add(d);
  return d;
}

// Runs `wenming ARGS...` to completion. Resolves {code, signal, stdout, stderr}; kills it after
// `timeout` ms (then `timedOut` is true).
export function runCli(args, { env = {}, timeout = 20000, input = null, cwd = undefined } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(binPath(), args, { env: childEnv(env), cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    live.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeout);
    child.on('error', (err) => { clearTimeout(timer); live.delete(child); reject(err); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
    if (input != null) child.stdin.end(input); else child.stdin.end();
  });
}

function describe(r) {
  return `exit ${r.code}${r.signal ? ' signal ' + r.signal : ''}${r.timedOut ? ' (timed out)' : ''}\n` +
    `stdout: ${r.stdout.slice(-2000)}\nstderr: ${r.stderr.slice(-4000)}`;
}

// WENMING_TEST_PG (a postgresql:// URL of a test cluster, see scripts/pg-test-server.sh):
// every instance gets a fresh database on that cluster instead of a SQLite file.
export const PG = process.env.WENMING_TEST_PG || '';

// Debian's `psql` is a Perl wrapper that picks a version: the binary itself starts several
// times faster, and the tests run it a few hundred times.
const PG_BIN = process.env.PG_BIN || '/usr/lib/postgresql/15/bin';
export const PSQL = existsSync(path.join(PG_BIN, 'psql')) ? path.join(PG_BIN, 'psql') : 'psql';
let pgSeq = 0;

// The URL with its database name replaced (postgresql://user@host/NAME?params).
export function pgUrlFor(url, name) {
  const m = /^(postgres(?:ql)?:\/\/[^/?]*)(\/[^?]*)?(\?.*)?$/.exec(url);
  if (!m) throw new Error(`WENMING_TEST_PG is not a postgresql:// URL: ${url}`);
  return `${m[1]}/${name}${m[3] ?? ''}`;
}

// Creates a database on the test cluster (empty, or a copy of `template`); returns its URL.
export function pgCreateDatabase(name = `wm_${process.pid}_${++pgSeq}_${Math.random().toString(36).slice(2, 8)}`, template = null) {
  const sql = `CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`;
  execFileSync(PSQL, [PG, '-qAtX', '-v', 'ON_ERROR_STOP=1', '-c', sql],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30000 });
  return pgUrlFor(PG, name);
}

// The database name of a postgresql:// URL (new URL() refuses the empty host of a socket URL).
const pgDbName = (url) => /^postgres(?:ql)?:\/\/[^/?]*\/([^?]*)/.exec(url)[1];

function pgDropDatabase(url) {
  const name = pgDbName(url);
  execFileSync(PSQL, [PG, '-qAtX', '-c', `DROP DATABASE IF EXISTS ${name}`],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30000 });
}

// Makes a database with `init [--demo]` and an api key at `db`; resolves the key.
async function initDatabase(db, demo, env) {
  const init = await runCli(['init', ...(demo ? ['--demo'] : []), '--db', db], { env, timeout: 60000 });
  if (init.code !== 0) throw new Error(`wenming init failed: ${describe(init)}`);
  const key = await runCli(['apikey', 'create', 'test', '--db', db], { env });
  if (key.code !== 0) throw new Error(`wenming apikey create failed: ${describe(key)}`);
  const apiKey = key.stdout.trim();
  if (!apiKey || /\s/.test(apiKey)) throw new Error(`apikey create printed more than a key: ${JSON.stringify(key.stdout)}`);
  return apiKey;
}

// Most tests want the same fresh database: it is made once per binary, store and day (the demo
// data is dated the day it is made) and copied — a SQLite file, or a PostgreSQL database
// created from a template database. Every test process shares the copy in a cache directory
// ($WENMING_TEST_CACHE, else one in the temp dir); the first to finish publishing wins (link
// fails when the name exists), so concurrent files never see a half-made template.
function cacheDir() {
  const st = statSync(binPath());
  const day = new Date().toISOString().slice(0, 10);
  const key = createHash('sha256').update(`${binPath()}|${st.size}|${st.mtimeMs}|${PG}|${day}`).digest('hex').slice(0, 16);
  const d = path.join(process.env.WENMING_TEST_CACHE || tmpdir(), `wenming-template-${key}`);
  mkdirSync(d, { recursive: true });
  return d;
}

const templates = new Map();

async function makeTemplate(demo) {
  const dir = cacheDir();
  const kind = demo ? 'demo' : 'empty';
  const meta = path.join(dir, `${kind}.json`);
  if (existsSync(meta)) return JSON.parse(readFileSync(meta, 'utf8'));
  const tag = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  let db;
  if (PG) {
    db = pgCreateDatabase(`wmt_${kind}_${tag}`);
  } else {
    db = path.join(dir, `${kind}-${tag}.db`);
  }
  const apiKey = await initDatabase(db, demo, {});
  const tmp = `${meta}.${tag}`;
  writeFileSync(tmp, JSON.stringify({ db, apiKey }));
  try {
    linkSync(tmp, meta);
  } catch (err) {
    if (err.code !== 'EEXIST') throw err;
    if (PG) pgDropDatabase(db); else rmSync(db, { force: true });
  }
  rmSync(tmp, { force: true });
  return JSON.parse(readFileSync(meta, 'utf8'));
}

function template(demo) {
  if (!templates.has(demo)) templates.set(demo, makeTemplate(demo));
  return templates.get(demo);
}

// A fresh database with `init [--demo]` and an api key; resolves {dir, db, apiKey}.
// On PostgreSQL `db` is a URL, and photos go to <dir>/media as they would beside a file.
// With `env` the database is made by init itself (the environment may change what it makes).
export async function createInstance({ demo = true, dir = tempDir(), env = {} } = {}) {
  if (Object.keys(env).length > 0) {
    const db = PG ? pgCreateDatabase() : path.join(dir, 'wenming.db');
    return { dir, db, apiKey: await initDatabase(db, demo, env) };
  }
  const t = await template(demo);
  let db;
  if (PG) {
    db = pgCreateDatabase(undefined, pgDbName(t.db));
  } else {
    db = path.join(dir, 'wenming.db');
    copyFileSync(t.db, db);
  }
  return { dir, db, apiKey: t.apiKey };
}

const LISTEN_RE = /wenming: listening on (http:\/\/(?:[0-9.]+|\[[0-9a-f:]+\]|localhost):(\d+))/;

// Starts `wenming serve` and waits for its listening line.
//   opts.instance: {dir, db, apiKey} from createInstance (made fresh when absent)
//   opts.demo: for the fresh instance (default true); opts.args: extra serve flags;
//   opts.env: extra environment; opts.quiet (default true); opts.dbFlag (default true: --db);
//   opts.portFlag (default true: --port 0); opts.mediaDir: where photos are expected
export async function startServer(opts = {}) {
  const inst = opts.instance ?? (await createInstance({ demo: opts.demo ?? true, env: opts.env ?? {} }));
  const args = ['serve'];
  if (opts.portFlag !== false) args.push('--port', '0');
  if (opts.dbFlag !== false) args.push('--db', inst.db);
  if (opts.quiet !== false) args.push('--quiet');
  args.push(...(opts.args ?? []));
  // Tests post and log in from one address far faster than any citizen or clerk: the limits
  // are off unless a test sets them (the rate-limit tests do).
  const env = { WENMING_POST_RATE_IP: '0', WENMING_POST_RATE_KEY: '0', WENMING_LOGIN_RATE: '0', ...(opts.env ?? {}) };
  // A URL has no directory to put media/ beside: keep photos where the tests look for them.
  if (PG && /^postgres/.test(inst.db) && !env.WENMING_MEDIA && !args.includes('--media')) {
    env.WENMING_MEDIA = opts.mediaDir ?? path.join(inst.dir, 'media');
  }
  const child = spawn(binPath(), args, { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let stderr = '';
  let stdout = '';
  let exit = null;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      exit = { code, signal };
      resolve(exit);
    });
  });
  child.stdout.on('data', (d) => { stdout += d; });
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not print its listening line in 30 s\nstderr: ${stderr.slice(-4000)}`)), 30000);
    child.stderr.on('data', (d) => {
      stderr += d;
      const m = LISTEN_RE.exec(stderr);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`server exited (code ${e.code}, signal ${e.signal}) before listening\nstderr: ${stderr.slice(-4000)}`));
    });
  });
  const port = Number(new URL(base).port);
  let stopping = false;

  const srv = {
    ...inst,
    base,
    port,
    proc: child,
    mediaDir: opts.mediaDir ?? path.join(inst.dir, 'media'),
    stderr: () => stderr,
    stdout: () => stdout,
    exited,
    get alive() { return exit === null; },
    // SIGTERM, wait, and require exit code 0. Safe to call twice.
    async stop({ signal = 'SIGTERM', timeout = 15000 } = {}) {
      if (stopping) return exited;
      stopping = true;
      if (exit) {
        throw new Error(`server had already exited (code ${exit.code}, signal ${exit.signal})\nstderr: ${stderr.slice(-4000)}`);
      }
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
      const e = await exited;
      clearTimeout(timer);
      if (e.code !== 0) {
        throw new Error(`server did not exit 0 on ${signal}: code ${e.code}, signal ${e.signal}\nstderr: ${stderr.slice(-6000)}`);
      }
      return e;
    },
    // kill -9: no clean shutdown.
    async kill9() {
      stopping = true;
      if (!exit) child.kill('SIGKILL');
      return exited;
    },
  };
  return srv;
}

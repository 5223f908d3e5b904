// Starts the real wenming binary on a free port with a database in a fresh temp dir.
//   const srv = await startServer();          // init --demo, apikey create test, serve --port 0
//   ... fetch(srv.base + '/healthz') ...
//   await srv.stop();                          // SIGTERM; throws unless the exit code is 0
// The binary is $WENMING_BIN (relative paths are taken from the repo root), else
// build/asan/wenming, else build/wenming. Every started process is SIGKILLed when the test
// process exits, and every temp dir is removed then (unless WENMING_TEST_KEEP=1).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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
let pgSeq = 0;

// The URL with its database name replaced (postgresql://user@host/NAME?params).
export function pgUrlFor(url, name) {
  const m = /^(postgres(?:ql)?:\/\/[^/?]*)(\/[^?]*)?(\?.*)?$/.exec(url);
  if (!m) throw new Error(`WENMING_TEST_PG is not a postgresql:// URL: ${url}`);
  return `${m[1]}/${name}${m[3] ?? ''}`;
}

// Creates an empty database on the test cluster; returns its URL.
export function pgCreateDatabase() {
  const name = `wm_${process.pid}_${++pgSeq}_${Math.random().toString(36).slice(2, 8)}`;
  execFileSync('psql', [PG, '-qAtX', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${name}`],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30000 });
  return pgUrlFor(PG, name);
}

// Creates a database with `init [--demo]` and an api key; resolves {dir, db, apiKey}.
// On PostgreSQL `db` is a URL, and photos go to <dir>/media as they would beside a file.
export async function createInstance({ demo = true, dir = tempDir(), env = {} } = {}) {
  const db = PG ? pgCreateDatabase() : path.join(dir, 'wenming.db');
  const init = await runCli(['init', ...(demo ? ['--demo'] : []), '--db', db], { env, timeout: 60000 });
  if (init.code !== 0) throw new Error(`wenming init failed: ${describe(init)}`);
  const key = await runCli(['apikey', 'create', 'test', '--db', db], { env });
  if (key.code !== 0) throw new Error(`wenming apikey create failed: ${describe(key)}`);
  const apiKey = key.stdout.trim();
  if (!apiKey || /\s/.test(apiKey)) throw new Error(`apikey create printed more than a key: ${JSON.stringify(key.stdout)}`);
  return { dir, db, apiKey };
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

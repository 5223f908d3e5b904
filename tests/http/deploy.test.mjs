// The deployment artefacts of deploy/ (issue 3, operations), exercised for real:
//   deploy/wenming@.service  systemd-analyze verify (when the machine has it), else the keys
//   deploy/nginx-wenming.conf rendered with free ports, a self-signed certificate and temp
//                            paths, inside a small nginx.conf (as Debian's sites-enabled files
//                            are), in front of two wenming instances on one database; nginx
//                            in the foreground (`nginx -p DIR -c CONF -e DIR/error.log`).
// Checks over HTTPS: TLS 1.2+ with h2 offered, HSTS, reads and a POST through the proxy (the
// POST visible on both instances directly), the plain-HTTP redirect, the body limit equal to
// the server's, requests spread over both instances, a POST not passed on to the other instance
// when the first dropped it, and reads and writes still answered with one instance stopped.
// Runs on both stores (WENMING_TEST_PG: PostgreSQL; else one SQLite file).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { ROOT, binPath, createInstance, runCli, startServer, tempDir } from './lib/server.mjs';
import { formEncode, get, sleep } from './lib/http.mjs';
import { V2, DALIAN, catalogue } from './lib/open311.mjs';

const SITE = path.join(ROOT, 'deploy/nginx-wenming.conf');
const UNIT = path.join(ROOT, 'deploy/wenming@.service');

// ---------------------------------------------------------------- helpers

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

let ipv6 = null;
function hasIpv6() {
  if (ipv6 !== null) return Promise.resolve(ipv6);
  return new Promise((resolve) => {
    const s = net.createServer();
    s.on('error', () => resolve((ipv6 = false)));
    s.listen(0, '::', () => s.close(() => resolve((ipv6 = true))));
  });
}

// One HTTPS (or HTTP) request, new connection each time, certificate not checked.
// Resolves {status, headers, text, json()}.
function request(port, method, p, { body = null, headers = {}, plain = false, timeout = 15000 } = {}) {
  const mod = plain ? http : https;
  return new Promise((resolve, reject) => {
    const r = mod.request({
      host: '127.0.0.1', port, method, path: p, agent: false, rejectUnauthorized: false,
      servername: 'localhost', headers: { Host: 'localhost', ...headers }, timeout,
    }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode, headers: res.headers, text,
          json() { return JSON.parse(text); },
        });
      });
      res.on('error', reject);
    });
    r.on('timeout', () => r.destroy(new Error(`${method} ${p}: timed out`)));
    r.on('error', reject);
    r.end(body ?? undefined);
  });
}

function postRequest(port, fields) {
  const body = formEncode(fields);
  return request(port, 'POST', `${V2}/requests.json`, {
    body, headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) },
  });
}

// The site file with its placeholders filled in; lines listening on [::] dropped on a machine
// without IPv6.
function renderSite(vars, { v6 = true } = {}) {
  let text = readFileSync(SITE, 'utf8');
  for (const [k, v] of Object.entries(vars)) text = text.split(`@${k}@`).join(String(v));
  const left = text.split('\n').filter((l) => !l.trimStart().startsWith('#')).join('\n').match(/@[A-Z0-9_]+@/g);
  assert.equal(left, null, `placeholders the test does not know: ${left}`);
  if (!v6) text = text.split('\n').filter((l) => !/^\s*listen\s+\[::\]/.test(l)).join('\n');
  return text;
}

const nginxes = new Set();
process.on('exit', () => {
  // SIGTERM, not SIGKILL: the master then stops its workers.
  for (const n of nginxes) { try { n.proc.kill('SIGTERM'); } catch { /* gone */ } }
});

// Starts nginx with the site in front of PORT1/PORT2; retries with other ports if one was
// taken in between. Resolves {dir, httpsPort, httpPort, logDir, errorLog(), stop()}.
async function startNginx(dir, cert, key, port1, port2) {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755); // as root the workers run as nobody: temp dirs below must be reachable
  const logDir = path.join(dir, 'log');
  mkdirSync(logDir, { recursive: true });
  const v6 = await hasIpv6();
  let lastErr = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const httpsPort = await freePort();
    let httpPort = await freePort();
    while (httpPort === httpsPort) httpPort = await freePort();
    writeFileSync(path.join(dir, 'site.conf'), renderSite({
      SERVER_NAME: 'localhost', HTTP_PORT: httpPort, HTTPS_PORT: httpsPort,
      PORT1: port1, PORT2: port2, CERT: cert, KEY: key, LOGDIR: logDir,
    }, { v6 }));
    const conf = path.join(dir, 'nginx.conf');
    writeFileSync(conf, [
      '# the part of /etc/nginx/nginx.conf around sites-enabled/, with paths in the temp dir',
      'daemon off;',
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events { worker_connections 256; }',
      'http {',
      `  client_body_temp_path ${dir}/body;`,
      `  proxy_temp_path ${dir}/proxy;`,
      `  fastcgi_temp_path ${dir}/fastcgi;`,
      `  uwsgi_temp_path ${dir}/uwsgi;`,
      `  scgi_temp_path ${dir}/scgi;`,
      `  access_log ${logDir}/access.log;`,
      `  include ${dir}/site.conf;`,
      '}',
      '',
    ].join('\n'));
    const args = ['-p', dir, '-c', conf, '-e', path.join(dir, 'error.log')];
    const t = spawnSync('nginx', [...args, '-t'], { encoding: 'utf8', timeout: 15000 });
    assert.equal(t.status, 0, `nginx -t:\n${t.stderr}${t.stdout}`);
    const proc = spawn('nginx', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d) => { out += d; });
    proc.stderr.on('data', (d) => { out += d; });
    let exited = null;
    const exitP = new Promise((resolve) => proc.on('exit', (code, signal) => { exited = { code, signal }; resolve(exited); }));
    const ngx = {
      dir, httpsPort, httpPort, logDir, proc,
      errorLog: () => ['error.log', 'log/wenming-error.log']
        .map((f) => path.join(dir, f)).filter(existsSync).map((f) => readFileSync(f, 'utf8')).join(''),
      accessLog: () => {
        const f = path.join(logDir, 'wenming-access.log');
        return existsSync(f) ? readFileSync(f, 'utf8') : '';
      },
      async stop() {
        if (!exited) {
          proc.kill('SIGTERM');
          const timer = setTimeout(() => proc.kill('SIGKILL'), 10000);
          await exitP;
          clearTimeout(timer);
        }
        nginxes.delete(ngx);
      },
    };
    nginxes.add(ngx);
    // Up when both ports accept connections.
    const deadline = Date.now() + 10000;
    let up = false;
    while (!exited && Date.now() < deadline) {
      const ok = await Promise.all([httpsPort, httpPort].map((port) => new Promise((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        s.on('connect', () => { s.destroy(); resolve(true); });
        s.on('error', () => resolve(false));
      })));
      if (ok.every(Boolean)) { up = true; break; }
      await sleep(50);
    }
    if (up) return ngx;
    await ngx.stop();
    lastErr = `${out}\n${ngx.errorLog()}`;
  }
  throw new Error(`nginx did not start in 3 attempts:\n${lastErr}`);
}

// Lines of an instance's request log (stderr, not --quiet: "GET /healthz 200 3687", no query
// string) that start with `prefix`.
const hits = (srv, prefix) => srv.stderr().split('\n').filter((l) => l.startsWith(prefix)).length;
const POSTS = 'POST /open311/v2/requests.json ';
const HEALTHZ = 'GET /healthz ';

// ---------------------------------------------------------------- the systemd unit

test('deploy/wenming@.service: a valid template unit with the intended settings', () => {
  const text = readFileSync(UNIT, 'utf8');
  // Parse as INI: [Section] and Key=Value (keys may repeat).
  const sections = {};
  let cur = null;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const s = /^\[([A-Za-z]+)\]$/.exec(line);
    if (s) { cur = sections[s[1]] ??= {}; continue; }
    const kv = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    assert.ok(cur && kv, `line ${i + 1} is neither [Section] nor Key=Value: ${raw}`);
    (cur[kv[1]] ??= []).push(kv[2]);
  }
  const svc = sections.Service;
  assert.ok(sections.Unit && svc && sections.Install, 'sections Unit, Service, Install');
  const one = (k) => { assert.ok(svc[k], `Service.${k}`); return svc[k].at(-1); };
  assert.equal(one('User'), 'wenming');
  assert.equal(one('EnvironmentFile'), '-/etc/wenming/wenming.env');
  assert.match(one('ExecStartPre'), /^\/\S+\/wenming migrate$/);
  assert.match(one('ExecStart'), /^\/\S+\/wenming serve --bind 127\.0\.0\.1 --port 809%i$/);
  assert.equal(one('Restart'), 'on-failure');
  assert.match(one('TimeoutStopSec'), /^\d+s?$/);
  for (const k of ['NoNewPrivileges', 'ProtectHome', 'PrivateTmp', 'PrivateDevices']) assert.equal(one(k), 'yes', k);
  assert.equal(one('ProtectSystem'), 'strict');
  assert.ok(svc.StateDirectory || svc.ReadWritePaths, 'somewhere writable for the database and photos');
  assert.equal(sections.Install.WantedBy?.[0], 'multi-user.target');

  // Every flag the unit passes exists (serve --help lists them).
  const help = execFileSync(binPath(), ['serve', '--help'], { encoding: 'utf8' });
  for (const f of one('ExecStart').match(/--[a-z-]+/g)) assert.ok(help.includes(f), `serve ${f}`);

  if (!have('systemd-analyze')) return; // the INI checks above are what we can do
  // verify wants an instance name and an existing binary: wenming@1.service, this build's.
  const dir = tempDir('wenming-unit-');
  const unit = path.join(dir, 'wenming@1.service');
  writeFileSync(unit, text.split('/usr/local/bin/wenming').join(binPath()));
  const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8', timeout: 30000, cwd: dir });
  const ours = `${r.stderr}${r.stdout}`.split('\n').filter((l) => l.includes('wenming@'));
  assert.equal(r.status, 0, `systemd-analyze verify: exit ${r.status}\n${r.stderr}${r.stdout}`);
  assert.deepEqual(ours, [], 'systemd-analyze verify has no complaint about the unit');
});

// ---------------------------------------------------------------- nginx in front of two instances

let a;
let b;
let ngx;
let inst;
let dir;
let cert;
let key;

before(async () => {
  for (const cmd of ['nginx', 'openssl']) assert.ok(have(cmd), `${cmd} is missing: run scripts/deps.sh`);
  dir = tempDir('wenming-deploy-');
  chmodSync(dir, 0o755);
  cert = path.join(dir, 'cert.pem');
  key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-days', '1', '-subj', '/CN=localhost', '-keyout', key, '-out', cert], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 15000 });
  inst = await createInstance({ demo: false });
  a = await startServer({ instance: inst, quiet: false });
  b = await startServer({ instance: inst, quiet: false });
  ngx = await startNginx(path.join(dir, 'nginx'), cert, key, a.port, b.port);
});

after(async () => {
  const errs = [];
  for (const n of [...nginxes]) await n.stop().catch((e) => errs.push(e));
  for (const s of [a, b]) if (s?.alive) await s.stop().catch((e) => errs.push(e));
  if (errs.length) throw errs[0];
});

test('TLS: 1.2 or newer, h2 offered, the certificate configured', async () => {
  const info = await new Promise((resolve, reject) => {
    const s = tls.connect({
      host: '127.0.0.1', port: ngx.httpsPort, servername: 'localhost', rejectUnauthorized: false,
      ALPNProtocols: ['h2', 'http/1.1'],
    }, () => {
      resolve({ proto: s.getProtocol(), alpn: s.alpnProtocol, cn: s.getPeerCertificate().subject?.CN });
      s.end();
    });
    s.on('error', reject);
  });
  assert.ok(['TLSv1.2', 'TLSv1.3'].includes(info.proto), info.proto);
  assert.equal(info.alpn, 'h2', 'HTTP/2 is offered');
  assert.equal(info.cn, 'localhost');
  // TLS 1.0/1.1 are refused. OpenSSL 3's default security level refuses them as well, so the
  // handshake alone does not prove the directive: check the directive too.
  assert.match(readFileSync(SITE, 'utf8'), /^\s*ssl_protocols TLSv1\.2 TLSv1\.3;/m);
  const old = await new Promise((resolve) => {
    const s = tls.connect({
      host: '127.0.0.1', port: ngx.httpsPort, servername: 'localhost', rejectUnauthorized: false,
      minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0',
    }, () => { s.end(); resolve('connected'); });
    s.on('error', () => resolve('refused'));
  });
  assert.equal(old, 'refused', 'a TLS 1.1 handshake must fail');
});

test('GETs through the proxy answer 200 with HSTS and are logged', async () => {
  const d = await request(ngx.httpsPort, 'GET', `${V2}/discovery.json?probe=deploy-disc`);
  assert.equal(d.status, 200, d.text.slice(0, 300));
  assert.ok(d.json());
  assert.match(d.headers['strict-transport-security'] ?? '', /max-age=\d{7,}/, 'HSTS header');
  const s = await request(ngx.httpsPort, 'GET', `${V2}/services.json`);
  assert.equal(s.status, 200);
  assert.ok(Array.isArray(s.json()) && s.json().length > 0, 'services through the proxy');
  // Errors carry HSTS too ("always").
  const nf = await request(ngx.httpsPort, 'GET', `${V2}/requests/nosuchthing.json`);
  assert.equal(nf.status, 404);
  assert.ok(nf.headers['strict-transport-security'], 'HSTS on a 404 too');
  assert.match(ngx.accessLog(), /"GET \/open311\/v2\/discovery\.json\?probe=deploy-disc HTTP\/1\.1" 200 /, 'the access log has the request');
});

test('plain HTTP answers 301 to https', async () => {
  const r = await request(ngx.httpPort, 'GET', `${V2}/services.json?x=1`, { plain: true });
  assert.equal(r.status, 301);
  assert.equal(r.headers.location, `https://localhost${V2}/services.json?x=1`);
  const p = await request(ngx.httpPort, 'POST', `${V2}/requests.json`, { plain: true, body: 'a=b' });
  assert.equal(p.status, 301, 'a POST over plain HTTP is not proxied either');
});

test('a POST through the proxy: 201, then visible on both instances directly', async () => {
  const cat = await catalogue(a);
  const r = await postRequest(ngx.httpsPort, {
    api_key: inst.apiKey, service_code: cat.plain, lat: DALIAN.lat, long: DALIAN.long,
    description: 'deploy: through nginx',
  });
  assert.equal(r.status, 201, r.text.slice(0, 500));
  assert.ok(r.headers['strict-transport-security']);
  const id = r.json()[0].service_request_id;
  for (const srv of [a, b]) {
    const g = await get(srv.base, `${V2}/requests/${id}.json`);
    assert.equal(g.status, 200, `${id} on :${srv.port}: ${g.text.slice(0, 300)}`);
    assert.equal(g.json()[0].description, 'deploy: through nginx');
  }
  const g = await request(ngx.httpsPort, 'GET', `${V2}/requests/${id}.json`);
  assert.equal(g.status, 200);
});

test('client_max_body_size equals the server\'s --max-body; larger bodies get 413 from nginx', async () => {
  const posts0 = hits(a, POSTS) + hits(b, POSTS);
  const help = await runCli(['serve', '--help']);
  const max = Number(/--max-body N.*default (\d+)/.exec(help.stdout + help.stderr)?.[1]);
  assert.ok(max > 0, 'serve --help names the default --max-body');
  const m = /client_max_body_size\s+(\d+)([km]?);/i.exec(readFileSync(SITE, 'utf8'));
  assert.ok(m, 'client_max_body_size in the site');
  const bytes = Number(m[1]) * ({ '': 1, k: 1024, m: 1024 * 1024 })[m[2].toLowerCase()];
  assert.equal(bytes, max, 'nginx and wenming agree on the largest body');
  const big = await request(ngx.httpsPort, 'POST', `${V2}/requests.json`, {
    body: Buffer.alloc(max + 1, 0x61),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': max + 1 },
  }).catch((e) => ({ status: `error ${e.message}` }));
  assert.equal(big.status, 413);
  await sleep(100);
  assert.equal(hits(a, POSTS) + hits(b, POSTS), posts0, 'the instances never saw it');
});

test('requests are spread over both instances', async () => {
  const N = 10;
  await sleep(100);
  const a0 = hits(a, HEALTHZ);
  const b0 = hits(b, HEALTHZ);
  for (let i = 0; i < N; i++) {
    const r = await request(ngx.httpsPort, 'GET', `/healthz`);
    assert.equal(r.status, 200);
  }
  await sleep(200);
  const na = hits(a, HEALTHZ) - a0;
  const nb = hits(b, HEALTHZ) - b0;
  assert.equal(na + nb, N, `every request logged once (a ${na}, b ${nb})`);
  assert.ok(na > 0 && nb > 0, `both instances served some (a ${na}, b ${nb})`);
});

test('a POST whose connection an instance dropped is not passed on to the other one', async () => {
  // A stand-in for instance 2 that reads each request and closes the connection unanswered,
  // as a crash after the commit would. nginx must answer 502 rather than send it to a.
  const seen = [];
  let current = -1;
  const fake = net.createServer((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d;
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      seen.push({ i: current, line: buf.slice(0, buf.indexOf('\r\n')) });
      sock.destroy();
    });
    sock.on('error', () => {});
  });
  await new Promise((resolve) => fake.listen(0, '127.0.0.1', resolve));
  const n2 = await startNginx(path.join(dir, 'nginx-fake'), cert, key, a.port, fake.address().port);
  try {
    const cat = await catalogue(a);
    await sleep(100);
    const posts0 = hits(a, POSTS);
    const results = [];
    // Round robin: within a few POSTs one goes to the stand-in (then it is marked failed).
    for (let i = 0; i < 4 && seen.length === 0; i++) {
      current = i;
      const r = await request(n2.httpsPort, 'POST', `${V2}/requests.json`, {
        body: formEncode({ api_key: inst.apiKey, service_code: cat.plain, lat: DALIAN.lat, long: DALIAN.long, description: `once ${i}` }),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      results.push({ i, status: r.status });
    }
    assert.equal(seen.length, 1, `one POST reached the stand-in: ${JSON.stringify(results)}`);
    assert.equal(seen[0].line, 'POST /open311/v2/requests.json HTTP/1.1');
    const { i } = seen[0];
    assert.equal(results.find((x) => x.i === i).status, 502, 'the dropped POST answers 502');
    await sleep(200);
    const onA = results.filter((y) => y.i !== i);
    for (const x of onA) assert.equal(x.status, 201, `POST ${x.i} on a`);
    assert.equal(hits(a, POSTS) - posts0, onA.length,
      `instance a received only the POSTs it answered, not the one the stand-in dropped:\n${a.stderr().slice(-2000)}`);
    // A GET, by contrast, may go to the other instance: the stand-in is now marked failed and a
    // fresh read is answered by a.
    const g = await request(n2.httpsPort, 'GET', `${V2}/services.json`);
    assert.equal(g.status, 200);
  } finally {
    await n2.stop();
    await new Promise((resolve) => fake.close(resolve));
  }
});

test('one instance stopped: reads and writes through the proxy still answered', async () => {
  await b.stop(); // SIGTERM: exit 0 after finishing requests in flight
  await sleep(100);
  const a0 = hits(a, HEALTHZ);
  const cat = await catalogue(a);
  for (let i = 0; i < 6; i++) {
    const r = await request(ngx.httpsPort, 'GET', `/healthz`);
    assert.equal(r.status, 200, `GET ${i} with b stopped: ${r.text.slice(0, 200)}`);
  }
  // Refused connections are retried on the other instance, for POSTs too: nothing was sent.
  for (let i = 0; i < 2; i++) {
    const r = await postRequest(ngx.httpsPort, {
      api_key: inst.apiKey, service_code: cat.plain, lat: DALIAN.lat, long: DALIAN.long, description: `down ${i}`,
    });
    assert.equal(r.status, 201, `POST ${i} with b stopped: ${r.text.slice(0, 300)}`);
  }
  await sleep(200);
  assert.equal(hits(a, HEALTHZ) - a0, 6, 'a answered every GET');
});

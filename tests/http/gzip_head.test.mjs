// gzip when the client asks (bodies of 1 KiB and more), plain otherwise; HEAD on GET routes.
// Raw sockets, so that what is on the wire is what is checked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { gunzipSync } from 'node:zlib';
import { startServer } from './lib/server.mjs';
import { rawHttp, rawRequest, parseXml } from './lib/http.mjs';
import { V2, fileRequest } from './lib/open311.mjs';

let srv;
let reqId;
before(async () => {
  srv = await startServer({ demo: true });
  reqId = (await fileRequest(srv, { description: 'gzip/head test' })).id;
});
after(async () => { await srv?.stop(); });

const fetchRaw = (path, headers = {}, method = 'GET') => rawHttp(srv.port, rawRequest(method, path, { headers }), { head: method === 'HEAD' });

test('large JSON and XML bodies are gzipped on request and decompress to the same document', async () => {
  for (const p of [`${V2}/services.json`, `${V2}/services.xml`, `${V2}/requests.json?page_size=50`, `${V2}/requests.xml`, '/api/v1/openapi.json']) {
    const plain = await fetchRaw(p);
    assert.equal(plain.status, 200, p);
    assert.equal(plain.headers['content-encoding'], undefined, `${p}: no encoding unless asked`);
    assert.ok(plain.body.length >= 1024, `${p} is over 1 KiB (${plain.body.length})`);
    const gz = await fetchRaw(p, { 'Accept-Encoding': 'gzip' });
    assert.equal(gz.status, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip', `${p}: Content-Encoding gzip`);
    assert.deepEqual([gz.body[0], gz.body[1]], [0x1f, 0x8b], 'gzip magic');
    assert.ok(gz.body.length < plain.body.length, 'smaller');
    const text = gunzipSync(gz.body).toString('utf8');
    if (p.includes('.xml')) {
      assert.deepEqual(parseXml(text), parseXml(plain.body.toString('utf8')), `${p}: same XML`);
    } else {
      assert.deepEqual(JSON.parse(text), JSON.parse(plain.body.toString('utf8')), `${p}: same JSON`);
    }
    assert.equal(gz.headers['content-type'], plain.headers['content-type']);
    if (gz.headers['content-length'] !== undefined) assert.equal(Number(gz.headers['content-length']), gz.body.length);
  }
});

test('gzip is chosen among several encodings', async () => {
  const p = `${V2}/services.json`;
  assert.equal((await fetchRaw(p, { 'Accept-Encoding': 'deflate, gzip;q=0.8, br' })).headers['content-encoding'], 'gzip');
  assert.equal((await fetchRaw(p, { 'Accept-Encoding': 'GZIP' })).headers['content-encoding'], 'gzip', 'case-insensitive');
  assert.equal((await fetchRaw(p, { 'Accept-Encoding': 'br' })).headers['content-encoding'], undefined, 'br only: plain');
  assert.equal((await fetchRaw(p, { 'Accept-Encoding': 'identity' })).headers['content-encoding'], undefined);
});

test('gzip;q=0 means no gzip (RFC 9110 §12.5.3)', async () => {
  const r = await fetchRaw(`${V2}/services.json`, { 'Accept-Encoding': 'gzip;q=0' });
  assert.equal(r.headers['content-encoding'], undefined);
});

test('responses that depend on Accept-Encoding say so with Vary (RFC 9110 §12.5.5)', async () => {
  const r = await fetchRaw(`${V2}/services.json`, { 'Accept-Encoding': 'gzip' });
  assert.match(r.headers.vary ?? '', /accept-encoding/i);
});

test('small bodies (under 1 KiB) are not gzipped', async () => {
  for (const p of ['/healthz', `${V2}/requests/${reqId}.json`, `${V2}/services/E9999.json`]) {
    const plain = await fetchRaw(p);
    if (plain.body.length >= 1024) continue;
    const r = await fetchRaw(p, { 'Accept-Encoding': 'gzip' });
    assert.equal(r.headers['content-encoding'], undefined, `${p} (${plain.body.length} bytes) is sent plain`);
    assert.ok(r.body.equals(plain.body));
  }
});

test('HEAD works on every GET route: same status and headers, no body', async () => {
  const paths = ['/healthz', `${V2}/discovery.json`, `${V2}/discovery.xml`, `${V2}/services.json`, `${V2}/services.xml`,
    `${V2}/requests.json`, `${V2}/requests.xml`, `${V2}/requests/${reqId}.json`, `${V2}/requests/${reqId}.xml`, '/api/v1/openapi.json'];
  for (const p of paths) {
    const g = await fetchRaw(p);
    const h = await fetchRaw(p, {}, 'HEAD');
    assert.equal(h.status, g.status, `HEAD ${p}`);
    assert.equal(h.status, 200, `HEAD ${p}`);
    assert.equal(h.headers['content-type'], g.headers['content-type'], `HEAD ${p}: Content-Type`);
    if (h.headers['content-length'] !== undefined) assert.equal(Number(h.headers['content-length']), g.body.length, `HEAD ${p}: Content-Length`);
  }
  // No body follows a HEAD answer: on one connection, the next response starts right after its head.
  const two = Buffer.concat([
    rawRequest('HEAD', `${V2}/services.json`, { headers: { Connection: 'keep-alive' } }),
    rawRequest('GET', '/healthz'),
  ]);
  const wire = await new Promise((resolve, reject) => {
    const s = net.connect(srv.port, '127.0.0.1', () => s.write(two));
    let buf = Buffer.alloc(0);
    const t = setTimeout(() => { s.destroy(); resolve(buf); }, 5000);
    s.on('data', (d) => { buf = Buffer.concat([buf, d]); });
    s.on('close', () => { clearTimeout(t); resolve(buf); });
    s.on('error', reject);
  });
  const text = wire.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  assert.ok(end > 0 && text.startsWith('HTTP/1.1 200'), `HEAD answered: ${text.slice(0, 300)}`);
  assert.ok(text.slice(end + 4).startsWith('HTTP/1.1 200'), `the GET answer follows the HEAD head directly: ${JSON.stringify(text.slice(end + 4, end + 200))}`);
});

test('HEAD of an unknown path is 404 with no body', async () => {
  const h = await fetchRaw(`${V2}/nothing.json`, {}, 'HEAD');
  assert.equal(h.status, 404);
});

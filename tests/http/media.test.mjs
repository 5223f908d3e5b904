// Photos: content-addressed storage, absolute media_url, exact bytes back with the right
// headers, type by magic bytes (not by name), deduplication, hostile file names, 404s.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startServer } from './lib/server.mjs';
import { get, req, rawHttp, rawRequest, assertError, contentType } from './lib/http.mjs';
import { fileRequest, fetchRequest, filesUnder } from './lib/open311.mjs';
import { jpeg, png, webp, MIME } from './lib/images.mjs';

let srv;
before(async () => { srv = await startServer({ demo: false }); });
after(async () => { await srv?.stop(); });

const sha = (b) => createHash('sha256').update(b).digest('hex');

async function upload(data, filename, type, extra = {}) {
  const { id } = await fileRequest(srv, extra, { files: [{ name: 'media', filename, type, data }] });
  const r = await fetchRequest(srv, id);
  return { id, url: r.media_url };
}

test('each accepted type is stored under its sha256 and served byte for byte with safe headers', async () => {
  for (const [ext, data] of [['jpg', jpeg(21)], ['png', png(4, 4, 21)], ['webp', webp()]]) {
    const { url } = await upload(data, `p.${ext}`, MIME[ext]);
    assert.equal(url, `${srv.base}/media/${sha(data)}.${ext}`, 'media_url is absolute and content-addressed');
    const r = await get(srv.base, new URL(url).pathname);
    assert.equal(r.status, 200);
    assert.equal(contentType(r), MIME[ext]);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(r.body.equals(data), `${ext}: exact bytes`);
    const raw = await rawHttp(srv.port, rawRequest('GET', new URL(url).pathname));
    assert.equal(Number(raw.headers['content-length']), data.length, 'Content-Length is the file size');
    assert.ok(raw.body.equals(data));
    const stored = filesUnder(srv.mediaDir).filter((f) => f.includes(sha(data)));
    assert.equal(stored.length, 1, `one file named by its hash under the media dir: ${filesUnder(srv.mediaDir)}`);
  }
});

test('the type is decided by the bytes, not the file name or the part type', async () => {
  const data = png(3, 1, 42);
  const { url } = await upload(data, 'camera.jpg', 'image/jpeg');
  assert.match(url, /\.png$/, `PNG bytes named .jpg are a PNG: ${url}`);
  const r = await get(srv.base, new URL(url).pathname);
  assert.equal(contentType(r), 'image/png');
  assert.ok(r.body.equals(data));
  const j = jpeg(43);
  const u2 = (await upload(j, 'noext', 'application/octet-stream')).url;
  assert.match(u2, /\.jpg$/);
});

test('the same photo twice is stored once and both requests point at it', async () => {
  const data = jpeg(31);
  const before = filesUnder(srv.mediaDir).length;
  const a = await upload(data, 'a.jpg', 'image/jpeg');
  const b = await upload(data, 'b.jpg', 'image/jpeg');
  assert.notEqual(a.id, b.id);
  assert.equal(a.url, b.url);
  assert.equal(filesUnder(srv.mediaDir).length, before + 1);
});

test('a hostile file name is ignored: the photo lands content-addressed under the media dir only', async () => {
  const data = jpeg(32);
  const names = ['../../../../tmp/wenming-evil.jpg', '..\\..\\evil.jpg', '/etc/evil.jpg', '%2e%2e%2fevil.jpg'];
  for (const n of names) {
    const { url } = await upload(data, n, 'image/jpeg');
    assert.equal(url, `${srv.base}/media/${sha(data)}.jpg`);
  }
  assert.ok(!existsSync('/tmp/wenming-evil.jpg'));
  assert.ok(!existsSync('/etc/evil.jpg'));
  assert.ok(!existsSync(path.join(srv.dir, 'evil.jpg')) && !existsSync(path.join(path.dirname(srv.dir), 'evil.jpg')));
  for (const f of filesUnder(srv.mediaDir)) assert.match(path.basename(f), /^[0-9a-f]{64}\.(jpg|png|webp)$/, `stored name ${f}`);
});

test('HEAD on a photo gives its headers and no body', async () => {
  const data = png(2, 2, 33);
  const { url } = await upload(data, 'h.png', 'image/png');
  const r = await rawHttp(srv.port, rawRequest('HEAD', new URL(url).pathname), { head: true });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'image/png');
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
  assert.equal(Number(r.headers['content-length']), data.length);
  const h = await req(srv.base, 'HEAD', new URL(url).pathname);
  assert.equal(h.body.length, 0);
});

test('unknown photos, wrong extensions and malformed names are 404/400 in the error shape', async () => {
  const data = jpeg(34);
  const { url } = await upload(data, 'x.jpg', 'image/jpeg');
  const h = sha(data);
  assertError(await get(srv.base, `/media/${'a'.repeat(64)}.jpg`), 404, 'json', 'unknown hash');
  assertError(await get(srv.base, `/media/${h}.png`), 404, 'json', 'right hash, wrong extension');
  assertError(await get(srv.base, `/media/${h}`), [400, 404], 'json', 'no extension');
  assertError(await get(srv.base, `/media/${h.toUpperCase()}.jpg`), [400, 404], 'json', 'upper-case hash');
  assertError(await get(srv.base, `/media/${h.slice(0, 63)}.jpg`), [400, 404], 'json', 'short hash');
  assertError(await get(srv.base, `/media/${h}.jpg.bak`), [400, 404], 'json', 'extra suffix');
  assertError(await get(srv.base, '/media/wenming.db'), [400, 404], 'json', 'the database');
  assertError(await req(srv.base, 'POST', new URL(url).pathname, { body: 'x', headers: { 'Content-Type': 'text/plain' } }), 405, 'json', 'POST on a photo');
});

test('a metadata-bearing JPEG is accepted and served as a valid JPEG', async () => {
  const exif = Buffer.concat([Buffer.from('Exif\0\0'), Buffer.from('GPS 38.9140N 121.6147E SECRET-EXIF-7731')]);
  const data = jpeg(35, exif);
  const { url } = await upload(data, 'exif.jpg', 'image/jpeg');
  const r = await get(srv.base, new URL(url).pathname);
  assert.equal(r.status, 200);
  assert.equal(contentType(r), 'image/jpeg');
  assert.deepEqual([...r.body.subarray(0, 2)], [0xff, 0xd8]);
  assert.deepEqual([...r.body.subarray(-2)], [0xff, 0xd9]);
});

test('photo metadata (EXIF, GPS) is stripped before storing (DESIGN.md §2)', async () => {
  const exif = Buffer.concat([Buffer.from('Exif\0\0'), Buffer.from('GPS SECRET-EXIF-9917')]);
  const { url } = await upload(jpeg(36, exif), 'exif.jpg', 'image/jpeg');
  const r = await get(srv.base, new URL(url).pathname);
  assert.ok(!r.body.includes('SECRET-EXIF-9917'), 'EXIF text is gone');
});

// Every kind of bad input gets the right status, the Open311 error shape (in the format the
// path asks for), never a 5xx, and changes nothing: after each group the number of requests
// and the media files are as before. Runs on a database without demo cases so that the count
// is exact.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer } from './lib/server.mjs';
import {
  get, req, postForm, formEncode, multipart, fieldParts, rawHttp, rawRequest, assertError, sleep, pool,
} from './lib/http.mjs';
import {
  V2, DALIAN, catalogue, fileRequest, countRequests, filesUnder, attrFields, attrParam,
} from './lib/open311.mjs';
import { jpeg, png, gif } from './lib/images.mjs';

let srv;
let cat;
let expectCount;
let expectMedia;
const P = `${V2}/requests`;

before(async () => {
  srv = await startServer({ demo: false });
  cat = await catalogue(srv);
  // Two good requests first (proving the base fields below are valid), one with a photo.
  await fileRequest(srv, fields());
  await fileRequest(srv, fields(), { files: [{ name: 'media', filename: 'ok.jpg', type: 'image/jpeg', data: jpeg(1) }] });
  expectCount = await countRequests(srv);
  assert.equal(expectCount, 2);
  expectMedia = filesUnder(srv.mediaDir);
  assert.equal(expectMedia.length, 1, 'the one photo is stored');
});
after(async () => { await srv?.stop(); });

// The valid base: every bad request below differs from it in one thing.
function fields(over = {}) {
  const f = { api_key: srv.apiKey, service_code: cat.plain, lat: DALIAN.lat, long: DALIAN.long, description: 'bad input test', ...over };
  for (const k of Object.keys(f)) if (f[k] === undefined) delete f[k];
  return f;
}

async function unchanged(what = '') {
  assert.equal(await countRequests(srv), expectCount, `${what}: the number of requests is unchanged`);
  assert.deepEqual(filesUnder(srv.mediaDir), expectMedia, `${what}: no media file was added`);
  assert.equal((await get(srv.base, '/healthz')).status, 200, `${what}: the server is alive`);
}

async function badForm(over, statuses, what, formats = ['json', 'xml']) {
  for (const fmt of formats) {
    const r = await postForm(srv.base, `${P}.${fmt}`, fields(over));
    assertError(r, statuses, fmt, `${what} (${fmt})`);
  }
}

// A urlencoded body from the base fields (minus `drop`) plus a raw, already-encoded tail.
function rawForm(tail, drop = []) {
  const f = fields();
  for (const d of drop) delete f[d];
  return formEncode(f) + '&' + tail;
}

async function badRawForm(tail, drop, statuses, what, formats = ['json', 'xml']) {
  for (const fmt of formats) {
    const r = await postForm(srv.base, `${P}.${fmt}`, null, { raw: rawForm(tail, drop) });
    assertError(r, statuses, fmt, `${what} (${fmt})`);
  }
}

test('malformed numbers for lat/long are 400', async () => {
  for (const v of ['abc', '38.9x', '1e', '', '38,9', 'NaN', 'nan', 'Infinity', '-inf', '0x1A', '1e400', '--1', '38.9.1', '+-1', '３８']) {
    await badForm({ lat: v }, 400, `lat=${JSON.stringify(v)}`, ['json']);
    await badForm({ long: v }, 400, `long=${JSON.stringify(v)}`, ['xml']);
  }
  await unchanged('malformed numbers');
});

test('lat/long out of range are 400', async () => {
  for (const [lat, long] of [['90.0001', '121'], ['-91', '121'], ['38', '180.0001'], ['38', '-181'], ['1e10', '121'], ['38', '-1e308']]) {
    await badForm({ lat, long }, 400, `lat=${lat} long=${long}`);
  }
  await unchanged('out of range');
});

test('a location is required: none, or half a point, is 400', async () => {
  await badForm({ lat: undefined, long: undefined }, 400, 'no location');
  await badForm({ long: undefined }, 400, 'lat without long');
  await badForm({ lat: undefined }, 400, 'long without lat');
  await badForm({ lat: undefined, long: undefined, address_string: '' }, 400, 'empty address_string only');
  await unchanged('location');
});

test('invalid UTF-8 in urlencoded fields is 400', async () => {
  const seqs = ['%FF', '%C3%28', '%C0%AF', '%ED%A0%80', '%F4%90%80%80', '%E6%96', '%80abc', 'ok%FE'];
  for (const s of seqs) {
    await badRawForm(`description=${s}`, ['description'], 400, `description=${s}`, ['json']);
  }
  await badRawForm('address_string=%FF%FE', ['description'], 400, 'address_string=%FF%FE', ['xml']);
  await badRawForm('first_name=%C3', [], 400, 'first_name=%C3');
  await badRawForm('email=a%FF@example.com', [], 400, 'email with %FF');
  // Raw (unencoded) 0xFF byte in the urlencoded body.
  const body = Buffer.concat([Buffer.from(rawForm('description=', ['description'])), Buffer.from([0xff, 0x41])]);
  assertError(await req(srv.base, 'POST', `${P}.json`, { body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 400, 'json', 'raw 0xFF in urlencoded body');
  await unchanged('invalid UTF-8 (urlencoded)');
});

test('invalid UTF-8 in a multipart text part is 400', async () => {
  for (const bytes of [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xe6, 0x96]]) {
    const parts = [...fieldParts(fields({ description: undefined })), { name: 'description', value: Buffer.concat([Buffer.from('坏'), Buffer.from(bytes)]) }];
    const { body, contentType } = multipart(parts);
    for (const fmt of ['json', 'xml']) {
      const r = await req(srv.base, 'POST', `${P}.${fmt}`, { body, headers: { 'Content-Type': contentType } });
      assertError(r, 400, fmt, `multipart description with bytes ${bytes}`);
    }
  }
  // also with a photo attached: nothing is stored
  const parts = [...fieldParts(fields({ description: undefined })), { name: 'description', value: Buffer.from([0x41, 0xff]) },
    { name: 'media', filename: 'x.jpg', type: 'image/jpeg', data: jpeg(50) }];
  const { body, contentType } = multipart(parts);
  assertError(await req(srv.base, 'POST', `${P}.json`, { body, headers: { 'Content-Type': contentType } }), 400, 'json', 'bad UTF-8 with a photo');
  await unchanged('invalid UTF-8 (multipart)');
});

test('invalid UTF-8 and bad escapes in a GET query are 400', async () => {
  for (const q of ['service_code=%FF', 'status=open%C3', 'service_request_id=%ED%A0%80', 'start_date=%ZZ', 'status=%4']) {
    for (const fmt of ['json', 'xml']) assertError(await get(srv.base, `${P}.${fmt}?${q}`), 400, fmt, `GET ?${q}`);
  }
  // a raw 0xFF byte in the request line
  const head = Buffer.concat([Buffer.from(`GET ${P}.json?service_code=`), Buffer.from([0xff]), Buffer.from(' HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')]);
  const r = await rawHttp(srv.port, head);
  assert.ok(r.status === 400, `raw 0xFF in the query: ${r.status} ${r.body}`);
});

test('NUL and bad percent-escapes in POST fields are 400', async () => {
  await badRawForm('description=abc%00def', ['description'], 400, 'NUL in description');
  await badRawForm('email=a%00b@example.com', [], 400, 'NUL in email', ['json']);
  await badRawForm('description=%ZZ', ['description'], 400, 'description=%ZZ', ['json']);
  await badRawForm('description=abc%4', ['description'], 400, 'description=abc%4', ['json']);
  await badRawForm('lat=%3', ['lat'], 400, 'lat=%3', ['json']);
  await unchanged('NUL and escapes');
});

test('duplicate parameters are 400 (body, multipart, query, query+body)', async () => {
  for (const name of ['service_code', 'lat', 'long', 'api_key', 'description', 'email']) {
    const f = fields({ email: 'x@example.com' });
    const body = formEncode(f) + '&' + formEncode({ [name]: f[name] });
    for (const fmt of ['json', 'xml']) {
      assertError(await postForm(srv.base, `${P}.${fmt}`, null, { raw: body }), 400, fmt, `duplicate ${name}`);
    }
  }
  const dupParts = [...fieldParts(fields()), { name: 'service_code', value: cat.plain }];
  const mp = multipart(dupParts);
  assertError(await req(srv.base, 'POST', `${P}.json`, { body: mp.body, headers: { 'Content-Type': mp.contentType } }), 400, 'json', 'duplicate in multipart');
  // the same name in the query string and in the body
  assertError(await postForm(srv.base, `${P}.json?service_code=${cat.plain}`, fields()), 400, 'json', 'service_code in query and body');
  for (const q of ['status=open&status=open', 'page=1&page=2', 'service_code=E0101&service_code=E0102', 'start_date=2020-01-01&start_date=2020-01-02']) {
    assertError(await get(srv.base, `${P}.json?${q}`), 400, 'json', `GET ?${q}`);
  }
  assertError(await get(srv.base, `${V2}/services.xml?jurisdiction_id=dalian&jurisdiction_id=dalian`), 400, 'xml', 'duplicate jurisdiction_id');
  await unchanged('duplicates');
});

test('missing service_code is 400; missing, empty or wrong api_key is 403', async () => {
  await badForm({ service_code: undefined }, 400, 'no service_code');
  await badForm({ service_code: '' }, [400, 404, 422], 'empty service_code');
  await badForm({ api_key: undefined }, 403, 'no api_key');
  await badForm({ api_key: '' }, 403, 'empty api_key');
  await badForm({ api_key: srv.apiKey + 'x' }, 403, 'wrong api_key');
  await badForm({ api_key: 'x'.repeat(5000) }, [400, 403], 'huge api_key');
  await unchanged('missing');
});

test('over-long text is 400', async () => {
  await badForm({ description: 'a'.repeat(4001) }, 400, 'description of 4001 ASCII characters');
  await badForm({ description: '文'.repeat(4001) }, 400, 'description of 4001 Chinese characters');
  for (const name of ['email', 'first_name', 'last_name', 'phone', 'device_id', 'account_id', 'address_string', 'address_id', 'media_url']) {
    const v = name === 'media_url' ? `https://example.org/${'a'.repeat(100000)}.jpg` : 'x'.repeat(100000);
    await badForm({ [name]: v }, 400, `${name} of 100000 characters`, ['json']);
  }
  const pick = cat.byType.get('string');
  const f = Object.fromEntries(attrFields(pick.def, { except: pick.attr.code }));
  await badForm({ service_code: pick.code, ...f, [attrParam(pick.attr)]: 'y'.repeat(100000) }, 400, 'string attribute of 100000 characters');
  await unchanged('over-long');
});

test('an unknown jurisdiction is 404', async () => {
  await badForm({ jurisdiction_id: 'shenyang' }, 404, 'jurisdiction shenyang');
  await badForm({ jurisdiction_id: 'dalian ' }, [400, 404], 'jurisdiction with a trailing space');
  await unchanged('jurisdiction');
});

test('an unknown or malformed service_code is refused in the error shape', async () => {
  for (const code of ['E9999', 'X0101', 'e0101x', "E0101'; DROP TABLE cases;--", 'E0101\u0000', '%']) {
    await badForm({ service_code: code }, [400, 404, 422], `service_code ${JSON.stringify(code)}`);
  }
  await unchanged('unknown service');
});

test('attributes: a missing required one is 400; a bad value of each datatype is 400', async () => {
  const { code, def, attr } = cat.required;
  const ok = Object.fromEntries(attrFields(def));
  await badForm({ service_code: code, ...ok, [attrParam(attr)]: undefined }, 400, `required ${attr.code} missing`);
  await badForm({ service_code: code, ...ok, [attrParam(attr)]: '' }, 400, `required ${attr.code} empty`);
  const bads = {
    number: ['abc', '1,5', '1e999', ''],
    datetime: ['tomorrow', '2026-02-30T00:00:00+08:00', '2026-13-01T00:00:00Z', '2026-01-01T25:00:00+08:00'],
    singlevaluelist: ['no-such-key'],
    multivaluelist: [['no-such-key'], null],
    string: ['line\u0000nul'],
  };
  for (const [type, values] of Object.entries(bads)) {
    const pick = cat.byType.get(type);
    assert.ok(pick, `a service with a ${type} attribute`);
    const base = Object.fromEntries(attrFields(pick.def, { except: pick.attr.code }));
    for (let v of values) {
      if (v === null) v = [pick.attr.values[0].key, 'no-such-key']; // one good, one bad
      if (v === '' && !pick.attr.required) continue;
      await badForm({ service_code: pick.code, ...base, [attrParam(pick.attr)]: v }, 400, `${type} attribute = ${JSON.stringify(v)}`);
    }
  }
  // a single-value list given twice
  const sv = cat.byType.get('singlevaluelist');
  const base = Object.fromEntries(attrFields(sv.def, { except: sv.attr.code }));
  const k = sv.attr.values.map((x) => x.key);
  await badForm({ service_code: sv.code, ...base, [attrParam(sv.attr)]: [k[0], k[1]] }, 400, 'singlevaluelist given twice');
  await unchanged('attributes');
});

test('media_url must be an absolute http(s) URL', async () => {
  for (const u of ['javascript:alert(1)', 'not a url', 'ftp://example.org/x.jpg', '/relative.jpg', 'http://']) {
    await badForm({ media_url: u }, 400, `media_url ${u}`, ['json']);
  }
  await unchanged('media_url');
});

test('a wrong Content-Type for POST is 415', async () => {
  const body = formEncode(fields());
  for (const fmt of ['json', 'xml']) {
    for (const ct of ['text/plain', 'application/json', 'application/xml', 'image/jpeg']) {
      assertError(await req(srv.base, 'POST', `${P}.${fmt}`, { body, headers: { 'Content-Type': ct } }), 415, fmt, `Content-Type ${ct}`);
    }
  }
  assertError(await req(srv.base, 'POST', `${P}.json`, { body: JSON.stringify(fields()), headers: { 'Content-Type': 'application/json' } }), 415, 'json', 'a JSON body');
  const r = await rawHttp(srv.port, rawRequest('POST', `${P}.json`, { body }));
  assertError(r, [400, 415], 'json', 'no Content-Type at all');
  assertError(await req(srv.base, 'POST', `${P}.json`, { body, headers: { 'Content-Type': 'multipart/form-data' } }), [400, 415], 'json', 'multipart without a boundary');
  await unchanged('content type');
});

test('a media file that is not JPEG/PNG/WebP by its bytes is 415, whatever its name says', async () => {
  const cases = [
    ['a GIF', 'x.gif', 'image/gif', gif()],
    ['a GIF named .jpg', 'x.jpg', 'image/jpeg', gif()],
    ['text named .jpg', 'photo.jpg', 'image/jpeg', Buffer.from('just some text, not an image at all\n')],
    ['HTML named .png', 'photo.png', 'image/png', Buffer.from('<html><script>alert(1)</script></html>')],
    ['SVG', 'x.svg', 'image/svg+xml', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')],
    ['RIFF but not WEBP', 'x.webp', 'image/webp', Buffer.concat([Buffer.from('RIFF\x10\x00\x00\x00WAVEfmt '), Buffer.alloc(16)])],
    ['PNG magic cut short', 'x.png', 'image/png', Buffer.from([0x89, 0x50, 0x4e])],
  ];
  for (const [what, filename, type, data] of cases) {
    for (const fmt of ['json', 'xml']) {
      const { body, contentType } = multipart([...fieldParts(fields()), { name: 'media', filename, type, data }]);
      assertError(await req(srv.base, 'POST', `${P}.${fmt}`, { body, headers: { 'Content-Type': contentType } }), [415], fmt, what);
    }
  }
  const { body, contentType } = multipart([...fieldParts(fields()), { name: 'media', filename: 'empty.jpg', type: 'image/jpeg', data: Buffer.alloc(0) }]);
  assertError(await req(srv.base, 'POST', `${P}.json`, { body, headers: { 'Content-Type': contentType } }), [400, 415], 'json', 'an empty file');
  await unchanged('media type');
});

test('a good photo on an otherwise bad request is not stored', async () => {
  const photo = { name: 'media', filename: 'good.jpg', type: 'image/jpeg', data: jpeg(77) };
  for (const [over, st] of [[{ api_key: 'nope' }, 403], [{ lat: '99' }, 400], [{ service_code: 'E9999' }, [400, 404, 422]], [{ jurisdiction_id: 'x' }, 404]]) {
    const { body, contentType } = multipart([...fieldParts(fields(over)), photo]);
    assertError(await req(srv.base, 'POST', `${P}.json`, { body, headers: { 'Content-Type': contentType } }), st, 'json', `photo with ${JSON.stringify(over)}`);
  }
  await unchanged('photo with bad fields');
});

test('too many files is 413', async () => {
  const files = Array.from({ length: 20 }, (_, i) => ({ name: 'media', filename: `p${i}.png`, type: 'image/png', data: png(1, 1, i) }));
  for (const fmt of ['json', 'xml']) {
    const { body, contentType } = multipart([...fieldParts(fields()), ...files]);
    assertError(await req(srv.base, 'POST', `${P}.${fmt}`, { body, headers: { 'Content-Type': contentType } }), 413, fmt, '20 file parts');
  }
  await unchanged('too many files');
});

const LIMIT = 10 * 1024 * 1024;

test('a body over 10 MiB is 413 (Content-Length, Expect: 100-continue, multipart, chunked)', async () => {
  const big = 11 * 1024 * 1024;
  // Content-Length over the limit: the answer comes from the headers alone, before any body.
  const head = rawRequest('POST', `${P}.json`, { headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(big) } });
  assertError(await rawHttp(srv.port, head), 413, 'json', 'Content-Length of 11 MiB');
  // What curl does for a big upload: ask first; the answer is 413, not 100 Continue.
  const ask = rawRequest('POST', `${P}.xml`, { headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(big), Expect: '100-continue' } });
  assertError(await rawHttp(srv.port, ask), 413, 'xml', 'Expect: 100-continue with 11 MiB');
  const mp = multipart([...fieldParts(fields()), { name: 'media', filename: 'big.jpg', type: 'image/jpeg', data: Buffer.concat([jpeg(5), Buffer.alloc(big)]) }]);
  const mhead = rawRequest('POST', `${P}.json`, { headers: { 'Content-Type': mp.contentType, 'Content-Length': String(mp.body.length) } });
  assertError(await rawHttp(srv.port, mhead), 413, 'json', 'multipart of 11 MiB');

  // Chunked: no length up front, so the server must count. 11 MiB, then the last chunk.
  const prefix = rawForm('description=', ['description']);
  const chead = rawRequest('POST', `${P}.json`, { headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Transfer-Encoding': 'chunked' } });
  const r = await rawHttp(srv.port, null, {
    timeout: 30000,
    write: async (sock, answered) => {
      sock.write(chead);
      const first = Buffer.from(prefix);
      sock.write(`${first.length.toString(16)}\r\n`); sock.write(first); sock.write('\r\n');
      let left = big;
      const chunk = Buffer.alloc(256 * 1024, 'a');
      while (left > 0 && !answered() && !sock.destroyed) {
        const c = chunk.subarray(0, Math.min(chunk.length, left));
        left -= c.length;
        const ok = sock.write(Buffer.concat([Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n')]));
        if (!ok) await new Promise((res) => { sock.once('drain', res); setTimeout(res, 500); });
      }
      if (!answered() && !sock.destroyed) sock.write('0\r\n\r\n');
    },
  });
  assertError(r, 413, 'json', 'chunked body of 11 MiB');
  await unchanged('too big');
});

test('a body of exactly 10 MiB is not refused for its size', async () => {
  // 10 MiB of description is far over 4000 characters: a 400, not a 413.
  const prefix = rawForm('description=', ['description']);
  const body = Buffer.concat([Buffer.from(prefix), Buffer.alloc(LIMIT - prefix.length, 'a')]);
  const r = await rawHttp(srv.port, rawRequest('POST', `${P}.json`, { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body }), { timeout: 30000 });
  assertError(r, 400, 'json', 'urlencoded body of exactly 10 MiB');
  await unchanged('10 MiB');
});

test('a truncated multipart body is 400', async () => {
  const full = multipart([...fieldParts(fields()), { name: 'media', filename: 'p.jpg', type: 'image/jpeg', data: jpeg(9) }], { boundary: 'XyZzY' });
  const noClose = multipart([...fieldParts(fields()), { name: 'media', filename: 'p.jpg', type: 'image/jpeg', data: jpeg(9) }], { boundary: 'XyZzY', closing: false });
  const cuts = [
    ['no closing boundary', noClose.body],
    ['cut inside the file', full.body.subarray(0, full.body.length - 60)],
    ['cut inside part headers', full.body.subarray(0, full.body.indexOf('filename=') + 5)],
    ['only the first boundary', Buffer.from('--XyZzY\r\n')],
    ['no boundary at all', Buffer.from('just bytes, no parts')],
  ];
  for (const [what, body] of cuts) {
    for (const fmt of ['json', 'xml']) {
      const r = await req(srv.base, 'POST', `${P}.${fmt}`, { body, headers: { 'Content-Type': full.contentType } });
      assertError(r, 400, fmt, `truncated multipart: ${what}`);
    }
  }
  await unchanged('truncated multipart');
});

test('a client that stops mid-body or lies about Content-Length changes nothing', async () => {
  const full = multipart([...fieldParts(fields()), { name: 'media', filename: 'p.jpg', type: 'image/jpeg', data: jpeg(10) }]);
  // Declares more than it sends, then half-closes: an error or a closed connection, never a case.
  const head = rawRequest('POST', `${P}.json`, { headers: { 'Content-Type': full.contentType, 'Content-Length': String(full.body.length + 500) } });
  // (The server may also wait for its idle timeout: after 2 s we hang up.)
  const r = await rawHttp(srv.port, [head, full.body], { end: true, timeout: 2000 }).catch(() => ({ status: 0 }));
  assert.ok(r.status === 0 || (r.status >= 400 && r.status < 500), `short body then EOF: ${r.status}`);
  // Sends half and disconnects hard.
  await new Promise((resolve) => {
    const s = net.connect(srv.port, '127.0.0.1', () => {
      s.write(Buffer.concat([head, full.body.subarray(0, full.body.length / 2)]));
      setTimeout(() => { s.destroy(); resolve(); }, 100);
    });
    s.on('error', resolve);
  });
  // urlencoded with a Content-Length shorter than the body: only the declared bytes count
  const body = formEncode(fields({ description: 'short' }));
  const cut = body.indexOf('&service_code');
  assert.ok(cut > 0);
  const r2 = await rawHttp(srv.port, rawRequest('POST', `${P}.json`, {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(cut) }, body,
  }));
  assertError(r2, [400, 403], 'json', 'Content-Length shorter than the body (service_code cut off)');
  await sleep(200);
  await unchanged('cut connections');
});

test('path traversal in media names is 400 or 404 and never a file', async () => {
  const paths = [
    '/media/..%2f..%2fetc%2fpasswd', '/media/../x', '/media/../../../../etc/passwd', '/media/%2e%2e/%2e%2e/etc/passwd',
    '/media/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/media/..%5c..%5cwenming.db', '/media/../wenming.db', '/media/..%2fwenming.db',
    '/media/%00.jpg', '/media/.%2e/wenming.db', '/media//etc/passwd', '/media/ab/../../wenming.db', '/media/%252e%252e%252fwenming.db',
    `/media/${'0'.repeat(64)}.jpg%00.png`, '/media/', '/media',
  ];
  for (const p of paths) {
    const r = await rawHttp(srv.port, rawRequest('GET', p));
    assert.ok([400, 404].includes(r.status), `${p}: ${r.status}`);
    const text = r.body.toString('latin1');
    assert.ok(!text.includes('root:') && !text.includes('SQLite format'), `${p} served a file`);
    if (r.body.length) assertError(r, [400, 404], 'json', p);
  }
  const r = await get(srv.base, `/media/${'0'.repeat(64)}.jpg`);
  assertError(r, 404, 'json', 'media not found');
});

test('methods that do not exist on a path are 405 in the error shape', async () => {
  const cases = [
    ['DELETE', `${P}.json`, 'json'], ['PUT', `${P}.xml`, 'xml'], ['PATCH', `${P}.json`, 'json'],
    ['POST', `${V2}/services.json`, 'json'], ['POST', `${V2}/discovery.xml`, 'xml'], ['DELETE', `${V2}/services/E0101.json`, 'json'],
    ['POST', '/healthz', 'json'],
  ];
  for (const [m, p, fmt] of cases) {
    const r = await req(srv.base, m, p, m === 'POST' ? { body: 'a=b', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } } : {});
    assertError(r, 405, fmt, `${m} ${p}`);
  }
  await unchanged('405');
});

test('unknown paths are 404 in the error shape', async () => {
  assertError(await get(srv.base, '/no/such/path'), 404, 'json', '/no/such/path');
  assertError(await get(srv.base, `${V2}/nope.json`), 404, 'json', 'nope.json');
  assertError(await get(srv.base, `${V2}/nope.xml`), 404, 'xml', 'nope.xml');
  assertError(await postForm(srv.base, `${V2}/nope.json`, fields()), 404, 'json', 'POST nope.json');
  await unchanged('404');
});

test('malformed GET filters are 400', async () => {
  const qs = [
    'start_date=yesterday', 'start_date=2026-02-30T00:00:00%2B08:00', 'start_date=2026-13-01', 'end_date=abc',
    'end_date=2026-01-01T24:61:00Z', 'status=pending', 'status=open,bogus', 'radius=-5&lat=38.9&long=121.6',
    'radius=abc&lat=38.9&long=121.6', 'lat=95&long=121&radius=10', 'lat=abc&long=121&radius=10', 'lat=38.9&long=200&radius=10',
    'page=0', 'page=-1', 'page=abc', 'page=1.5', 'page_size=0', 'page_size=abc', 'page_size=-3', 'page=99999999999999999999',
    // GeoReport v2: a date range may not span more than 90 days; and it must not run backwards
    'start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z', 'start_date=2026-03-02&end_date=2026-03-01',
  ];
  for (const q of qs) {
    assertError(await get(srv.base, `${P}.json?${q}`), 400, 'json', `GET ?${q}`);
  }
  for (const q of ['start_date=yesterday', 'status=pending', 'page=0']) {
    assertError(await get(srv.base, `${P}.xml?${q}`), 400, 'xml', `GET xml ?${q}`);
  }
});

test('headers beyond the limit get a 4xx, and the server lives on', async () => {
  const r = await rawHttp(srv.port, rawRequest('GET', '/healthz', { headers: { 'X-Big': 'b'.repeat(64 * 1024) } }));
  assert.ok(r.status === 0 || (r.status >= 400 && r.status < 500), `64 KiB header: ${r.status}`);
  const g = await rawHttp(srv.port, Buffer.from('GARBAGE /\x01\x02 HTTP/1.1\r\n\r\n'), { end: true });
  assert.ok(g.status === 0 || (g.status >= 400 && g.status < 500), `garbage request line: ${g.status}`);
  const v = await rawHttp(srv.port, Buffer.from('GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n'), { end: true });
  assert.ok(v.status === 0 || v.status === 505 || (v.status >= 400 && v.status < 500), `HTTP/9.9: ${v.status}`);
  assert.equal((await get(srv.base, '/healthz')).status, 200);
});

test('idle and half-sent connections do not starve the server', async () => {
  const socks = await Promise.all(Array.from({ length: 64 }, (_, i) => new Promise((resolve) => {
    const s = net.connect(srv.port, '127.0.0.1', () => {
      // half a request line, half the headers, or a POST that never sends its body
      if (i % 3 === 0) s.write('GET /open311/v2/serv');
      else if (i % 3 === 1) s.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      else s.write(rawRequest('POST', `${P}.json`, { headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': '1000' } }));
      resolve(s);
    });
    s.on('error', () => resolve(s));
  })));
  try {
    const t0 = Date.now();
    const results = await Promise.all(Array.from({ length: 8 }, () => get(srv.base, `${V2}/services.json`, { timeout: 5000 })));
    assert.ok(results.every((r) => r.status === 200), 'served while 64 connections hang');
    assert.ok(Date.now() - t0 < 5000, `served promptly (${Date.now() - t0} ms)`);
  } finally {
    for (const s of socks) s.destroy();
  }
  await unchanged('idle connections');
});

test('random junk never gets a 5xx', async () => {
  let seed = 20261125;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const pick = (a) => a[rnd(a.length)];
  const names = ['api_key', 'service_code', 'lat', 'long', 'description', 'address_string', 'address_id', 'email', 'page', 'page_size',
    'start_date', 'end_date', 'status', 'radius', 'service_request_id', 'jurisdiction_id', 'media_url', 'attribute[x]', 'attribute[]', 'attribute[a][]', '', '%', 'a%00b'];
  const values = ['', '0', '-1', '1e309', '%FF', '%00', '%', '%%', '+', 'E0101', 'P0101', 'open', 'closed', '2026-01-01', 'Ω', '文明',
    '<x>', '"\'', 'x'.repeat(5000), '..%2f..', 'DL2601010000000', ',,,', 'null', 'true', '[]', '{}'];
  const paths = [`${P}.json`, `${P}.xml`, `${V2}/services.json`, `${V2}/services/E0101.xml`, `${V2}/requests/x.json`, `${V2}/tokens/%FF.json`, `${V2}/discovery.json`, '/healthz', '/media/x'];
  const jobs = Array.from({ length: 300 }, () => {
    const n = rnd(6);
    const q = Array.from({ length: n }, () => `${pick(names)}=${pick(values)}`).join('&');
    const keep = rnd(2) === 0;
    const body = (keep ? formEncode(fields()) + '&' : '') + q;
    return { m: pick(['GET', 'POST', 'POST']), p: pick(paths), q, body, ct: pick(['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'text/plain', 'multipart/form-data; boundary=zz']) };
  });
  const results = await pool(jobs, 4, async (j) => {
    const r = j.m === 'GET'
      ? await rawHttp(srv.port, rawRequest('GET', `${j.p}?${j.q}`))
      : await rawHttp(srv.port, rawRequest('POST', j.p, { headers: { 'Content-Type': j.ct }, body: j.body }));
    return { ...j, status: r.status };
  });
  const bad = results.filter((r) => r.status >= 500 || r.status === 0);
  assert.deepEqual(bad.map((b) => `${b.status} ${b.m} ${b.p} ${b.m === 'GET' ? b.q : b.body.slice(0, 200)}`), [], 'no 5xx and no dropped connection');
  // Junk with a valid base may legitimately create requests; that is checked elsewhere.
  expectCount = await countRequests(srv);
  expectMedia = filesUnder(srv.mediaDir);
  assert.equal((await get(srv.base, '/healthz')).status, 200);
});

// POST requests in both formats: urlencoded and multipart, every location form, photos of
// each accepted type, attributes of each datatype, text round trips, tokens, and contact
// details that never come back out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { get, postMultipart, fieldParts, parseXml, xmlRoot, contentType } from './lib/http.mjs';
import {
  V2, DALIAN, REQUEST_FIELDS, DATETIME_RE, TRACKING_RE, DATATYPES, catalogue, fileRequest,
  fetchRequest, attrFields, attrParam, validAttrValue, isOk, shanghaiYYMMDD, listAll,
} from './lib/open311.mjs';
import { jpeg, png, webp, MIME } from './lib/images.mjs';

let srv;
before(async () => { srv = await startServer({ demo: true }); });
after(async () => { await srv?.stop(); });

test('urlencoded POST .json answers [{service_request_id, token, service_notice, account_id}]', async () => {
  const t0 = Date.now();
  const { id, token, item, res } = await fileRequest(srv, { description: '路边有暴露垃圾' });
  assert.match(contentType(res), /^application\/json/);
  assert.match(id, TRACKING_RE, `tracking code form: ${id}`);
  const day = id.slice(2, 8);
  assert.ok([shanghaiYYMMDD(t0), shanghaiYYMMDD(Date.now())].includes(day), `date part ${day} is today in Shanghai`);
  assert.ok(typeof token === 'string' && token.length >= 8, `token: ${token}`);
  assert.ok('service_notice' in item, 'service_notice in the answer');
  assert.ok('account_id' in item, 'account_id in the answer');

  const r = await fetchRequest(srv, id);
  for (const f of REQUEST_FIELDS) assert.ok(f in r, `GET requests/{id}.json has ${f}: ${JSON.stringify(r)}`);
  assert.equal(r.service_request_id, id);
  assert.equal(r.status, 'open');
  assert.equal(r.description, '路边有暴露垃圾');
  const cat = await catalogue(srv);
  assert.equal(r.service_code, cat.plain);
  assert.equal(r.service_name, cat.services.find((s) => s.service_code === cat.plain).service_name);
  assert.equal(typeof r.lat, 'number');
  assert.equal(typeof r.long, 'number');
  assert.ok(Math.abs(r.lat - DALIAN.lat) < 1e-6 && Math.abs(r.long - DALIAN.long) < 1e-6, `lat/long kept: ${r.lat},${r.long}`);
  assert.match(r.requested_datetime, DATETIME_RE);
  assert.match(r.updated_datetime, DATETIME_RE);
  if (r.expected_datetime) assert.match(r.expected_datetime, DATETIME_RE);
  const req = Date.parse(r.requested_datetime);
  assert.ok(req >= t0 - 2000 && req <= Date.now() + 2000, `requested_datetime ${r.requested_datetime} is now`);
  if (r.expected_datetime) assert.ok(Date.parse(r.expected_datetime) > req, 'expected after requested');
});

test('the token leads back to the request, in both formats', async () => {
  const { id, token } = await fileRequest(srv);
  const j = await get(srv.base, `${V2}/tokens/${encodeURIComponent(token)}.json`);
  assert.equal(j.status, 200, j.text);
  assert.deepEqual(j.json().map((x) => [x.service_request_id, x.token]), [[id, token]]);
  const x = await get(srv.base, `${V2}/tokens/${encodeURIComponent(token)}.xml`);
  assert.equal(x.status, 200);
  assert.equal(xmlRoot(x.text), 'service_requests');
  const reqs = parseXml(x.text).service_requests.request;
  assert.equal(reqs.length, 1);
  assert.equal(reqs[0].service_request_id, id);
  assert.equal(reqs[0].token, token);
});

test('urlencoded POST .xml answers <service_requests><request> with the id and token', async () => {
  const { id, token, res } = await fileRequest(srv, { description: 'xml post' }, { format: 'xml' });
  assert.match(contentType(res), /xml/);
  assert.equal(xmlRoot(res.text), 'service_requests');
  assert.match(id, TRACKING_RE);
  assert.ok(token && token.length >= 8);
  const r = await fetchRequest(srv, id);
  assert.equal(r.description, 'xml post');
});

test('address_string alone, address_id alone, and lat/long with jurisdiction_id are each a location', async () => {
  const a = await fileRequest(srv, { lat: undefined, long: undefined, address_string: '大连市中山区人民路 23 号' });
  const ra = await fetchRequest(srv, a.id);
  assert.equal(ra.address, '大连市中山区人民路 23 号');
  const b = await fileRequest(srv, { lat: undefined, long: undefined, address_id: 'ADDR-123456' });
  const rb = await fetchRequest(srv, b.id);
  assert.equal(rb.address_id, 'ADDR-123456');
  const c = await fileRequest(srv, { jurisdiction_id: 'dalian' });
  assert.ok(c.id);
  const d = await fileRequest(srv, { lat: '-0.0', long: '0', address_string: 'edge: 0,0 is a valid point' });
  assert.ok(d.id, 'lat/long 0 are valid numbers');
  const e = await fileRequest(srv, { lat: '90', long: '-180' });
  assert.ok(e.id, 'range ends are inclusive');
});

test('text fields round-trip exactly: Chinese, markup characters, newlines, 4000 characters', async () => {
  const tricky = '井盖缺失 <b>&amp; "quoted" \'single\'</b> ]]> 🚧\nsecond line\ttab';
  const { id } = await fileRequest(srv, { description: tricky, address_string: '<中山路 & 人民路>' });
  const r = await fetchRequest(srv, id);
  assert.equal(r.description, tricky);
  assert.equal(r.address, '<中山路 & 人民路>');
  const x = await get(srv.base, `${V2}/requests/${id}.xml`);
  assert.equal(x.status, 200);
  const xr = parseXml(x.text).service_requests.request[0];
  assert.equal(xr.description, tricky, 'XML escapes and the parser restores the same text');
  assert.equal(xr.address, '<中山路 & 人民路>');

  const ascii = 'a'.repeat(4000);
  const r1 = await fetchRequest(srv, (await fileRequest(srv, { description: ascii })).id);
  assert.equal(r1.description, ascii, '4000 ASCII characters are accepted whole');
  const han = '文'.repeat(4000);
  const r2 = await fetchRequest(srv, (await fileRequest(srv, { description: han })).id);
  assert.equal(r2.description, han, '4000 Chinese characters (12000 bytes) are accepted whole');
});

test('media_url given by the client is shown back', async () => {
  const url = 'https://img.example.org/photos/abc.jpg?size=large';
  const { id } = await fileRequest(srv, { media_url: url });
  const r = await fetchRequest(srv, id);
  assert.equal(r.media_url, url);
});

test('multipart POST without a file works, in both formats', async () => {
  const cat = await catalogue(srv);
  for (const fmt of ['json', 'xml']) {
    const res = await postMultipart(srv.base, `${V2}/requests.${fmt}`, fieldParts({
      api_key: srv.apiKey, service_code: cat.plain, lat: DALIAN.lat, long: DALIAN.long, description: `multipart ${fmt} 无图`,
    }));
    assert.ok(isOk(res.status), `${fmt}: ${res.status} ${res.text}`);
    const id = fmt === 'json' ? res.json()[0].service_request_id : parseXml(res.text).service_requests.request[0].service_request_id;
    const r = await fetchRequest(srv, id);
    assert.equal(r.description, `multipart ${fmt} 无图`);
    assert.ok(!r.media_url, 'no photo, no media_url');
  }
});

for (const [ext, make] of [['jpg', () => jpeg(7)], ['png', () => png(3, 3, 7)], ['webp', () => webp()]]) {
  test(`multipart POST with a ${ext} photo: media_url is absolute and serves the same bytes`, async () => {
    const bytes = make();
    for (const fmt of ['json', 'xml']) {
      const { id } = await fileRequest(srv, { description: `photo ${ext} ${fmt}` }, {
        format: fmt,
        files: [{ name: 'media', filename: `photo.${ext}`, type: MIME[ext], data: bytes }],
      });
      const r = await fetchRequest(srv, id);
      assert.match(r.media_url, new RegExp(`^${srv.base.replace(/\./g, '\\.')}/media/[0-9a-f]{64}\\.${ext}$`), `media_url: ${r.media_url}`);
      const m = await get(srv.base, new URL(r.media_url).pathname);
      assert.equal(m.status, 200);
      assert.equal(contentType(m), MIME[ext]);
      assert.ok(m.body.equals(bytes), 'exact bytes');
    }
  });
}

test('the file part may come first, before the fields', async () => {
  const cat = await catalogue(srv);
  const bytes = png(2, 2, 99);
  const res = await postMultipart(srv.base, `${V2}/requests.json`, [
    { name: 'media', filename: 'first.png', type: 'image/png', data: bytes },
    ...fieldParts({ api_key: srv.apiKey, service_code: cat.plain, lat: DALIAN.lat, long: DALIAN.long }),
  ]);
  assert.ok(isOk(res.status), res.text);
  const r = await fetchRequest(srv, res.json()[0].service_request_id);
  assert.match(r.media_url, /\/media\/[0-9a-f]{64}\.png$/);
});

test('attributes of every datatype are accepted (urlencoded and multipart)', async () => {
  const cat = await catalogue(srv);
  for (const t of DATATYPES) {
    const pick = cat.byType.get(t);
    assert.ok(pick, `a service with a ${t} attribute`);
    const fields = Object.fromEntries(attrFields(pick.def, { except: pick.attr.code }));
    fields[attrParam(pick.attr)] = validAttrValue(pick.attr);
    const { id } = await fileRequest(srv, { service_code: pick.code, ...fields, description: `attr ${t}` });
    const r = await fetchRequest(srv, id);
    assert.equal(r.service_code, pick.code);
    const mp = await fileRequest(srv, { service_code: pick.code, ...fields, description: `attr ${t} mp` }, { files: [] });
    assert.ok(mp.id, `multipart with a ${t} attribute`);
  }
});

test('every attribute of a service at once, all values valid', async () => {
  const cat = await catalogue(srv);
  for (const [code, def] of cat.defs) {
    const fields = Object.fromEntries(attrFields(def, { all: true }));
    const { id } = await fileRequest(srv, { service_code: code, ...fields });
    assert.ok(id, code);
  }
});

test('a required attribute can be met: with it the request is accepted', async () => {
  const cat = await catalogue(srv);
  const { code, def } = cat.required;
  const fields = Object.fromEntries(attrFields(def));
  const { id } = await fileRequest(srv, { service_code: code, ...fields });
  assert.equal((await fetchRequest(srv, id)).service_code, code);
});

test('contact details are stored but never shown: not in the POST answer, GETs, lists, tokens, XML', async () => {
  const secret = {
    email: 'zhang.secret.7731@example.com',
    phone: '+86-138-0000-7731',
    first_name: 'Secretfirst7731',
    last_name: 'Secretlast7731',
    device_id: 'device-secret-7731',
    account_id: 'acct-7731',
  };
  const post = await fileRequest(srv, { ...secret, description: 'contact test' });
  const postXml = await fileRequest(srv, { ...secret, description: 'contact test xml' }, { format: 'xml' });
  const mp = await fileRequest(srv, { ...secret, description: 'contact test multipart' }, { files: [] });
  const bodies = [post.res.text, postXml.res.text, mp.res.text];
  for (const { id, token } of [post, postXml, mp]) {
    for (const p of [`requests/${id}.json`, `requests/${id}.xml`, `tokens/${token}.json`, `tokens/${token}.xml`,
      `requests.json?service_request_id=${id}`, `requests.xml?service_request_id=${id}`]) {
      const r = await get(srv.base, `${V2}/${p}`);
      assert.equal(r.status, 200, p);
      bodies.push(r.text);
    }
  }
  bodies.push(JSON.stringify(await listAll(srv)));
  bodies.push((await get(srv.base, `${V2}/requests.xml?page_size=50`)).text);
  for (const b of bodies) {
    assert.doesNotMatch(b, /"(email|phone|first_name|last_name|device_id)"\s*:/, 'no contact field in JSON');
    assert.doesNotMatch(b, /<(email|phone|first_name|last_name|device_id)>/, 'no contact element in XML');
    for (const [k, v] of Object.entries(secret)) {
      if (k === 'account_id') continue; // Open311 returns the account id to the client that posted
      assert.ok(!b.includes(v), `${k} must not appear in public output: ${b.slice(0, 300)}`);
      assert.ok(!b.includes('7731@'), 'no part of the email either');
    }
  }
});

test('ids and tokens are unique across many requests', async () => {
  const ids = new Set();
  const tokens = new Set();
  const made = await Promise.all(Array.from({ length: 40 }, (_, i) => fileRequest(srv, { description: `unique ${i}` })));
  for (const m of made) {
    assert.match(m.id, TRACKING_RE);
    ids.add(m.id);
    tokens.add(m.token);
  }
  assert.equal(ids.size, 40);
  assert.equal(tokens.size, 40);
});

// GET requests with every filter (service_request_id, service_code, start_date, end_date,
// status, lat/long/radius, page/page_size) in JSON and XML; GET requests/{id}; tokens.
// Requests made here are told apart from the demo cases by start_date (they are newer).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { get, parseXml, xmlRoot, assertError, contentType, sleep } from './lib/http.mjs';
import {
  V2, DALIAN, REQUEST_FIELDS, DATETIME_RE, catalogue, fileRequest, fetchRequest, haversine, offset,
  fakeTrackingId, keyed,
} from './lib/open311.mjs';
import { jpeg } from './lib/images.mjs';

let srv;
let since;        // ISO start_date just before our requests
let sinceMs;
const mine = [];  // {id, token, code, lat, long}
let codeA;
let codeB;

function iso(ms, tz = '+08:00') {
  if (tz === 'Z') return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const d = new Date(Math.floor(ms / 1000) * 1000 + 8 * 3600 * 1000);
  return d.toISOString().replace('.000Z', '+08:00');
}

before(async () => {
  srv = await startServer({ demo: true });
  const cat = await catalogue(srv);
  assert.ok(cat.plainList.length >= 2, 'two services without required attributes');
  [codeA, codeB] = cat.plainList.slice(-2);
  await sleep(1100);
  sinceMs = Date.now() - 50;
  since = iso(sinceMs - 1000);
  await sleep(1100); // our requests are strictly newer than `since` and than the demo data
  const spots = [
    { code: codeA, ...DALIAN },
    { code: codeA, ...offset(DALIAN, 500, 0) },
    { code: codeB, ...offset(DALIAN, 0, 5000) },
    { code: codeB, ...offset(DALIAN, -300, -300) },
    { code: codeA, ...offset(DALIAN, 20000, 20000) },
  ];
  for (const s of spots) { // one at a time: distinct requested times, known order
    const r = await fileRequest(srv, { service_code: s.code, lat: s.lat, long: s.long, description: `get-test ${s.code}` });
    mine.push({ id: r.id, token: r.token, code: s.code, lat: s.lat, long: s.long });
    await sleep(1050);
  }
});
after(async () => { await srv?.stop(); });

// As an integrator with the instance's key sees them; { keyless: true } as the public does.
async function list(query, fmt = 'json', { keyless = false } = {}) {
  const r = await get(srv.base, `${V2}/requests.${fmt}?${keyless ? '' : keyed(srv) + '&'}${query}`);
  assert.equal(r.status, 200, `requests.${fmt}?${query}: ${r.text.slice(0, 300)}`);
  if (fmt === 'xml') {
    assert.match(contentType(r), /xml/);
    assert.equal(xmlRoot(r.text), 'service_requests');
    const doc = parseXml(r.text).service_requests;
    return doc?.request ?? [];
  }
  assert.match(contentType(r), /^application\/json/);
  const body = r.json();
  assert.ok(Array.isArray(body), 'a JSON array');
  return body;
}
const ids = (items) => items.map((x) => x.service_request_id);
const mineIds = (pred = () => true) => mine.filter(pred).map((m) => m.id);
const ours = (items) => ids(items).filter((i) => mine.some((m) => m.id === i));
const sameSet = (a, b, msg) => assert.deepEqual([...a].sort(), [...b].sort(), msg);

function checkItem(x, fmt) {
  for (const f of REQUEST_FIELDS) assert.ok(f in x, `${fmt} request has ${f}: ${JSON.stringify(x).slice(0, 400)}`);
  assert.ok(['open', 'closed'].includes(x.status), `status ${x.status}`);
  assert.match(x.requested_datetime, DATETIME_RE);
  assert.match(x.updated_datetime, DATETIME_RE);
  if (fmt === 'json') {
    if (x.lat !== null && x.lat !== '') assert.equal(typeof x.lat, 'number');
    if (x.long !== null && x.long !== '') assert.equal(typeof x.long, 'number');
  } else if (x.lat !== '') {
    assert.ok(Number.isFinite(Number(x.lat)) && Number.isFinite(Number(x.long)), 'XML lat/long are numbers');
  }
}

test('without parameters: newest requests with every field, ours among them', async () => {
  const items = await list('');
  assert.ok(items.length >= mine.length);
  for (const x of items) checkItem(x, 'json');
  sameSet(ours(items), mineIds(), 'our five (the newest) are listed by default');
  const xml = await list('', 'xml');
  assert.equal(xml.length, items.length);
  for (const x of xml) checkItem(x, 'xml');
});

test('lists come newest first', async () => {
  const items = await list(`start_date=${encodeURIComponent(since)}`);
  assert.deepEqual(ids(items), mineIds().reverse(), 'newest first');
  const all = await list('page_size=50&status=open,closed');
  const times = all.map((x) => Date.parse(x.requested_datetime));
  for (let i = 1; i < times.length; i++) assert.ok(times[i - 1] >= times[i], 'requested_datetime never increases down the list');
});

test('service_request_id: a comma list returns exactly those, in both formats', async () => {
  const want = [mine[0].id, mine[2].id, mine[4].id];
  sameSet(ids(await list(`service_request_id=${want.join(',')}`)), want);
  sameSet(ids(await list(`service_request_id=${want.join(',')}`, 'xml')), want);
  sameSet(ids(await list(`service_request_id=${mine[1].id}`)), [mine[1].id]);
});

test('service_request_id overrides the other filters (GeoReport v2)', async () => {
  const want = [mine[0].id, mine[1].id];
  sameSet(ids(await list(`service_request_id=${want.join(',')}&status=closed&service_code=E9999`)), want);
});

test('service_code: one code, and a comma list', async () => {
  const q = `start_date=${encodeURIComponent(since)}`;
  const a = await list(`${q}&service_code=${codeA}`);
  assert.ok(a.every((x) => x.service_code === codeA));
  sameSet(ids(a), mineIds((m) => m.code === codeA));
  const b = await list(`${q}&service_code=${codeB}`, 'xml');
  assert.ok(b.every((x) => x.service_code === codeB));
  sameSet(ids(b), mineIds((m) => m.code === codeB));
  sameSet(ids(await list(`${q}&service_code=${codeA},${codeB}`)), mineIds());
  sameSet(ids(await list(`${q}&service_code=${codeA},%20${codeB}`)), mineIds(), 'a space after the comma, as people type lists');
  const wide = await list(`service_code=${codeA}&page_size=50`);
  assert.ok(wide.every((x) => x.service_code === codeA), 'without start_date too');
});

test('start_date and end_date bound requested_datetime, with Z, +08:00 and bare dates', async () => {
  const now = Date.now();
  sameSet(ids(await list(`start_date=${encodeURIComponent(since)}`)), mineIds(), 'start_date (+08:00) just before ours');
  sameSet(ids(await list(`start_date=${encodeURIComponent(iso(sinceMs - 1000, 'Z'))}`)), mineIds(), 'start_date in Z');
  assert.deepEqual(await list(`start_date=${encodeURIComponent(iso(now + 3600e3))}`), [], 'start_date in the future: nothing');
  const before = await list(`end_date=${encodeURIComponent(iso(sinceMs - 1000))}&page_size=50`);
  assert.deepEqual(ours(before), [], 'end_date before ours excludes them');
  for (const x of before) assert.ok(Date.parse(x.requested_datetime) <= sinceMs, `${x.requested_datetime} before end_date`);
  // A window that holds exactly mine[1..3] (inclusive both ends, second resolution).
  const t1 = Date.parse((await list(`service_request_id=${mine[1].id}`))[0].requested_datetime);
  const t3 = Date.parse((await list(`service_request_id=${mine[3].id}`))[0].requested_datetime);
  sameSet(ids(await list(`start_date=${encodeURIComponent(iso(t1))}&end_date=${encodeURIComponent(iso(t3, 'Z'))}`)),
    [mine[1].id, mine[2].id, mine[3].id], 'inclusive window');
  // Bare dates: tomorrow (Shanghai) starts after everything; yesterday..tomorrow holds ours.
  const day = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 10);
  assert.deepEqual(await list(`start_date=${day(now + 86400e3)}`), []);
  const window = await list(`start_date=${day(now - 86400e3)}&end_date=${day(now + 86400e3)}&page_size=50`);
  for (const m of mine) assert.ok(ids(window).includes(m.id), 'bare-date window holds ours');
  // Every item of a week's list is inside the bounds.
  const s = now - 7 * 86400e3;
  const week = await list(`start_date=${encodeURIComponent(iso(s))}&end_date=${encodeURIComponent(iso(now + 60e3))}&page_size=50`);
  for (const x of week) {
    const t = Date.parse(x.requested_datetime);
    assert.ok(t >= Math.floor(s / 1000) * 1000 && t <= now + 60e3, `${x.requested_datetime} inside the week`);
  }
});

test('status: open, closed, and both', async () => {
  const q = `start_date=${encodeURIComponent(since)}`;
  sameSet(ids(await list(`${q}&status=open`)), mineIds());
  assert.deepEqual(ours(await list(`${q}&status=closed`)), []);
  sameSet(ids(await list(`${q}&status=open,closed`)), mineIds());
  const open = await list('status=open&page_size=50');
  assert.ok(open.length > 0 && open.every((x) => x.status === 'open'));
  const closed = await list('status=closed&page_size=50', 'xml');
  assert.ok(closed.every((x) => x.status === 'closed'));
  const both = await list('status=open,closed&page_size=50');
  assert.ok(both.length >= Math.min(50, open.length));
});

test('lat/long/radius (metres) select by distance, in both formats', async () => {
  const q = `start_date=${encodeURIComponent(since)}&lat=${DALIAN.lat}&long=${DALIAN.long}`;
  sameSet(ids(await list(`${q}&radius=100`)), [mine[0].id], '100 m: the centre only');
  sameSet(ids(await list(`${q}&radius=600`)), [mine[0].id, mine[1].id, mine[3].id], '600 m: centre, 500 m north, 424 m south-west');
  sameSet(ids(await list(`${q}&radius=450`, 'xml')), [mine[0].id, mine[3].id], '450 m (xml)');
  sameSet(ids(await list(`${q}&radius=6000`)), [mine[0].id, mine[1].id, mine[2].id, mine[3].id], '6 km: not the one 28 km away');
  // Every item of a wider search is within the radius.
  const wide = await list(`lat=${DALIAN.lat}&long=${DALIAN.long}&radius=3000&page_size=50`);
  for (const x of wide) {
    const d = haversine(DALIAN.lat, DALIAN.long, Number(x.lat), Number(x.long));
    assert.ok(d <= 3000 * 1.005 + 1, `${x.service_request_id} at ${d.toFixed(0)} m is inside 3000 m`);
  }
});

test('page and page_size walk the list without gaps or repeats', async () => {
  const q = `start_date=${encodeURIComponent(since)}&page_size=2`;
  const p1 = await list(`${q}&page=1`);
  const p2 = await list(`${q}&page=2`);
  const p3 = await list(`${q}&page=3`, 'xml');
  const p4 = await list(`${q}&page=4`);
  assert.deepEqual([p1.length, p2.length, p3.length, p4.length], [2, 2, 1, 0]);
  const all = [...ids(p1), ...ids(p2), ...ids(p3)];
  assert.equal(new Set(all).size, 5, 'no repeats');
  assert.deepEqual(all, mineIds().reverse(), 'pages follow the newest-first order');
  assert.deepEqual(ids(await list(`start_date=${encodeURIComponent(since)}&page_size=2`)), ids(p1), 'page defaults to 1');
  const big = await list('page_size=3');
  assert.equal(big.length, 3);
});

test('GET requests/{id} in both formats returns that one request with every field', async () => {
  const m = mine[2];
  const j = await get(srv.base, `${V2}/requests/${m.id}.json?${keyed(srv)}`);
  assert.equal(j.status, 200);
  const arr = j.json();
  assert.equal(arr.length, 1);
  checkItem(arr[0], 'json');
  assert.equal(arr[0].service_request_id, m.id);
  assert.equal(arr[0].service_code, codeB);
  assert.ok(Math.abs(arr[0].lat - m.lat) < 1e-6 && Math.abs(arr[0].long - m.long) < 1e-6);
  const x = await get(srv.base, `${V2}/requests/${m.id}.xml?${keyed(srv)}`);
  assert.equal(x.status, 200);
  assert.equal(xmlRoot(x.text), 'service_requests');
  const xr = parseXml(x.text).service_requests.request;
  assert.equal(xr.length, 1);
  checkItem(xr[0], 'xml');
  assert.equal(xr[0].service_request_id, m.id);
  assert.equal(xr[0].description, arr[0].description);
  assert.ok(Math.abs(Number(xr[0].lat) - m.lat) < 1e-6);
});

test('without a key Open311 shows what the portal shows: numbers, house numbers and the point masked, no report photo', async () => {
  const at = offset(DALIAN, 1234, 567);
  const r = await fileRequest(srv, {
    service_code: codeA, lat: at.lat, long: at.long, address_string: '中山路123号3栋2单元501室',
    description: '门口堆了杂物，请联系我 138 1234 5678，身份证 210202199001011234', address_id: 'bldg-77',
  }, { files: [{ name: 'media', filename: 'a.jpg', type: 'image/jpeg', data: jpeg(77) }] });
  const full = await fetchRequest(srv, r.id);
  assert.equal(full.description, '门口堆了杂物，请联系我 138 1234 5678，身份证 210202199001011234');
  assert.equal(full.address, '中山路123号3栋2单元501室');
  assert.equal(full.address_id, 'bldg-77');
  assert.match(full.media_url, /\/media\/[0-9a-f]{64}\.jpg$/);
  assert.ok(Math.abs(full.lat - at.lat) < 1e-6 && Math.abs(full.long - at.long) < 1e-6, 'the key sees the point as filed');

  const pub = await fetchRequest(srv, r.id, { keyless: true }); // same path a moment later: no cached keyed answer
  assert.equal(pub.description, '门口堆了杂物，请联系我 ***，身份证 ***');
  assert.equal(pub.address, '中山路**号**栋**单元**室');
  assert.equal(pub.address_id, '');
  assert.equal(pub.media_url, null, 'the report\'s photo may show people and doors');
  const moved = haversine(at.lat, at.long, pub.lat, pub.long);
  assert.ok(moved > 1 && moved < 145, `the point moved to its cell's centre (${moved.toFixed(0)} m)`);
  for (const k of ['service_request_id', 'status', 'service_code', 'requested_datetime', 'agency_responsible']) assert.deepEqual(pub[k], full[k], k);

  const [xml] = await list(`service_request_id=${r.id}`, 'xml', { keyless: true });
  assert.equal(xml.description, pub.description);
  assert.equal(xml.address, pub.address);
  assert.equal(Number(xml.lat), pub.lat);
  assert.equal((await fetchRequest(srv, r.id)).address, full.address, 'the keyed answer again after the public one');

  // Narrowing circles find the masked point, never the true one.
  const q = `service_code=${codeA}&start_date=${encodeURIComponent(since)}`;
  assert.deepEqual(ids(await list(`${q}&lat=${pub.lat}&long=${pub.long}&radius=1`, 'json', { keyless: true })), [r.id]);
  assert.deepEqual(ids(await list(`${q}&lat=${at.lat}&long=${at.long}&radius=1`, 'json', { keyless: true })), [], 'keyless: 1 m around the true point');
  assert.deepEqual(ids(await list(`${q}&lat=${at.lat}&long=${at.long}&radius=1`)), [r.id], 'keyed: 1 m around the true point');
  // a masked point up to ~142 m away from the true one is still found by a circle near it
  assert.ok(ids(await list(`${q}&lat=${at.lat}&long=${at.long}&radius=${Math.ceil(moved) + 1}`, 'json', { keyless: true })).includes(r.id));
});

test('a wrong api_key on a read is refused, not quietly answered masked', async () => {
  for (const fmt of ['json', 'xml']) {
    assertError(await get(srv.base, `${V2}/requests.${fmt}?api_key=wm_not_a_key`), 403, fmt, 'list');
    assertError(await get(srv.base, `${V2}/requests/${mine[0].id}.${fmt}?api_key=wm_not_a_key`), 403, fmt, 'one');
  }
  const blank = await get(srv.base, `${V2}/requests/${mine[0].id}.json?api_key=`);
  assert.equal(blank.status, 200, 'an empty key is no key');
  assert.equal(blank.json()[0].lat === mine[0].lat, false, 'and sees the public view');
});

test('an unknown request id or token is a 404 in the error shape', async () => {
  const fake = fakeTrackingId(mine.map((m) => m.id));
  assert.ok(fake, `the check symbol of ${mine[0].id} follows Luhn mod 32 over Crockford base 32`);
  const broken = mine[0].id.slice(0, -1) + (mine[0].id.endsWith('0') ? '1' : '0'); // wrong check symbol
  for (const fmt of ['json', 'xml']) {
    assertError(await get(srv.base, `${V2}/requests/${fake}.${fmt}`), 404, fmt, `well-formed unknown id ${fake}`);
    assertError(await get(srv.base, `${V2}/requests/${broken}.${fmt}`), [400, 404], fmt, 'bad check symbol');
    assertError(await get(srv.base, `${V2}/requests/nonsense.${fmt}`), [400, 404], fmt, 'not a tracking code');
    assertError(await get(srv.base, `${V2}/tokens/no-such-token-123456.${fmt}`), 404, fmt, 'unknown token');
  }
  // Unknown ids in a list are simply not found.
  sameSet(ids(await list(`service_request_id=${mine[0].id},${fake}`)), [mine[0].id]);
});

// Open311 helpers shared by the test files: finding services by attribute type, filing a
// request, counting requests, the request field list.
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { get, postForm, postMultipart, fieldParts, parseXml, pool } from './http.mjs';

export const V2 = '/open311/v2';

// Zhongshan Square area, central Dalian (inside the demo city).
export const DALIAN = { lat: 38.9140, long: 121.6147 };

export const REQUEST_FIELDS = [
  'service_request_id', 'status', 'status_notes', 'service_name', 'service_code', 'description',
  'agency_responsible', 'service_notice', 'requested_datetime', 'updated_datetime',
  'expected_datetime', 'address', 'address_id', 'zipcode', 'lat', 'long', 'media_url',
];

// An ISO 8601 date-time with +08:00, as the server must write them.
export const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/;
// DL + YYMMDD + 6 random + 1 check symbol, Crockford base 32 (no I L O U).
export const TRACKING_RE = /^DL\d{6}[0-9A-HJKMNP-TV-Z]{7}$/;

export const DATATYPES = ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'];

export function isOk(status) {
  return status === 200 || status === 201;
}

// services.json, every definition of a metadata:true service, and picks:
//   plain: a service without required attributes (any request can use it)
//   byType: datatype -> {code, attr, def} (first attribute found of that type)
//   required: {code, def, attr} of a service with a required attribute
const cache = new WeakMap();
export async function catalogue(srv) {
  if (cache.has(srv)) return cache.get(srv);
  const res = await get(srv.base, `${V2}/services.json`);
  assert.equal(res.status, 200, `services.json: ${res.text.slice(0, 300)}`);
  const services = res.json();
  assert.ok(Array.isArray(services) && services.length > 0, 'services.json lists services');
  const defs = new Map();
  const withMeta = services.filter((s) => s.metadata === true);
  await pool(withMeta, 8, async (s) => {
    const d = await get(srv.base, `${V2}/services/${encodeURIComponent(s.service_code)}.json`);
    assert.equal(d.status, 200, `definition of ${s.service_code}: ${d.text.slice(0, 300)}`);
    defs.set(s.service_code, d.json());
  });
  const byType = new Map();
  let required = null;
  for (const s of withMeta) {
    for (const a of defs.get(s.service_code).attributes ?? []) {
      if (!byType.has(a.datatype)) byType.set(a.datatype, { code: s.service_code, attr: a, def: defs.get(s.service_code) });
      if (a.required === true && a.variable !== false && !required) required = { code: s.service_code, attr: a, def: defs.get(s.service_code) };
    }
  }
  const noRequired = (s) => !s.metadata || !(defs.get(s.service_code)?.attributes ?? []).some((a) => a.required === true && a.variable !== false);
  const plainList = services.filter(noRequired);
  const out = { services, defs, byType, required, plain: plainList[0]?.service_code, plainList: plainList.map((s) => s.service_code) };
  cache.set(srv, out);
  return out;
}

// A valid value for an attribute (multivaluelist: an array of keys).
export function validAttrValue(a) {
  switch (a.datatype) {
    case 'string': return 'abc 字符';
    case 'number': return '42';
    case 'datetime': return '2026-01-02T03:04:05+08:00';
    case 'text': return '第一行\n第二行';
    case 'singlevaluelist': return a.values[0].key;
    case 'multivaluelist': return a.values.slice(0, 2).map((v) => v.key);
    default: throw new Error(`unknown datatype ${a.datatype}`);
  }
}

export function attrParam(a) {
  return a.datatype === 'multivaluelist' ? `attribute[${a.code}][]` : `attribute[${a.code}]`;
}

// Fields for every required attribute of a definition (and, with `all`, every attribute).
export function attrFields(def, { all = false, except = null } = {}) {
  const out = [];
  for (const a of def?.attributes ?? []) {
    if (a.variable === false || a.code === except) continue;
    if (!all && a.required !== true) continue;
    out.push([attrParam(a), validAttrValue(a)]);
  }
  return out;
}

// Files a request and returns {id, token, body}; asserts success. fields are added to defaults
// (service_code: the plain service, Dalian lat/long, description, api_key). `multipart` adds
// file parts.
export async function fileRequest(srv, fields = {}, { format = 'json', files = null } = {}) {
  const cat = await catalogue(srv);
  const all = { api_key: srv.apiKey, service_code: cat.plain, lat: DALIAN.lat, long: DALIAN.long, description: 'test request', ...fields };
  for (const k of Object.keys(all)) if (all[k] === undefined) delete all[k];
  const res = files
    ? await postMultipart(srv.base, `${V2}/requests.${format}`, [...fieldParts(all), ...files])
    : await postForm(srv.base, `${V2}/requests.${format}`, all);
  assert.ok(isOk(res.status), `POST requests.${format} expected 200/201, got ${res.status}: ${res.text.slice(0, 500)}`);
  let item;
  if (format === 'xml') {
    const doc = parseXml(res.text);
    item = doc.service_requests?.request?.[0];
  } else {
    const body = res.json();
    assert.ok(Array.isArray(body) && body.length === 1, `POST response is an array of one: ${res.text.slice(0, 300)}`);
    item = body[0];
  }
  assert.ok(item && typeof item.service_request_id === 'string', `service_request_id in ${res.text.slice(0, 300)}`);
  return { id: item.service_request_id, token: item.token, item, res };
}

// The query string that shows requests as filed: the integrator's key (without it, Open311
// answers what the public may see, masked).
export const keyed = (srv) => `api_key=${encodeURIComponent(srv.apiKey)}`;

// GET requests/{id}.json -> the one request object (asserts 200 and the one-element array),
// as an integrator with the instance's key sees it; { keyless: true } as the public does.
export async function fetchRequest(srv, id, { keyless = false } = {}) {
  const res = await get(srv.base, `${V2}/requests/${encodeURIComponent(id)}.json${keyless ? '' : '?' + keyed(srv)}`);
  assert.equal(res.status, 200, `GET requests/${id}.json: ${res.text.slice(0, 300)}`);
  const body = res.json();
  assert.ok(Array.isArray(body) && body.length === 1, `requests/${id}.json is an array of one`);
  return body[0];
}

// All requests of the last 89 days (GeoReport v2 caps a date range at 90 days) up to a day
// ahead, every status, by paging; with the instance's key.
export async function listAll(srv, pageSize = 50) {
  const all = [];
  const now = Date.now();
  const start = new Date(now - 89 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const end = new Date(now + 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
  for (let page = 1; page < 1000; page++) {
    const q = `${keyed(srv)}&start_date=${start}&end_date=${end}&status=open,closed&page_size=${pageSize}&page=${page}`;
    const res = await get(srv.base, `${V2}/requests.json?${q}`);
    assert.equal(res.status, 200, `listing requests: ${res.text.slice(0, 300)}`);
    const items = res.json();
    all.push(...items);
    if (items.length < pageSize) break;
  }
  return all;
}

export async function countRequests(srv) {
  return (await listAll(srv)).length;
}

// Files under a directory, recursively (relative paths); [] when it does not exist.
export function filesUnder(dir) {
  const out = [];
  const walk = (d) => {
    let names;
    try { names = readdirSync(d); } catch { return; }
    for (const n of names) {
      const p = path.join(d, n);
      if (statSync(p).isDirectory()) walk(p); else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

// Today's date in Asia/Shanghai as YYMMDD.
export function shanghaiYYMMDD(t = Date.now()) {
  const d = new Date(t + 8 * 3600 * 1000);
  return d.toISOString().slice(2, 10).replace(/-/g, '');
}

// Great-circle distance in metres.
export function haversine(lat1, lon1, lat2, lon2) {
  const R = 6371008.8;
  const r = Math.PI / 180;
  const dlat = (lat2 - lat1) * r;
  const dlon = (lon2 - lon1) * r;
  const a = Math.sin(dlat / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(dlon / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(a));
}

// Moves a point `m` metres north (dNorth) and east (dEast).
export function offset(p, dNorth, dEast) {
  const lat = p.lat + dNorth / 111320;
  const long = p.long + dEast / (111320 * Math.cos(p.lat * Math.PI / 180));
  return { lat: Number(lat.toFixed(6)), long: Number(long.toFixed(6)) };
}

// Tracking codes: Luhn mod 32 over Crockford base 32. The exact span the check covers is the
// server's choice; `checkVariant` finds the one that fits real codes.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const crockVal = (c) => CROCKFORD.indexOf(c === 'L' || c === 'I' ? '1' : c === 'O' ? '0' : c);
function luhn32(s) {
  let factor = 2;
  let sum = 0;
  for (let i = s.length - 1; i >= 0; i--) {
    let addend = factor * crockVal(s[i]);
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / 32) + (addend % 32);
    sum += addend;
  }
  return CROCKFORD[(32 - (sum % 32)) % 32];
}
const VARIANTS = [(c) => c.slice(2, -1), (c) => c.slice(0, -1), (c) => c.slice(8, -1)];
// A well-formed tracking code (valid check symbol) that is not one of `real`, or null when the
// check rule cannot be inferred from `real`.
export function fakeTrackingId(real) {
  const v = VARIANTS.find((f) => real.every((c) => luhn32(f(c)) === c.slice(-1)));
  if (!v) return null;
  for (let n = 0; n < 1000; n++) {
    const body = real[0].slice(0, 8) + 'ZZZZ' + CROCKFORD[n % 32] + CROCKFORD[Math.floor(n / 32) % 32];
    const code = body + luhn32(v(body + 'X'));
    if (!real.includes(code)) return code;
  }
  return null;
}

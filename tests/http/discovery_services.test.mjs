// healthz, discovery, the service list and every service definition in JSON and XML,
// jurisdiction checks on GETs, the OpenAPI document.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { get, parseXml, xmlRoot, assertError, contentType } from './lib/http.mjs';
import { V2, DATATYPES, catalogue } from './lib/open311.mjs';

let srv;
before(async () => { srv = await startServer({ demo: true }); });
after(async () => { await srv?.stop(); });

test('GET /healthz answers 200', async () => {
  const r = await get(srv.base, '/healthz');
  assert.equal(r.status, 200, r.text);
  assert.ok(r.text.length > 0);
});

test('discovery.json describes the GeoReport v2 endpoint', async () => {
  const r = await get(srv.base, `${V2}/discovery.json`);
  assert.equal(r.status, 200, r.text);
  assert.match(contentType(r), /^application\/json/);
  const d = r.json();
  assert.equal(typeof d, 'object');
  assert.ok(!Array.isArray(d), 'discovery is an object');
  assert.ok(typeof d.changeset === 'string' && d.changeset.length > 0, 'changeset');
  assert.ok(typeof d.contact === 'string' && d.contact.length > 0, 'contact');
  assert.ok('key_service' in d, 'key_service');
  assert.ok(Array.isArray(d.endpoints) && d.endpoints.length >= 1, 'endpoints');
  const ep = d.endpoints.find((e) => /GeoReport_v2/i.test(e.specification ?? ''));
  assert.ok(ep, `an endpoint with specification …GeoReport_v2: ${r.text}`);
  assert.match(ep.url, /^https?:\/\/[^/]+\/open311\/v2\/?$/, 'absolute endpoint url');
  assert.ok(typeof ep.changeset === 'string' && ep.changeset.length > 0, 'endpoint changeset');
  assert.ok(['production', 'test'].includes(ep.type), `endpoint type: ${ep.type}`);
  assert.ok(ep.formats.includes('application/json') && ep.formats.includes('text/xml'), `formats: ${ep.formats}`);
});

test('discovery.xml parses and carries the same endpoint', async () => {
  const r = await get(srv.base, `${V2}/discovery.xml`);
  assert.equal(r.status, 200, r.text);
  assert.match(contentType(r), /xml/);
  assert.equal(xmlRoot(r.text), 'discovery');
  const d = parseXml(r.text).discovery;
  assert.ok(d.changeset && d.contact !== undefined, 'changeset and contact');
  const eps = d.endpoints?.endpoint;
  assert.ok(Array.isArray(eps) && eps.length >= 1, `<endpoints><endpoint>: ${r.text.slice(0, 500)}`);
  const ep = eps.find((e) => /GeoReport_v2/i.test(e.specification));
  assert.ok(ep, 'GeoReport v2 endpoint');
  assert.match(ep.url, /\/open311\/v2\/?$/);
  assert.ok(ep.formats.format.includes('text/xml') && ep.formats.format.includes('application/json'));
});

test('services.json lists at least 60 event and part services with every field', async () => {
  const r = await get(srv.base, `${V2}/services.json`);
  assert.equal(r.status, 200);
  assert.match(contentType(r), /^application\/json/);
  const list = r.json();
  assert.ok(Array.isArray(list));
  assert.ok(list.length >= 60, `at least 60 小类, got ${list.length}`);
  const codes = new Set();
  for (const s of list) {
    assert.match(s.service_code, /^[EP]\d{4}$/, `service_code ${s.service_code}`);
    assert.ok(!codes.has(s.service_code), `duplicate service_code ${s.service_code}`);
    codes.add(s.service_code);
    assert.ok(typeof s.service_name === 'string' && s.service_name.length > 0, `service_name of ${s.service_code}`);
    assert.ok(typeof s.description === 'string', `description of ${s.service_code}`);
    assert.equal(typeof s.metadata, 'boolean', `metadata of ${s.service_code} is a boolean`);
    assert.ok(['realtime', 'batch', 'blackbox'].includes(s.type), `type of ${s.service_code}: ${s.type}`);
    assert.ok(typeof s.keywords === 'string' || Array.isArray(s.keywords), `keywords of ${s.service_code}`);
    assert.ok(typeof s.group === 'string' && s.group.length > 0, `group of ${s.service_code}`);
  }
  assert.ok(list.some((s) => s.service_code.startsWith('E')), 'event services');
  assert.ok(list.some((s) => s.service_code.startsWith('P')), 'part services');
  const groups = new Set(list.map((s) => s.group));
  for (const g of ['市容环境', '宣传广告', '施工管理', '街面秩序', '突发事件']) {
    assert.ok([...groups].some((x) => x.includes(g)), `group ${g} among ${[...groups].join(', ')}`);
  }
  assert.ok(list.some((s) => s.metadata === true), 'some services have attributes');
});

test('services.xml parses and lists the same services as services.json', async () => {
  const j = (await get(srv.base, `${V2}/services.json`)).json();
  const r = await get(srv.base, `${V2}/services.xml`);
  assert.equal(r.status, 200);
  assert.match(contentType(r), /xml/);
  assert.equal(xmlRoot(r.text), 'services');
  const list = parseXml(r.text).services.service;
  assert.equal(list.length, j.length);
  const byCode = new Map(j.map((s) => [s.service_code, s]));
  for (const s of list) {
    const js = byCode.get(s.service_code);
    assert.ok(js, `XML service ${s.service_code} is in JSON`);
    assert.equal(s.service_name, js.service_name, 'service_name survives XML escaping');
    assert.equal(s.metadata, String(js.metadata));
    assert.equal(s.type, js.type);
    assert.equal(s.group, js.group);
    assert.ok('description' in s && 'keywords' in s, `description and keywords elements in ${s.service_code}`);
  }
});

test('every metadata:true service has a definition whose attributes are well formed, covering every datatype', async () => {
  const cat = await catalogue(srv);
  assert.ok(cat.defs.size > 0);
  const seen = new Set();
  for (const [code, def] of cat.defs) {
    assert.equal(def.service_code, code);
    assert.ok(Array.isArray(def.attributes) && def.attributes.length > 0, `${code}: metadata true means attributes`);
    const attrCodes = new Set();
    for (const a of def.attributes) {
      assert.equal(typeof a.variable, 'boolean', `${code}.${a.code} variable`);
      assert.ok(typeof a.code === 'string' && a.code.length > 0, `${code} attribute code`);
      assert.ok(!attrCodes.has(a.code), `${code}: duplicate attribute ${a.code}`);
      attrCodes.add(a.code);
      assert.ok(DATATYPES.includes(a.datatype), `${code}.${a.code} datatype ${a.datatype}`);
      assert.equal(typeof a.required, 'boolean', `${code}.${a.code} required`);
      assert.equal(typeof a.order, 'number', `${code}.${a.code} order`);
      assert.ok(typeof a.description === 'string' && a.description.length > 0, `${code}.${a.code} description`);
      assert.ok('datatype_description' in a, `${code}.${a.code} datatype_description`);
      if (a.datatype.endsWith('valuelist')) {
        assert.ok(Array.isArray(a.values) && a.values.length >= 2, `${code}.${a.code} has values`);
        const keys = new Set();
        for (const v of a.values) {
          assert.ok(typeof v.key === 'string' || typeof v.key === 'number', `${code}.${a.code} value key`);
          assert.ok(typeof v.name === 'string' && v.name.length > 0, `${code}.${a.code} value name`);
          assert.ok(!keys.has(v.key), `${code}.${a.code}: duplicate key ${v.key}`);
          keys.add(v.key);
        }
      }
      seen.add(a.datatype);
    }
    const orders = def.attributes.map((a) => a.order);
    assert.deepEqual([...orders].sort((x, y) => x - y), orders, `${code}: attributes come in order`);
  }
  for (const t of DATATYPES) assert.ok(seen.has(t), `some service has a ${t} attribute (seen: ${[...seen].join(', ')})`);
  assert.ok(cat.required, 'some service has a required attribute');
});

test('service definitions in XML parse and match the JSON ones', async () => {
  const cat = await catalogue(srv);
  for (const [code, def] of cat.defs) {
    const r = await get(srv.base, `${V2}/services/${code}.xml`);
    assert.equal(r.status, 200, `${code}.xml`);
    assert.equal(xmlRoot(r.text), 'service_definition');
    const x = parseXml(r.text).service_definition;
    assert.equal(x.service_code, code);
    const attrs = x.attributes.attribute;
    assert.equal(attrs.length, def.attributes.length);
    attrs.forEach((a, i) => {
      const ja = def.attributes[i];
      assert.equal(a.code, ja.code);
      assert.equal(a.datatype, ja.datatype);
      assert.equal(a.required, String(ja.required));
      assert.equal(a.variable, String(ja.variable));
      assert.equal(a.order, String(ja.order));
      assert.equal(a.description, ja.description);
      if (ja.values?.length) {
        assert.deepEqual(a.values.value.map((v) => v.key), ja.values.map((v) => String(v.key)));
        assert.deepEqual(a.values.value.map((v) => v.name), ja.values.map((v) => v.name));
      }
    });
  }
});

test('a service without metadata still answers its definition or 404s cleanly', async () => {
  const cat = await catalogue(srv);
  const s = cat.services.find((x) => x.metadata === false);
  if (!s) return;
  const r = await get(srv.base, `${V2}/services/${s.service_code}.json`);
  assert.ok([200, 404].includes(r.status), `status ${r.status}`);
  if (r.status === 200) {
    const d = r.json();
    assert.equal(d.service_code, s.service_code);
    assert.deepEqual(d.attributes ?? [], []);
  } else {
    assertError(r, 404, 'json', 'definition of a metadata:false service');
  }
});

test('an unknown service definition is a 404 in the Open311 error shape, in both formats', async () => {
  assertError(await get(srv.base, `${V2}/services/E9999.json`), 404, 'json', 'services/E9999.json');
  assertError(await get(srv.base, `${V2}/services/E9999.xml`), 404, 'xml', 'services/E9999.xml');
  assertError(await get(srv.base, `${V2}/services/${encodeURIComponent('<x>&')}.xml`), [400, 404], 'xml', 'services/<x>&.xml');
});

test('jurisdiction_id is accepted when it is ours and 404 otherwise, on every GET', async () => {
  const cat = await catalogue(srv);
  const code = cat.services[0].service_code;
  const demo = (await get(srv.base, `${V2}/requests.json`)).json();
  assert.ok(demo.length > 0, 'the demo has requests');
  // (discovery takes no jurisdiction_id in GeoReport v2)
  for (const p of ['services', `services/${code}`, 'requests', `requests/${demo[0].service_request_id}`]) {
    for (const fmt of ['json', 'xml']) {
      const ok = await get(srv.base, `${V2}/${p}.${fmt}?jurisdiction_id=dalian`);
      assert.equal(ok.status, 200, `${p}.${fmt}?jurisdiction_id=dalian: ${ok.text.slice(0, 200)}`);
      const bad = await get(srv.base, `${V2}/${p}.${fmt}?jurisdiction_id=shenyang`);
      assertError(bad, 404, fmt, `${p}.${fmt}?jurisdiction_id=shenyang`);
    }
  }
});

test('an unknown format suffix or path is a 404', async () => {
  for (const p of [`${V2}/services.csv`, `${V2}/services`, `${V2}/nothing.json`, '/nothing', `${V2}/services/E0101.html`]) {
    const r = await get(srv.base, p);
    assert.equal(r.status, 404, `${p}: ${r.status}`);
  }
  assertError(await get(srv.base, `${V2}/nothing.json`), 404, 'json', 'nothing.json');
  assertError(await get(srv.base, `${V2}/nothing.xml`), 404, 'xml', 'nothing.xml');
});

test('GET /api/v1/openapi.json is an OpenAPI 3.1 document covering the Open311 paths', async () => {
  const r = await get(srv.base, '/api/v1/openapi.json');
  assert.equal(r.status, 200);
  assert.match(contentType(r), /^application\/(json|vnd\.oai\.openapi\+json)/);
  const doc = r.json();
  assert.match(doc.openapi, /^3\.1\./);
  assert.ok(doc.info?.title && doc.info?.version, 'info.title and info.version');
  const paths = Object.keys(doc.paths ?? {});
  for (const want of ['discovery', 'services', 'requests', 'tokens']) {
    assert.ok(paths.some((p) => p.startsWith('/open311/v2/') && p.includes(want)), `a path for ${want} among ${paths.join(' ')}`);
  }
  const post = Object.entries(doc.paths).find(([p, v]) => p.includes('/open311/v2/requests') && v.post);
  assert.ok(post, 'POST requests is documented');
});

// Grassroots creation (issue 6, part 7): the titles; a 中山区 community's handler declares
// (a 西岗区 handler may not: 403), self-assesses whole (replayed by client_id), the office
// reviews and names it and the district's coverage rises; the office revokes it with a reason
// (not without; not an admin without the office role), an illegal move is 409 naming the
// states, a stale version 409; the unit declares again. Lists and coverage as JSON and CSV,
// read scopes (the other district 404, leaders everything), every step in the audit trail.
// Runs on SQLite and, with WENMING_TEST_PG, on PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { addUser, loginOk, staffReq, sql } from './lib/staff.mjs';

let srv;
const who = {};
let units; // code -> id
let creation; // the one this file walks through its life

before(async () => {
  srv = await startServer();
  const people = {
    office: ['O-WMB', 'office'],
    admin: ['O-WMB', 'admin'],
    zs: ['210202', 'handler'],
    xg: ['210203', 'handler'],
    leader: ['210203', 'leader'],
    inspector: ['210202', 'inspector'],
  };
  const pws = await Promise.all(Object.entries(people).map(([login, [unit, roles]]) => addUser(srv, login, unit, roles)));
  for (const [i, login] of Object.keys(people).entries()) who[login] = await loginOk(srv, login, pws[i]);
  units = Object.fromEntries(sql(srv.db, 'SELECT code, id FROM unit').split('\n').map((l) => l.split('|')).map(([c, id]) => [c, Number(id)]));
});
after(async () => { await srv?.stop(); });

const json = (r) => JSON.parse(r.text);
const get = (login, p) => staffReq(srv, 'GET', p, { cookie: who[login].cookie });
const post = (login, p, body) => staffReq(srv, 'POST', p, { cookie: who[login].cookie, csrf: who[login].csrf, body });
const act = (login, body) => post(login, `/api/v1/creations/${creation.id}/actions`, body);

async function coverageRow(district, title) {
  const r = await get('office', `/api/v1/creations/coverage?title=${title}`);
  assert.equal(r.status, 200, r.text);
  return json(r).rows.find((x) => x.district_code === district);
}

test('the titles and the demo records', async () => {
  const t = json(await get('inspector', '/api/v1/creation-titles'));
  assert.deepEqual(t.map((x) => x.code), ['civilized_village', 'civilized_community', 'civilized_unit', 'civilized_campus', 'civilized_county_city']);
  const community = t.find((x) => x.code === 'civilized_community');
  assert.equal(community.name, '文明社区');
  assert.deepEqual(community.unit_kinds, ['community']);
  assert.ok(community.items > 0);
  assert.deepEqual(t.find((x) => x.code === 'civilized_village').unit_kinds, ['town', 'village']);

  const all = json(await get('office', '/api/v1/creations'));
  assert.equal(all.length, 19);
  assert.ok(all.some((c) => c.status === 'revoked') && all.some((c) => c.district_name === '市直'));
  const zsRow = await coverageRow('210202', 'civilized_community');
  assert.deepEqual([zsRow.eligible, zsRow.declared, zsRow.reviewing, zsRow.named], [8, 1, 1, 2]);
  assert.equal(zsRow.coverage, 2 / 8);
});

test('a handler declares for a unit within reach; outside it 403; twice 409; a wrong kind 422', async () => {
  const body = { unit_id: units['210202004001'], title: 'civilized_community', note: '社区申报市级文明社区' };
  const out = await post('xg', '/api/v1/creations', body);
  assert.equal(out.status, 403, out.text);
  assert.match(out.text, /not within your reach/);
  assert.equal((await post('leader', '/api/v1/creations', body)).status, 403, 'leaders read, they do not declare');
  const r = await post('zs', '/api/v1/creations', body);
  assert.equal(r.status, 201, r.text);
  creation = json(r);
  assert.equal(creation.status, 'declared');
  assert.equal(creation.status_label, '申报');
  assert.equal(creation.version, 1);
  assert.equal(creation.level, 'city');
  assert.equal(creation.district.code, '210202');
  assert.equal(creation.history.length, 1);
  assert.equal((await post('zs', '/api/v1/creations', body)).status, 409);
  const wrong = await post('zs', '/api/v1/creations', { unit_id: units['210202004002'], title: 'civilized_campus' });
  assert.equal(wrong.status, 422, wrong.text);
  assert.equal((await post('zs', '/api/v1/creations', { unit_id: units['210202004002'], title: 'x', level: 'county' })).status, 400);

  // read scope: the other district's handler sees nothing of it; leaders and the district's inspector do
  assert.equal((await get('xg', `/api/v1/creations/${creation.id}`)).status, 404);
  assert.equal((await get('leader', `/api/v1/creations/${creation.id}`)).status, 200);
  assert.equal((await get('inspector', `/api/v1/creations/${creation.id}`)).status, 200);
  assert.equal((await get('office', '/api/v1/creations/999999')).status, 404);
});

test('a whole self-assessment against the title\'s items, replayed by client_id', async () => {
  const cl = await get('zs', `/api/v1/creations/${creation.id}/checklist`);
  assert.equal(cl.status, 200, cl.text);
  const { items, version } = json(cl);
  assert.equal(version, '2026');
  assert.ok(items.length > 3);
  assert.ok(items.every((i) => i.method === 'field' && i.last === null));
  const ordinary = items.filter((i) => i.veto === 'none');
  const [failed, na] = ordinary;
  const results = items.map((i) => `${i.code}:${i === failed ? 'fail' : i === na ? 'na' : 'pass'}`).join(',');
  const kept = ordinary.filter((i) => i !== failed && i !== na).reduce((s, i) => s + i.points, 0);
  const applicable = kept + failed.points;
  const body = { client_id: `assess-${creation.id}-0001`, results, note: '社区自评', [`note[${failed.code}]`]: '楼道堆物未清' };
  assert.equal((await post('xg', `/api/v1/creations/${creation.id}/assessments`, body)).status, 404);
  const r = await post('zs', `/api/v1/creations/${creation.id}/assessments`, body);
  assert.equal(r.status, 200, r.text);
  const a = json(r);
  assert.equal(a.replayed, false);
  assert.equal(a.failed, 1);
  assert.equal(a.na, 1);
  assert.ok(Math.abs(a.applicable - applicable) < 1e-9 && Math.abs(a.kept - kept) < 1e-9);
  assert.ok(Math.abs(a.score - (100 * kept) / applicable) < 1e-9);
  const again = json(await post('zs', `/api/v1/creations/${creation.id}/assessments`, body));
  assert.equal(again.replayed, true);
  assert.equal(again.id, a.id);
  const short = await post('zs', `/api/v1/creations/${creation.id}/assessments`, { ...body, client_id: 'assess-short-0001', results: results.split(',').slice(1).join(',') });
  assert.equal(short.status, 422, short.text);
  assert.equal((await post('zs', `/api/v1/creations/${creation.id}/assessments`, { ...body, client_id: 'assess-bad-00001', results: 'nocolon' })).status, 400);
  const last = json(await get('zs', `/api/v1/creations/${creation.id}/checklist`)).items.find((i) => i.code === failed.code).last;
  assert.deepEqual(last, { result: 'fail', note: '楼道堆物未清' });
  const c = json(await get('zs', `/api/v1/creations/${creation.id}`));
  assert.equal(c.assessments.length, 1);
  assert.equal(c.assessments[0].login, 'zs');
});

test('review → named: the district\'s coverage rises; illegal and stale moves are 409', async () => {
  const before = await coverageRow('210202', 'civilized_community');
  const totalBefore = json(await get('office', '/api/v1/creations/coverage')).total.find((t) => t.title === 'civilized_community');
  assert.equal((await act('zs', { action: 'review', version: 1 })).status, 403, 'handlers do not review');
  const early = await act('office', { action: 'name', version: 1 });
  assert.equal(early.status, 409);
  assert.match(early.text, /cannot name .* declared .* only from reviewing/);
  let r = await act('office', { action: 'review', version: 1 });
  assert.equal(r.status, 200, r.text);
  assert.equal(json(r).status, 'reviewing');
  const stale = await act('office', { action: 'name', version: 1 });
  assert.equal(stale.status, 409);
  assert.match(stale.text, /reviewing at version 2/);
  r = await act('office', { action: 'name', version: 2, level: 'city', batch: '2026年度市级文明社区' });
  assert.equal(r.status, 200, r.text);
  creation = json(r);
  assert.equal(creation.status, 'named');
  assert.equal(creation.batch, '2026年度市级文明社区');
  assert.ok(creation.named_at > 0);

  const after = await coverageRow('210202', 'civilized_community');
  assert.equal(after.named, before.named + 1);
  assert.equal(after.declared, before.declared - 1, "ours was declared");
  assert.equal(after.coverage, after.named / after.eligible);
  const totalAfter = json(await get('office', '/api/v1/creations/coverage')).total.find((t) => t.title === 'civilized_community');
  assert.equal(totalAfter.named, totalBefore.named + 1);
  // a district handler counts its own district only; a leader the whole city
  const mine = json(await get('zs', '/api/v1/creations/coverage'));
  assert.ok(mine.rows.length > 0 && mine.rows.every((x) => x.district_code === '210202'), JSON.stringify(mine.rows));
  assert.equal(json(await get('leader', '/api/v1/creations/coverage')).rows.length, json(await get('office', '/api/v1/creations/coverage')).rows.length);
  const csv = await get('office', '/api/v1/creations/coverage?format=csv');
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  const lines = csv.text.trim().split('\r\n');
  assert.equal(lines[0], 'scope,district_code,district_name,title,title_name,eligible,declared,reviewing,named,revoked,coverage');
  assert.ok(lines.includes(`district,210202,中山区,civilized_community,文明社区,${after.eligible},${after.declared},${after.reviewing},${after.named},${after.revoked},${after.coverage}`), csv.text);
  assert.ok(lines.some((l) => l.startsWith('total,,全市,civilized_community,')));
  assert.equal((await get('office', '/api/v1/creations/coverage?title=nothing')).status, 404);
});

test('revoke with a reason (office only), then 409 on moves from revoked; declared again', async () => {
  assert.equal((await act('office', { action: 'revoke', version: 3 })).status, 422, 'a reason is needed');
  assert.equal((await act('admin', { action: 'revoke', version: 3, note: '理由' })).status, 403, 'only the office revokes');
  let r = await act('office', { action: 'revoke', version: 3, note: '复查发现楼道堆物反复发生，撤销称号' });
  assert.equal(r.status, 200, r.text);
  creation = json(r);
  assert.equal(creation.status, 'revoked');
  assert.equal(creation.revoke_reason, '复查发现楼道堆物反复发生，撤销称号');
  assert.deepEqual(creation.history.map((h) => h.action), ['declare', 'review', 'name', 'revoke']);
  for (const action of ['name', 'review', 'revoke']) {
    const bad = await act('office', { action, version: 4, note: 'x' });
    assert.equal(bad.status, 409, `${action} from revoked: ${bad.text}`);
  }
  const named = await coverageRow('210202', 'civilized_community');
  assert.equal(named.revoked, 1);
  const assess = await post('zs', `/api/v1/creations/${creation.id}/assessments`, { client_id: 'assess-revoked-01', results: 'A01.01.01:pass' });
  assert.equal(assess.status, 409, assess.text);
  r = await act('zs', { action: 'declare', version: 4, note: '整改完成，重新申报' });
  assert.equal(r.status, 200, r.text);
  assert.equal(json(r).status, 'declared');
  assert.equal(json(r).revoke_reason, '');

  // every step in the audit trail
  const audit = json(await get('admin', '/api/v1/audit?limit=200'));
  const mine = audit.filter((a) => a.object === `creation:${creation.id}`).map((a) => a.action).reverse();
  assert.deepEqual(mine, ['creation.declare', 'creation.review', 'creation.name', 'creation.revoke', 'creation.declare']);
  assert.ok(audit.some((a) => a.action === 'creation.assess'));
  assert.equal(json(await get('admin', '/api/v1/audit/verify')).intact, true);
});

test('lists: filters, read scope and CSV', async () => {
  const zs = json(await get('zs', '/api/v1/creations'));
  assert.ok(zs.length > 0 && zs.every((c) => c.district_code === '210202'), 'a district handler lists its district');
  const xg = json(await get('office', '/api/v1/creations?district=210203'));
  assert.ok(xg.length > 0 && xg.every((c) => c.district_code === '210203'));
  const named = json(await get('leader', '/api/v1/creations?status=named&title=civilized_unit'));
  assert.ok(named.length >= 4 && named.every((c) => c.status === 'named' && c.title === 'civilized_unit'));
  const schools = json(await get('office', '/api/v1/creations?unit_kind=school&year=2026'));
  assert.ok(schools.every((c) => c.unit_kind === 'school' && c.year === 2026) && schools.length > 0);
  const mine = json(await get('office', `/api/v1/creations?district=210202&title=civilized_community&status=declared`));
  assert.ok(mine.some((c) => c.id === creation.id && c.score !== null));
  const csv = await get('office', '/api/v1/creations?format=csv&status=revoked');
  assert.equal(csv.status, 200);
  assert.ok(csv.text.startsWith('id,unit_code,unit_name,unit_kind,district_code,district_name,title,'), csv.text);
  assert.match(csv.text, /210203002001,八一路社区,community,210203,西岗区,civilized_community/);
  assert.equal((await get('office', '/api/v1/creations?status=gone')).status, 400);
  assert.equal((await get('office', '/api/v1/creations?district=NOPE')).status, 404);
  assert.equal((await staffReq(srv, 'GET', '/api/v1/creations')).status, 401);
});

// Inspection rounds (issue 6, part 3): the office makes a round (a reproducible stratified
// sample of the sites in scope), an inspector opens a site's checklist and submits the finished
// inspection whole, with failures; each failure opens a case registered and dispatched to the
// site's 包保 unit; resubmitting the same client_id changes nothing; the unit fixes the
// problem, the case closes, and the re-inspection's checklist shows it. Refusals: a handler
// cannot make rounds (403), an inspector not in the round cannot submit (403), an incomplete
// checklist (422), a client_id reused elsewhere (409). Runs on SQLite and PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { addUser, loginOk, staffReq, sql } from './lib/staff.mjs';
import { fieldParts, postMultipart } from './lib/http.mjs';
import { png } from './lib/images.mjs';

let srv;
const who = {};
let round;
let done; // the inspection of test 2: {site, items, fail, ins}

before(async () => {
  srv = await startServer();
  const people = {
    office: ['O-WMB', 'office'],
    dispatcher: ['O-WMB', 'dispatcher'],
    inspector: ['O-WMB', 'inspector'],
    outsider: ['O-WMB', 'inspector'],
    handler: ['210202', 'handler'],
  };
  for (const [login, [unit, roles]] of Object.entries(people))
    who[login] = await loginOk(srv, login, await addUser(srv, login, unit, roles));
});
after(async () => { await srv?.stop(); });

const json = (r) => JSON.parse(r.text);
const get = (login, p) => staffReq(srv, 'GET', p, { cookie: who[login].cookie });
const post = (login, p, body) => staffReq(srv, 'POST', p, { cookie: who[login].cookie, csrf: who[login].csrf, body });
// A file stored with POST /api/v1/media (multipart: files cannot travel in JSON).
const upload = (login, name, type, data) => postMultipart(srv.base, '/api/v1/media',
  [{ name: 'file', filename: name, type, data }], { headers: { Cookie: who[login].cookie, 'X-CSRF-Token': who[login].csrf } });
const userId = (login) => sql(srv.db, `SELECT id FROM users WHERE login = '${login}'`);

const plan = {
  name: '2026年11月第一轮督查', kind: 'supervision', starts_at: '2026-11-01', ends_at: '2026-12-01',
  areas: '210202', sample: 'per_stratum', sample_n: 1, seed: 20261101,
};

test('the office makes a round: a reproducible stratified sample of the scope', async () => {
  assert.equal((await post('handler', '/api/v1/rounds', plan)).status, 403);
  const r = await post('office', '/api/v1/rounds', { ...plan, inspectors: userId('inspector') });
  assert.equal(r.status, 201, r.text);
  round = json(r);
  assert.equal(round.version, '2026');
  assert.deepEqual(round.areas, ['210202']);
  assert.equal(round.sample.seed, plan.seed);
  assert.deepEqual(round.inspectors.map((i) => i.login), ['inspector']);
  // one site per type (中山区 is one district): as many sites as types in scope, each once
  const types = new Set(round.sites.map((s) => s.type));
  assert.equal(round.sites.length, types.size, JSON.stringify(round.sites.map((s) => s.type)));
  const inScope = Number(sql(srv.db, `SELECT COUNT(DISTINCT s.type) FROM site s JOIN area a ON a.id = s.area_id
    WHERE s.active = 1 AND a.code LIKE '210202%'`));
  assert.equal(round.sites.length, inScope);
  // the same seed draws the same sites
  const again = json(await post('office', '/api/v1/rounds', { ...plan, name: '同种子复核' }));
  assert.deepEqual(again.sites.map((s) => s.code), round.sites.map((s) => s.code));
  const all = json(await post('office', '/api/v1/rounds', { ...plan, name: '全部点位', sample: 'all' }));
  assert.equal(all.sites.length, Number(sql(srv.db, `SELECT COUNT(*) FROM site s JOIN area a ON a.id = s.area_id
    WHERE s.active = 1 AND a.code LIKE '210202%'`)));
  const list = json(await get('inspector', '/api/v1/rounds'));
  assert.ok(list.some((x) => x.id === round.id && x.sites === round.sites.length && x.inspected === 0));
  for (const bad of [{ sample: 'per_stratum', sample_n: undefined }, { ends_at: '2026-10-01' }, { areas: 'NOWHERE' },
    { site_types: 'nosuch' }, { inspectors: userId('handler') }]) {
    const b = await post('office', '/api/v1/rounds', { ...plan, ...bad });
    assert.ok(b.status === 400 || b.status === 422, `${JSON.stringify(bad)}: ${b.status} ${b.text}`);
  }
});

test('an inspection with failures opens cases for the site\'s unit; resubmission changes nothing', async () => {
  // a site 中山区's own units answer for (its handler fixes the problems in test 3)
  const site = round.sites.find((s) => s.unit_code.startsWith('210202'));
  assert.ok(site, JSON.stringify(round.sites));
  const cl = await get('inspector', `/api/v1/rounds/${round.id}/sites/${site.code}`);
  assert.equal(cl.status, 200, cl.text);
  const items = json(cl).items;
  assert.ok(items.length >= 2, `${items.length} items for ${site.type}`);
  assert.ok(items.every((i) => i.last === null));
  const fail = items.slice(0, 2).map((i) => i.code);
  const results = items.map((i, k) => `${i.code}:${fail.includes(i.code) ? 'fail' : k === items.length - 1 ? 'na' : 'pass'}`);
  // photos go first (each once, by content), the inspection names them
  const up = await upload('inspector', 'pothole.png', 'image/png', png(3, 2, 61));
  assert.equal(up.status, 201, up.text);
  const photo = up.json();
  assert.match(photo.name, /^[0-9a-f]{64}\.png$/);
  assert.equal(photo.url, `/media/${photo.name}`);
  assert.equal((await upload('inspector', 'pothole.png', 'image/png', png(3, 2, 61))).json().name, photo.name, 'same bytes, same name');
  const wide = (await upload('inspector', 'street.png', 'image/png', png(4, 2, 62))).json();
  const pdf = await upload('inspector', 'memo.pdf', 'application/pdf', Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'));
  assert.equal(pdf.status, 201, pdf.text);
  assert.equal(pdf.json().mime, 'application/pdf');
  const dl = await staffReq(srv, 'GET', pdf.json().url, {});
  assert.equal(dl.status, 200);
  assert.match(dl.headers.get('content-disposition'), /^attachment/);
  assert.match(dl.headers.get('content-security-policy'), /\bsandbox\b/);
  assert.equal((await upload('inspector', 'x.gif', 'image/gif', Buffer.from('GIF89a......'))).status, 415);
  assert.equal((await upload('inspector', 'cut.pdf', 'application/pdf', Buffer.from('%PDF-1.4 no end'))).status, 415);
  assert.equal((await staffReq(srv, 'POST', '/api/v1/media', {})).status, 401);
  const body = {
    client_id: 'c0ffee00-0000-4000-8000-000000000001', round_id: round.id, site_code: site.code,
    results: results.join(','), [`note[${fail[0]}]`]: '路面有三处坑洼', note: '早高峰检查',
    [`photos[${fail[0]}]`]: [photo.name, wide.url], photos: wide.name,
  };
  // a photo must be a stored image: a document, a name never uploaded, a malformed name
  for (const [bad, status] of [[pdf.json().name, 422], ['0'.repeat(64) + '.jpg', 422], ['../etc/passwd', 400]]) {
    const b = await post('inspector', '/api/v1/inspections', { ...body, client_id: `badphoto-${status}-${bad.length}`, [`photos[${fail[1]}]`]: bad });
    assert.equal(b.status, status, `${bad}: ${b.text}`);
  }
  // incomplete, unknown, an outsider, a handler
  const short = await post('inspector', '/api/v1/inspections', { ...body, client_id: 'short-0000001', results: results.slice(1).join(',') });
  assert.equal(short.status, 422, short.text);
  assert.match(short.text, /not complete/);
  assert.equal((await post('inspector', '/api/v1/inspections', { ...body, client_id: 'unknown-item-1', results: [...results, 'Z9.9.9:pass'].join(',') })).status, 422);
  assert.equal((await post('outsider', '/api/v1/inspections', { ...body, client_id: 'outsider-00001' })).status, 403);
  assert.equal((await post('handler', '/api/v1/inspections', body)).status, 403);
  assert.equal(sql(srv.db, 'SELECT COUNT(*) FROM inspection'), '0', 'nothing half-written');

  const r = await post('inspector', '/api/v1/inspections', body);
  assert.equal(r.status, 200, r.text);
  const ins = json(r);
  assert.equal(ins.replayed, false);
  assert.equal(ins.failed, 2);
  assert.equal(ins.na, 1);
  assert.equal(ins.passed, items.length - 3);
  const failed = ins.results.filter((x) => x.result === 'fail');
  assert.equal(failed.length, 2);
  assert.ok(failed.every((x) => x.case && x.case.code), JSON.stringify(failed));
  assert.equal(ins.results.find((x) => x.code === fail[0]).note, '路面有三处坑洼');
  assert.deepEqual(ins.results.find((x) => x.code === fail[0]).photos, [photo.url, wide.url]);
  assert.deepEqual(ins.results.find((x) => x.code === fail[1]).photos, []);
  assert.deepEqual(ins.photos, [wide.url]);

  // the cases: source inspection, dispatched to the site's unit, linked to the item
  const c = json(await get('office', `/api/v1/cases/${failed[0].case.code}`));
  assert.equal(c.source, 'inspection');
  {
    assert.equal(c.status, 'dispatched');
    assert.equal(sql(srv.db, `SELECT code FROM unit WHERE id = ${c.unit_id}`), site.unit_code);
    assert.ok(c.due_at, 'the handling deadline runs');
  }
  assert.match(c.description, new RegExp(`${site.name.replace(/[()（）]/g, '.')}`));
  // the failed item's photos are the case's report photos
  assert.deepEqual(c.photos.map((p) => [p.url, p.role]).sort(), [[photo.url, 'report'], [wide.url, 'report']].sort());

  // the same client_id again: the same inspection, no second case
  const cases = sql(srv.db, 'SELECT COUNT(*) FROM cases');
  const again = await post('inspector', '/api/v1/inspections', body);
  assert.equal(again.status, 200, again.text);
  assert.equal(json(again).id, ins.id);
  assert.equal(json(again).replayed, true);
  assert.equal(sql(srv.db, 'SELECT COUNT(*) FROM cases'), cases);
  assert.equal(sql(srv.db, 'SELECT COUNT(*) FROM inspection'), '1');
  // … but a client_id reused for another site is a conflict
  const other = round.sites.find((s) => s.code !== site.code);
  const clash = await post('inspector', '/api/v1/inspections', { ...body, site_code: other.code });
  assert.equal(clash.status, 409, clash.text);
  assert.equal(sql(srv.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'inspection.submit'"), '1');

  // the checklist now shows the failures and their open cases
  const seen = json(await get('inspector', `/api/v1/rounds/${round.id}/sites/${site.code}`)).items;
  const f0 = seen.find((i) => i.code === fail[0]);
  assert.equal(f0.last.result, 'fail');
  assert.equal(f0.last.case.code, failed[0].case.code);
  assert.equal(f0.last.inspection, ins.id);
  assert.deepEqual(f0.last.photos, [photo.url, wide.url]);
  const rd = json(await get('office', `/api/v1/rounds/${round.id}`));
  const rs = rd.sites.find((s) => s.code === site.code);
  assert.equal(rs.inspections, 1);
  assert.equal(rs.last.failed, 2);
  assert.equal(json(await get('office', '/api/v1/rounds')).find((x) => x.id === round.id).inspected, 1);
  done = { site, items, fail, ins };
});

// The site's score by hand: ordinary items' points kept over points applicable (n/a out),
// negative-list and veto items apart.
function expected(items, resultOf) {
  let kept = 0, applicable = 0;
  for (const i of items) {
    const r = resultOf(i.code);
    if (i.veto !== 'none' || r === 'na') continue;
    applicable += i.points;
    if (r === 'pass') kept += i.points;
  }
  return { kept, applicable, score: Math.round((10000 * kept) / applicable) / 100 };
}

test('scores per site, type and item; fixed and re-inspected, the score rises', async () => {
  const { site, items, fail, ins } = done;
  const resultOf = (code) => ins.results.find((x) => x.code === code).result;
  const want = expected(items, resultOf);
  const r = await get('office', `/api/v1/rounds/${round.id}/scores`);
  assert.equal(r.status, 200, r.text);
  const sc = json(r);
  assert.equal(sc.group, 'site');
  const row = sc.rows.find((x) => x.key === site.code);
  assert.ok(Math.abs(row.kept - want.kept) < 1e-9 && Math.abs(row.applicable - want.applicable) < 1e-9, JSON.stringify(row));
  assert.equal(row.score, want.score);
  assert.equal(row.failed, 2);
  assert.equal(sc.city.score, want.score, 'one site inspected: the city is that site');
  assert.equal(sc.city.sites, 1);
  // weakest items: the two failed ones lose points
  const byItem = json(await get('office', `/api/v1/rounds/${round.id}/scores?group=item`));
  assert.deepEqual(byItem.rows.slice(0, 2).map((x) => x.key).sort(), [...fail].sort());
  assert.ok(byItem.rows[0].lost > 0);
  const byType = json(await get('office', `/api/v1/rounds/${round.id}/scores?group=type`));
  assert.equal(byType.rows[0].key, site.type);
  const csv = await get('office', `/api/v1/rounds/${round.id}/scores?group=district&format=csv`);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  assert.ok(csv.text.startsWith('key,label,score,kept,applicable,lost,'), csv.text);
  assert.equal((await get('office', '/api/v1/rounds/999999/scores')).status, 404);
  assert.equal((await get('office', `/api/v1/rounds/${round.id}/scores?group=street`)).status, 400);

  // the unit fixes both problems and the inspector verifies: the cases close
  for (const x of ins.results.filter((y) => y.result === 'fail')) {
    let c = json(await get('office', `/api/v1/cases/${x.case.code}`));
    for (const [by, action, extra] of [['handler', 'accept', {}], ['handler', 'handle', { note: '已修复' }], ['inspector', 'verify_pass', {}]]) {
      const m = await post(by, `/api/v1/cases/${x.case.code}/actions`, { action, version: c.version, ...extra });
      assert.equal(m.status, 200, `${action}: ${m.text}`);
      c = json(m);
    }
    assert.equal(c.status, 'closed');
  }
  // the checklist shows the closure before the re-inspection
  const seen = json(await get('inspector', `/api/v1/rounds/${round.id}/sites/${site.code}`)).items;
  assert.equal(seen.find((i) => i.code === fail[0]).last.case.status, 'closed');
  // re-inspected: everything passes, the score rises to 100
  const results = items.map((i) => `${i.code}:pass`).join(',');
  const re = await post('inspector', '/api/v1/inspections', {
    client_id: 'c0ffee00-0000-4000-8000-000000000002', round_id: round.id, site_code: site.code, results,
  });
  assert.equal(re.status, 200, re.text);
  assert.equal(json(re).failed, 0);
  const after = json(await get('office', `/api/v1/rounds/${round.id}/scores`));
  assert.equal(after.rows.find((x) => x.key === site.code).score, 100);
  assert.ok(after.city.score > sc.city.score);
  const trend = json(await get('office', '/api/v1/scores/trend'));
  assert.equal(trend.find((x) => x.round === round.id).score, 100);
});

test('the questionnaire: citizens answer once per device or phone; rates score the survey items', async () => {
  const pub = (method, p, body) => staffReq(srv, method, p, { body });
  const q = await pub('GET', `/api/v1/public/surveys/${round.id}`);
  assert.equal(q.status, 200, q.text);
  const { questions, scale } = json(q);
  assert.ok(questions.length >= 2);
  assert.deepEqual(scale.map((s) => s.value), ['satisfied', 'fairly', 'neutral', 'unsatisfied', 'unknown']);
  const [a, b] = questions.map((x) => x.code);
  const answer = (who, ratings) => pub('POST', `/api/v1/public/surveys/${round.id}/answers`,
    { ...who, answers: ratings.join(',') });
  // a: satisfied, fairly, unsatisfied, unknown → 2 of 3 rated; b: neutral, satisfied → 1 of 2
  let r = await answer({ device_id: 'device-0001' }, [`${a}:satisfied`, `${b}:neutral`]);
  assert.equal(r.status, 201, r.text);
  assert.equal((await answer({ device_id: 'device-0001' }, [`${a}:fairly`])).status, 409, 'one answer per device');
  assert.equal((await answer({ phone: '+86 139-0000-1111' }, [`${a}:fairly`, `${b}:satisfied`])).status, 201);
  assert.equal((await answer({ phone: '13900001111' }, [`${a}:fairly`])).status, 409, 'the same phone, written otherwise');
  assert.equal((await answer({ device_id: 'device-0003' }, [`${a}:unsatisfied`])).status, 201);
  assert.equal((await answer({ device_id: 'device-0004', area_code: '210202' }, [`${a}:unknown`])).status, 201);
  for (const [who, ans, status] of [
    [{ device_id: 'device-0005' }, [`${a}:great`], 400],
    [{ device_id: 'device-0005' }, ['Z9.9.9:satisfied'], 422],
    [{ device_id: 'device-0005' }, [`${a}:satisfied`, `${a}:fairly`], 422],
    [{ device_id: 'short' }, [`${a}:satisfied`], 400],
    [{}, [`${a}:satisfied`], 400],
    [{ device_id: 'device-0005', area_code: 'NOWHERE' }, [`${a}:satisfied`], 422]]) {
    const x = await answer(who, ans);
    assert.equal(x.status, status, `${JSON.stringify(who)} ${ans}: ${x.text}`);
  }
  assert.equal((await pub('GET', '/api/v1/public/surveys/999999')).status, 404);
  assert.equal(sql(srv.db, 'SELECT COUNT(*) FROM survey_answer'), '4');
  assert.equal(sql(srv.db, "SELECT COUNT(*) FROM survey_answer WHERE respondent LIKE '%device%'"), '0', 'only hashes kept');

  const sv = json(await get('office', `/api/v1/rounds/${round.id}/scores`)).survey;
  assert.equal(sv.answers, 4);
  const ia = sv.items.find((x) => x.code === a), ib = sv.items.find((x) => x.code === b);
  assert.equal(ia.answers, 4);
  assert.equal(ia.unknown, 1);
  assert.ok(Math.abs(ia.rate - 2 / 3) < 1e-9, JSON.stringify(ia));
  assert.ok(Math.abs(ib.rate - 1 / 2) < 1e-9, JSON.stringify(ib));
  const others = sv.items.filter((x) => x.code !== a && x.code !== b);
  assert.ok(others.every((x) => x.rate === null && x.answers === 0));
  const kept = ia.points * (2 / 3) + ib.points * 0.5, applicable = ia.points + ib.points;
  assert.ok(Math.abs(sv.kept - kept) < 1e-9 && Math.abs(sv.applicable - applicable) < 1e-9, JSON.stringify(sv));
  assert.equal(sv.score, Math.round((10000 * kept) / applicable) / 100);
});

test('closing a round: no more inspections or answers, the scores stay', async () => {
  assert.equal((await post('handler', `/api/v1/rounds/${round.id}/close`, {})).status, 403);
  const c = await post('office', `/api/v1/rounds/${round.id}/close`, {});
  assert.equal(c.status, 200, c.text);
  assert.equal(json(c).status, 'closed');
  assert.equal((await post('office', `/api/v1/rounds/${round.id}/close`, {})).status, 409);
  assert.equal((await post('office', '/api/v1/rounds/999999/close', {})).status, 404);
  const items = done.items.map((i) => `${i.code}:pass`).join(',');
  const late = await post('inspector', '/api/v1/inspections', {
    client_id: 'c0ffee00-0000-4000-8000-000000000009', round_id: round.id, site_code: done.site.code, results: items,
  });
  assert.equal(late.status, 422, late.text);
  assert.match(late.text, /closed/);
  assert.equal((await staffReq(srv, 'GET', `/api/v1/public/surveys/${round.id}`)).status, 404);
  const s = json(await get('office', `/api/v1/rounds/${round.id}/scores`));
  assert.equal(s.rows.find((x) => x.key === done.site.code).score, 100);
  assert.equal(sql(srv.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'round.close'"), '1');
});

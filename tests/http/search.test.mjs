// Searching the staff case list (`q`): a tracking code, Chinese words in the description or
// the address, combined with a queue and the caller's reach; LIKE's wildcards taken literally.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { addUser, loginOk, staffReq, sql } from './lib/staff.mjs';
import { fileRequest } from './lib/open311.mjs';

let srv, office, zs;
before(async () => {
  srv = await startServer();
  office = await loginOk(srv, 'office', await addUser(srv, 'office', 'O-WMB', 'office'));
  zs = await loginOk(srv, 'zs', await addUser(srv, 'zs', '210202', 'handler'));
});
after(async () => { await srv?.stop(); });

const find = async (who, q, more = '') => {
  const r = await staffReq(srv, 'GET', `/api/v1/cases?limit=500&q=${encodeURIComponent(q)}${more}`, { cookie: who.cookie });
  assert.equal(r.status, 200, r.text);
  return JSON.parse(r.text).map((c) => c.code);
};

test('by code, by words of the description or address, within reach', async () => {
  const a = (await fileRequest(srv, { description: '共享单车乱停放堵塞盲道', address_string: '西岗区八一路 100% 商场门口' })).id;
  const b = (await fileRequest(srv, { description: '井盖缺失_危险' })).id;
  assert.deepEqual(await find(office, a), [a]);
  assert.deepEqual(await find(office, '单车乱停'), [a]);
  assert.deepEqual(await find(office, '八一路'), [a]);
  assert.deepEqual(await find(office, '100%'), [a], '% is a character, not a wildcard');
  assert.deepEqual(await find(office, '缺失_危'), [b], '_ too');
  assert.deepEqual(await find(office, '%'), [a]);
  assert.deepEqual(await find(office, '单车乱停', '&queue=register'), [a]);
  assert.deepEqual(await find(office, '单车乱停', '&queue=verify'), []);
  // 中山区's handler does not reach a case of 西岗区 (the demo point), searched or not
  assert.deepEqual(await find(zs, '单车乱停'), []);
  // by category and by area (a district holds its streets and grids)
  const code = (c) => sql(srv.db, `SELECT cat.service_code FROM cases c JOIN category cat ON cat.id = c.category_id WHERE c.code = '${c}'`);
  assert.deepEqual(await find(office, '缺失', `&service_code=${code(b)}`), [b]);
  assert.deepEqual(await find(office, '缺失', '&service_code=Z9999'), []);
  assert.deepEqual(await find(office, '单车乱停', '&area=210203'), [a], '西岗区 holds the demo point');
  assert.deepEqual(await find(office, '单车乱停', '&area=210202'), []);
  const inXg = await find(office, '', '&area=210203');
  assert.ok(inXg.length > 2 && inXg.includes(a));
  assert.equal(sql(srv.db, `SELECT COUNT(*) FROM cases c JOIN area x ON x.id = c.area_id WHERE c.code IN (${inXg.map((x) => `'${x}'`).join(',')}) AND x.code NOT LIKE '210203%'`), '0');
  const long = await staffReq(srv, 'GET', `/api/v1/cases?q=${'长'.repeat(40)}`, { cookie: office.cookie });
  assert.equal(long.status, 400);
});

test('the search index gives what a full scan gives, and is made again for old cases', async () => {
  const c = (await fileRequest(srv, { description: '小区门口垃圾桶满溢，异味明显', address_string: '中山区鹿鸣测试巷 Room 808B' })).id;
  const d = (await fileRequest(srv, { description: '垃圾 桶盖破损' })).id; // the space breaks 垃圾桶
  // Every bigram must be there, and the words in this order: 垃圾桶 is in c only.
  assert.deepEqual(await find(office, '垃圾桶'), [c]);
  assert.deepEqual(await find(office, '桶满溢'), [c]);
  assert.deepEqual(await find(office, '鹿鸣测试巷'), [c], 'the address is indexed too');
  assert.deepEqual(await find(office, '满溢垃圾'), [], 'all bigrams present is not enough: the words must follow each other');
  // One character or no Chinese at all: no bigram, the list scans (same answers).
  assert.ok((await find(office, '桶')).includes(c) && (await find(office, '桶')).includes(d));
  assert.deepEqual(await find(office, 'Room 808B'), [c]);
  // Words the index holds for many cases: newest first, as without it.
  const many = await find(office, '垃圾');
  assert.ok(many.length >= 2 && many[0] === d && many[1] === c, many.slice(0, 3).join());

  // A database from before the index: empty it, mark every case to be indexed, restart.
  await srv.stop();
  const PGDB = /^postgres/.test(srv.db);
  sql(srv.db, PGDB ? 'DELETE FROM case_search' : "INSERT INTO case_search (case_search) VALUES ('delete-all')");
  sql(srv.db, 'UPDATE case_search_state SET backfilled = 0, backfill_through = (SELECT max(id) FROM cases)');
  srv = await startServer({ instance: srv });
  assert.match(srv.stderr(), /wenming: \d+ cases added to the search index/);
  assert.deepEqual(await find(office, '垃圾桶'), [c], 'found again once indexed (the session lives on)');
  assert.deepEqual((await find(office, '单车乱停')).length, 1);
});

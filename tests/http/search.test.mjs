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

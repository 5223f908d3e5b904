// Inspector mode on a phone (issue 7, part 4): the round's sites nearest first, a checklist
// with a failure (note and photo) whose case is opened; an inspection finished without signal
// kept in the browser and sent when the phone is back online; a problem solved on the spot
// with before/after photos; axe on each page. Screenshots of a failing step: tests/browser/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../http/lib/server.mjs';
import { addUser, loginOk, staffReq, sql } from '../http/lib/staff.mjs';
import { png } from '../http/lib/images.mjs';
import { PHONE, axe, launch, loginPage, step } from './lib/console.mjs';

let srv, browser, round, office;
const pw = {};

before(async () => {
  srv = await startServer();
  pw.inspector = await addUser(srv, 'inspector', '210202', 'inspector');
  office = await loginOk(srv, 'office', await addUser(srv, 'office', 'O-WMB', 'office'));
  const id = sql(srv.db, "SELECT id FROM users WHERE login = 'inspector'");
  const r = await staffReq(srv, 'POST', '/api/v1/rounds', { cookie: office.cookie, csrf: office.csrf, body: {
    name: '手机端督查', starts_at: '2026-11-01', ends_at: '2027-01-01', areas: '210202', sample: 'per_stratum', sample_n: 1, seed: 7, inspectors: id,
  } });
  assert.equal(r.status, 201, r.text);
  round = JSON.parse(r.text);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

// The inspector's phone, located in 中山区, on the inspection page, with the service worker that
// keeps the console for use without signal.
const phone = () => loginPage(browser, srv, 'inspector', pw.inspector, {
  viewport: PHONE,
  context: { permissions: ['geolocation'], geolocation: { latitude: 38.915, longitude: 121.64 }, serviceWorkers: 'allow' },
  ready: (page) => page.getByRole('heading', { name: '督查检查' }),
});

// Marks every item of the open checklist: the first `fail` ones 不合格, the rest 合格.
async function fill(page, fail) {
  const items = page.locator('fieldset.item');
  const n = await items.count();
  assert.ok(n >= 2, `${n} items`);
  for (let k = 0; k < n; k++) {
    const it = items.nth(k);
    await it.getByLabel(k < fail ? '不合格' : '合格', { exact: true }).check();
    if (k < fail) {
      await it.getByLabel('问题说明').fill('果皮箱满溢');
      await it.getByLabel('照片').setInputFiles({ name: 'bin.png', mimeType: 'image/png', buffer: png(5, 4, 31 + k) });
    }
  }
  return n;
}

const inspected = () => Number(sql(srv.db, `SELECT COUNT(*) FROM inspection WHERE round_id = ${round.id}`));

test('an inspection with a failure: the case is opened with the photo', async () => {
  const p = await phone();
  await step(p, 'inspect-online', async () => {
    await axe(p, 'inspect home');
    await p.getByRole('link', { name: '手机端督查' }).click();
    await p.getByText('按距离由近到远排列').waitFor();
    await axe(p, 'sites');
    await p.locator('.cards a').first().click();
    await p.locator('fieldset.item').first().waitFor();
    await axe(p, 'checklist');
    await fill(p, 1);
    await p.getByRole('button', { name: '完成检查' }).click();
    await p.getByText('检查结果已提交').waitFor();
    assert.equal(inspected(), 1);
    const cases = sql(srv.db, "SELECT COUNT(*) FROM cases c JOIN case_media m ON m.case_id = c.id WHERE c.source = 'inspection'");
    assert.equal(cases, '1', 'the failure opened a case with its photo');
  });
  await p.context().close();
});

test('without signal the inspection waits in the phone and is sent when online', async () => {
  const p = await phone();
  await step(p, 'inspect-offline', async () => {
    // the service worker takes the page over, then keeps what it reads
    await p.waitForFunction(() => !!navigator.serviceWorker.controller);
    await p.reload();
    await p.getByRole('link', { name: '手机端督查' }).click();
    await p.locator('.cards a').nth(1).click();
    await p.locator('fieldset.item').first().waitFor();
    await fill(p, 0);
    await p.context().setOffline(true);
    await p.getByRole('button', { name: '完成检查' }).click();
    await p.getByText('暂无网络：检查结果已保存').waitFor();
    await p.getByText('等待网络').waitFor();
    assert.equal(inspected(), 1, 'nothing reached the server');
    // still without signal, the console opens again: the page, its modules, the session and
    // the rounds from the service worker's copies, the waiting inspection from IndexedDB
    await p.reload();
    await p.getByRole('heading', { name: '督查检查', exact: true }).waitFor();
    await p.getByText('等待网络').waitFor();
    await p.getByRole('link', { name: '手机端督查' }).waitFor();
    assert.equal(inspected(), 1, 'still nothing sent');
    await p.context().setOffline(false);
    for (let i = 0; i < 50 && inspected() < 2; i++) await p.waitForTimeout(100);
    assert.equal(inspected(), 2, 'sent once online');
  });
  await p.context().close();
});

test('a problem solved on the spot, with before and after photos', async () => {
  const p = await phone();
  await step(p, 'onsite', async () => {
    await p.getByRole('link', { name: '现场发现问题' }).click();
    await p.getByLabel('问题类别').selectOption({ index: 1 });
    await p.getByLabel('问题描述').fill('人行道有废弃纸箱');
    await p.getByLabel('已现场解决').check();
    await p.getByLabel('处置情况').fill('已清理');
    await p.getByLabel('处置前照片').setInputFiles({ name: 'b.png', mimeType: 'image/png', buffer: png(3, 3, 51) });
    await p.getByLabel('处置后照片').setInputFiles({ name: 'a.png', mimeType: 'image/png', buffer: png(3, 3, 52) });
    await axe(p, 'onsite report');
    await p.getByRole('button', { name: '上报' }).click();
    await p.getByRole('heading', { name: /^案件 DL/ }).waitFor();
    assert.match(await p.locator('dl.facts').innerText(), /待核查/);
  });
  await p.context().close();
});

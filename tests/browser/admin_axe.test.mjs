// axe-core finds no serious or critical violation on the console's map at phone and desktop
// sizes and on every administration tab at the desktop size — a file of its own so that it runs beside the other browser
// tests (it is the longest). Screenshots of a failing step go to tests/browser/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../http/lib/server.mjs';
import { addUser } from '../http/lib/staff.mjs';
import { DESKTOP, PHONE, axe, launch, loginPage, openMap, step } from './lib/console.mjs';

const TABS = [['users', '用户'], ['units', '单位'], ['categories', '问题类别'], ['routing', '派遣规则'], ['sites', '点位'], ['standards', '测评体系'],
  ['rounds', '检查轮次'], ['keys', '接口密钥'], ['audit', '审计日志']];
let srv, browser, pw;

before(async () => {
  srv = await startServer();
  pw = await addUser(srv, 'admin', 'O-WMB', 'admin');
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

const as = (login, viewport) => loginPage(browser, srv, login, pw, { viewport });

test('the map passes axe at phone and desktop sizes, every administration tab at the desktop size', async () => {
  for (const viewport of [PHONE, DESKTOP]) {
    const a = await as('admin', viewport);
    await step(a, `axe-map-${viewport.width}`, async () => {
      await openMap(a, srv);
      await a.locator('table.cases tbody tr').first().waitFor();
      await axe(a, `map at ${viewport.width}px`);
      // the map fits the screen beside or above its table
      const box = await a.locator('#map').boundingBox();
      assert.ok(box.width <= viewport.width && box.height >= 250 && box.height <= viewport.height, JSON.stringify(box));
    });
    // 系统管理 is desk work: its tabs at the desktop size (the map, used in the street too, at both)
    for (const [tab, label] of viewport === PHONE ? [] : TABS) {
      await step(a, `axe-admin-${tab}-${viewport.width}`, async () => {
        await a.goto(`${srv.base}/console#/admin?tab=${tab}`);
        await a.getByRole('heading', { name: label, level: 2 }).waitFor();
        await a.locator('main table').first().waitFor();
        await axe(a, `admin ${tab} at ${viewport.width}px`);
      });
    }
    await a.context().close();
  }
});

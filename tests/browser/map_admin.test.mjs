// The map and the administration pages in a real browser (Debian's chromium driven by
// playwright-core): the map draws the areas from the database, lists the open cases beside it,
// and a marker's popup leads to its case; an admin adds a user and an api key through the UI
// (each secret shown once) and verifies the audit chain; a handler has no 系统管理 and is
// refused when forcing it (axe on these pages: admin_axe.test.mjs). Screenshots of a failing
// step go to tests/browser/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../http/lib/server.mjs';
import { addUser, loginOk } from '../http/lib/staff.mjs';
import { DESKTOP, PHONE, addUserInForm, launch, loginPage, step } from './lib/console.mjs';

let srv, browser;
const pw = {};

before(async () => {
  srv = await startServer();
  const people = { admin: ['O-WMB', 'admin'], office: ['O-WMB', 'office'], zs: ['210202', 'handler'], insp: ['210202', 'inspector'] };
  for (const [login, [unit, roles]] of Object.entries(people)) pw[login] = await addUser(srv, login, unit, roles);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

// A page logged in as `login` through the login form.
const as = (login, viewport = DESKTOP) => loginPage(browser, srv, login, pw[login], { viewport });


test('the map draws the areas, lists the open cases beside it, and a marker leads to its case', async () => {
  const o = await as('office');
  await step(o, 'map', async () => {
    await o.getByRole('link', { name: '地图' }).click();
    await o.getByRole('heading', { name: '地图', exact: true }).waitFor();
    await o.locator('.leaflet-overlay-pane path').first().waitFor();
    // every area of the demo city is a polygon; districts carry their name
    const areas = await loginOk(srv, 'office', pw.office);
    const res = await fetch(`${srv.base}/api/v1/areas`, { headers: { Cookie: areas.cookie } });
    const nAreas = (await res.json()).features.filter((f) => f.geometry).length;
    assert.ok(nAreas > 0);
    assert.ok(await o.locator('.leaflet-overlay-pane path').count() >= nAreas, 'a path per area');
    assert.ok(await o.locator('.wm-area-label').count() >= 1, 'districts are labelled');

    // the table lists the open cases; the markers (groups count their cases) hold all located ones
    const table = o.locator('table.cases');
    await table.locator('caption', { hasText: '未结案件' }).waitFor();
    const rows = await table.locator('tbody tr').count();
    assert.ok(rows > 0, 'open cases listed');
    const label = await o.locator('fieldset.layers label', { hasText: '未结案件' }).innerText();
    const located = Number(/（(\d+) 件）/.exec(label)[1]);
    assert.ok(located > 0 && located <= rows, label);
    const counts = await o.locator('.wm-cluster').allInnerTexts();
    const singles = await o.locator('.wm-case').count();
    assert.equal(counts.reduce((s, x) => s + Number(x), 0) + singles, located, 'every located case on the map once');

    // a case from the table, shown on the map: its popup links to it
    const first = table.locator('tbody tr', { has: o.getByRole('button', { name: /^定位 / }) }).first();
    const code = await first.locator('td a').first().innerText();
    await first.getByRole('button', { name: `定位 ${code}` }).click();
    const popup = o.locator('.leaflet-popup');
    await popup.getByRole('link', { name: `案件 ${code}` }).waitFor();
    await popup.getByRole('button', { name: '关闭' }).click();
    await popup.waitFor({ state: 'detached' });

    // a single marker on the map: its popup links to its case page
    const marker = o.locator('.wm-case').first();
    const title = await marker.getAttribute('title');
    const other = /^案件 (\S+)：/.exec(title)[1];
    await marker.click();
    await popup.getByRole('link', { name: `案件 ${other}` }).click();
    await o.getByRole('heading', { name: `案件 ${other}` }).waitFor();

    // the sites by type: switching a type on draws its sites
    await o.goto(`${srv.base}/console#/map?t=1`);
    await o.locator('.leaflet-overlay-pane path').first().waitFor();
    const before = await o.locator('.leaflet-overlay-pane path').count();
    await o.locator('.site-types summary').click();
    await o.locator('.site-types input[type="checkbox"]').first().check();
    await o.waitForFunction((n) => document.querySelectorAll('.leaflet-overlay-pane path').length > n, before);
  });
  await o.context().close();
});

test('an admin adds a user and an api key (each shown once) and verifies the audit chain', async () => {
  const a = await as('admin');
  await step(a, 'admin-user', async () => {
    await a.getByRole('link', { name: '系统管理' }).click();
    await a.getByRole('heading', { name: '系统管理' }).waitFor();
    await a.getByRole('table').locator('caption', { hasText: '用户账号' }).waitFor();
    const password = await addUserInForm(a, { login: 'newclerk', name: '新职员', unit: '210202', role: '处置单位' });
    assert.ok(password.length >= 10, password);
    await a.getByRole('cell', { name: 'newclerk', exact: true }).waitFor();
    const s = await loginOk(srv, 'newclerk', password);
    assert.deepEqual(s.user.roles, ['handler']);

    // the API's refusal is shown beside the form
    await a.getByLabel('登录名').fill('newclerk');
    await a.getByLabel('姓名').fill('重复');
    await a.getByLabel('所属单位').selectOption(await a.getByLabel('所属单位').locator('option', { hasText: '中山区（210202）' }).getAttribute('value'));
    await a.getByRole('checkbox', { name: '处置单位' }).check();
    await a.getByRole('button', { name: '新增用户' }).click();
    await a.locator('form[aria-label="新增用户"] [role="alert"]', { hasText: /taken|已/ }).waitFor();
  });

  await step(a, 'admin-key', async () => {
    await a.getByRole('link', { name: '接口密钥' }).click();
    await a.getByRole('table').locator('caption', { hasText: '接口密钥' }).waitFor();
    await a.getByLabel('名称（给谁用）').fill('合作平台');
    await a.getByRole('button', { name: '新建密钥' }).click();
    const shown = a.locator('.once code');
    await shown.waitFor();
    const key = (await shown.innerText()).trim();
    assert.match(key, /^wm_\S{20,}$/);
    await a.getByRole('cell', { name: '合作平台', exact: true }).waitFor();
    // never shown again
    await a.goto(`${srv.base}/console#/admin?tab=keys&t=2`);
    await a.getByRole('cell', { name: '合作平台', exact: true }).waitFor();
    assert.ok(!(await a.locator('main').innerText()).includes(key), 'the key is shown once only');
  });

  await step(a, 'admin-audit', async () => {
    await a.getByRole('link', { name: '审计日志' }).click();
    await a.getByRole('cell', { name: 'apikey.create' }).first().waitFor();
    await a.getByRole('button', { name: '校验哈希链' }).click();
    await a.getByRole('status').filter({ hasText: '哈希链完整' }).waitFor();
  });
  await a.context().close();
});

test('an admin edits units, routing rules and inspection rounds through the UI', async () => {
  const a = await as('admin');
  a.on('dialog', (d) => d.accept());
  await step(a, 'admin-units', async () => {
    await a.goto(`${srv.base}/console#/admin?tab=units`);
    await a.getByRole('button', { name: '修改联系方式：中山区', exact: true }).click();
    const dialog = a.locator('dialog[open]');
    await dialog.getByLabel('联系人').fill('王主任');
    await dialog.getByLabel('电话').fill('0411-88888888');
    await dialog.getByRole('button', { name: '保存' }).click();
    await dialog.waitFor({ state: 'detached' }).catch(() => {});
    await a.getByRole('cell', { name: '王主任', exact: true }).waitFor();

    // a units file: checked first, then imported; a broken one shows FILE:LINE
    const up = a.locator('form[aria-label="导入单位（CSV）"]');
    const csv = (rows) => ({ name: 'units.csv', mimeType: 'text/csv', buffer: Buffer.from(`code,name,kind,parent_code\n${rows}`) });
    await up.getByLabel('文件').setInputFiles(csv('T-CSV,导入测试单位,department,NOPE\n'));
    await up.getByRole('button', { name: '上传' }).click();
    await up.getByText(/units\.csv:2: /).waitFor();
    await up.getByLabel('文件').setInputFiles(csv('T-CSV,导入测试单位,department,C-WMW\n'));
    await up.getByRole('button', { name: '上传' }).click();
    await a.getByText('检查通过：1 行，可以导入').waitFor();
    await up.getByLabel('只检查，不导入').uncheck();
    await up.getByRole('button', { name: '上传' }).click();
    await a.getByRole('cell', { name: 'T-CSV', exact: true }).waitFor();

    const add = a.locator('form[aria-label="新增单位"]');
    const fill = async () => {
      await add.getByLabel('单位代码').fill('T-UI');
      await add.getByLabel('名称').fill('界面测试单位');
      await add.getByLabel('类型').selectOption('department');
      const parent = await add.getByLabel('上级单位').locator('option', { hasText: '（O-WMB）' }).getAttribute('value');
      await add.getByLabel('上级单位').selectOption(parent);
      await add.getByRole('button', { name: '新增单位' }).click();
    };
    await fill();
    await a.getByRole('cell', { name: /^界面测试单位/ }).waitFor();
    await fill(); /* the code is taken now: the API's answer is shown beside the form */
    await add.getByRole('alert').filter({ hasText: /\S/ }).waitFor();
  });

  await step(a, 'admin-routing', async () => {
    await a.getByRole('link', { name: '派遣规则' }).click();
    const add = a.locator('form[aria-label="新增派遣规则"]');
    await add.getByLabel(/^类别/).fill('E0102');
    await add.getByLabel('区域').selectOption(await add.getByLabel('区域').locator('option', { hasText: '中山区（区）' }).getAttribute('value'));
    await add.getByLabel('责任单位').selectOption(await add.getByLabel('责任单位').locator('option', { hasText: '中山区（210202）' }).getAttribute('value'));
    await add.getByLabel('备注').fill('界面测试规则');
    await add.getByRole('button', { name: '新增规则' }).click();
    const row = a.locator('tbody tr', { has: a.getByRole('cell', { name: '界面测试规则', exact: true }) });
    await row.getByRole('cell', { name: '启用', exact: true }).waitFor();
    await row.getByRole('button', { name: /^停用/ }).click();
    await row.getByRole('cell', { name: '已停用', exact: true }).waitFor();
  });

  await step(a, 'admin-rounds', async () => {
    await a.getByRole('link', { name: '检查轮次' }).click();
    const add = a.locator('form[aria-label="新建检查轮次"]');
    await add.getByLabel('名称').fill('界面督查轮');
    await add.getByLabel('开始日期').fill('2026-11-01');
    await add.getByLabel(/^结束日期/).fill('2026-12-31');
    await add.getByLabel(/^范围/).selectOption('210202');
    await add.getByRole('checkbox', { name: /insp/ }).check();
    await add.getByRole('button', { name: '新建并抽取点位' }).click();
    const row = a.locator('tbody tr', { has: a.getByRole('cell', { name: '界面督查轮', exact: true }) });
    await row.getByRole('cell', { name: '进行中' }).waitFor();
    await row.getByRole('button', { name: /^结束/ }).click();
    await row.getByRole('cell', { name: '已结束' }).waitFor();
  });
  await a.context().close();
});

test('the office keeps the categories, the sites and the action plan through the UI', async () => {
  const o = await as('office');
  o.on('dialog', (d) => d.accept());
  await step(o, 'admin-categories', async () => {
    await o.goto(`${srv.base}/console#/admin?tab=categories`);
    const add = o.locator('form[aria-label="新增类别"]');
    await add.getByLabel(/^代码/).fill('0199');
    await add.getByLabel('小类名称', { exact: true }).fill('共享单车乱停');
    await add.getByLabel('说明', { exact: true }).fill('共享单车乱停放，占用人行道或盲道。');
    await add.getByLabel(/^默认责任单位/).selectOption(await add.getByLabel(/^默认责任单位/).locator('option', { hasText: '（D-CGJ）' }).getAttribute('value'));
    await add.getByRole('button', { name: '新增类别' }).click();
    const row = o.locator('tbody tr', { has: o.getByRole('cell', { name: 'E0199', exact: true }) });
    await row.getByRole('cell', { name: '共享单车乱停', exact: true }).waitFor();
    // a new 大类 without its name: the server's refusal is shown beside the form
    await add.getByLabel(/^代码/).fill('8801');
    await add.getByLabel('小类名称', { exact: true }).fill('x');
    await add.getByLabel('说明', { exact: true }).fill('x');
    await add.getByRole('button', { name: '新增类别' }).click();
    await add.getByRole('alert').filter({ hasText: /group_name/ }).waitFor();

    await row.getByRole('button', { name: '修改类别 E0199' }).click();
    const dialog = o.locator('dialog[open]');
    await dialog.getByLabel(/^处置时限/).fill('960');
    await dialog.getByRole('button', { name: '保存' }).click();
    await row.getByRole('cell', { name: /2 个工作日/ }).waitFor();
    await row.getByRole('button', { name: '停用类别 E0199' }).click();
    await row.getByRole('cell', { name: '已停用', exact: true }).waitFor();
  });

  await step(o, 'admin-sites', async () => {
    await o.getByRole('link', { name: '点位', exact: true }).click();
    await o.getByRole('searchbox', { name: /按名称/ }).fill('S0001');
    await o.getByRole('searchbox', { name: /按名称/ }).press('Enter');
    const row = o.locator('tbody tr', { has: o.getByRole('cell', { name: 'S0001', exact: true }) });
    const unit = await row.locator('td').nth(4).innerText();
    await row.getByRole('button', { name: '修改点位 S0001' }).click();
    const dialog = o.locator('dialog[open]');
    await dialog.getByLabel('地址').fill('大连市中山区中山路 1 号');
    await dialog.getByRole('button', { name: '保存' }).click();
    await row.getByRole('cell', { name: '大连市中山区中山路 1 号' }).waitFor();
    assert.equal(await row.locator('td').nth(4).innerText(), unit, 'the 包保 unit stays');
    await row.getByRole('button', { name: '停用点位 S0001' }).click();
    await row.getByRole('cell', { name: '已停用' }).waitFor();
    assert.equal(await row.locator('td').nth(4).innerText(), unit, 'switching off keeps the rest of the site');
    await row.getByRole('button', { name: '启用点位 S0001' }).click();
    await row.getByRole('cell', { name: '启用', exact: true }).waitFor();
  });

  await step(o, 'plan-edit', async () => {
    await o.goto(`${srv.base}/console#/plans`);
    await o.getByRole('heading', { name: '行动方案', exact: true }).waitFor();
    await o.locator('summary', { hasText: '新增任务' }).click();
    const add = o.locator('form[aria-label="新增任务"]');
    await add.getByLabel('任务编号').fill('3.9');
    await add.getByLabel('上级任务').selectOption('3');
    await add.getByLabel('任务名称').fill('界面新增的子任务');
    await add.getByLabel('牵头单位').selectOption('210202');
    await add.getByLabel(/^配合单位/).selectOption(['D-CGJ']);
    await add.getByLabel('开始日期').fill('2026-11-01');
    await add.getByLabel('完成时限').fill('2027-06-30');
    await add.getByLabel(/^里程碑/).fill('2027-03-31 完成摸底');
    await add.getByRole('button', { name: '新增任务' }).click();
    await o.getByRole('link', { name: '界面新增的子任务' }).click();
    await o.getByRole('heading', { name: '3.9 界面新增的子任务' }).waitFor();
    await o.getByRole('listitem').filter({ hasText: /完成摸底：未完成/ }).waitFor();
    await o.getByRole('button', { name: '修改任务' }).click();
    const dialog = o.locator('dialog[open]');
    await dialog.getByLabel('任务名称').fill('界面改名的子任务');
    await dialog.getByLabel('完成时限').fill('2027-09-30');
    await dialog.getByRole('button', { name: '保存' }).click();
    await o.getByRole('heading', { name: '3.9 界面改名的子任务' }).waitFor();
    await o.getByText(/至 2027\/09\/30/).waitFor();
  });
  await o.context().close();
});

test('a handler has no 系统管理 and is refused when forcing it; the office has no user admin', async () => {
  const z = await as('zs');
  await step(z, 'handler-admin', async () => {
    await z.getByRole('link', { name: '地图' }).waitFor();
    assert.equal(await z.getByRole('link', { name: '系统管理' }).count(), 0);
    await z.goto(`${srv.base}/console#/admin?tab=users`);
    await z.getByRole('heading', { name: '出错了' }).waitFor();
    assert.match(await z.getByRole('alert').innerText(), /权限/);
  });
  await z.context().close();
  const o = await as('office');
  await step(o, 'office-admin', async () => {
    await o.getByRole('link', { name: '系统管理' }).click();
    await o.getByRole('heading', { name: '系统管理' }).waitFor();
    assert.equal(await o.getByRole('link', { name: '用户', exact: true }).count(), 0);
    await o.goto(`${srv.base}/console#/admin?tab=users`);
    await o.getByRole('heading', { name: '出错了' }).waitFor();
  });
  await o.context().close();
});

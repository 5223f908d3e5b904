// The public portal in a real browser with JavaScript off, as on an old phone (issue 8): a
// citizen finds a case by its tracking code through the form, switches to 关怀版 with the link
// and gets large type that stays on the next pages; axe-core finds no serious or critical
// violation on the home, tracking and case pages in either mode at 390×844. Screenshots of a
// failing step go to tests/browser/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../http/lib/server.mjs';
import { fileRequest } from '../http/lib/open311.mjs';
import { sql } from '../http/lib/staff.mjs';
import { PHONE, axe, launch, step } from './lib/console.mjs';

let srv, browser, code, closed;
before(async () => {
  srv = await startServer();
  code = (await fileRequest(srv, { description: '小区门口路灯不亮', address_string: '中山区人民路 1 号' })).id;
  // a closed case shows its rating form
  closed = (await fileRequest(srv, { description: '垃圾桶满溢', address_string: '西岗区八一路' })).id;
  sql(srv.db, `UPDATE cases SET status = 'closed', closed_at = ${Math.floor(Date.now() / 1000)} WHERE code = '${closed}'`);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

// A phone without JavaScript (the pages have none); axe needs it on, and bypassCSP lets it in.
async function phone({ js = false } = {}) {
  const ctx = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', javaScriptEnabled: js, bypassCSP: true });
  return ctx.newPage();
}

test('without JavaScript: track a case by its code, switch to 关怀版 and back, axe in both modes', async () => {
  const p = await phone();
  await step(p, 'portal-track', async () => {
    await p.goto(`${srv.base}/`);
    await p.getByRole('heading', { level: 1 }).waitFor();
    await p.getByRole('link', { name: '查询办理进度' }).click();
    await p.getByLabel(/^查询码/).fill(code.toLowerCase());
    await p.getByRole('button', { name: '查询' }).click();
    await p.getByRole('heading', { name: `案件 ${code}` }).waitFor();
    await p.waitForLoadState('load');
    assert.match(await p.locator('dl.facts').innerText(), /路灯不亮/);
    // the body text of the standard mode
    assert.equal(await p.evaluate(() => getComputedStyle(document.documentElement).fontSize), '16px');
  });
  await step(p, 'portal-care', async () => {
    await p.getByRole('link', { name: /关怀版/ }).click();
    await p.getByRole('heading', { name: `案件 ${code}` }).waitFor();
    await p.waitForLoadState('load'); // the stylesheet applied before anything is measured
    assert.equal(await p.evaluate(() => document.documentElement.className), 'care');
    const size = Number.parseFloat(await p.evaluate(() => getComputedStyle(document.body).fontSize));
    assert.ok(size >= 18, `关怀版 body text ${size}px`);
    // it stays on for the next page, and every link is a large target
    await p.getByRole('link', { name: '首页' }).click();
    await p.getByRole('heading', { level: 1 }).waitFor();
    await p.waitForLoadState('load');
    assert.equal(await p.evaluate(() => document.documentElement.className), 'care');
    const small = await p.evaluate(() => [...document.querySelectorAll('main a, header a')]
      .map((a) => a.getBoundingClientRect()).filter((r) => r.height > 0 && r.height < 44).length);
    assert.equal(small, 0, 'touch targets of 44 px and more in 关怀版');
    await p.getByRole('link', { name: '标准版' }).click();
    assert.equal(await p.evaluate(() => document.documentElement.className), '');
  });
  await p.context().close();
});

test('without JavaScript: report a problem, mend a mistake, get the tracking code', async () => {
  const p = await phone();
  await step(p, 'portal-report', async () => {
    await p.goto(`${srv.base}/`);
    await p.getByRole('link', { name: '我要反映问题' }).click();
    await p.getByRole('heading', { name: '我要反映问题' }).waitFor();
    await p.getByLabel('问题类别').selectOption('P0101');
    await p.getByLabel(/^问题描述/).fill('井盖缺失，夜里很危险');
    await p.getByRole('button', { name: '提交' }).click();
    // the place was left out, and 井盖 asks what is wrong with it: both said, the text kept
    await p.getByText('请填写问题地点').first().waitFor();
    await p.getByLabel(/井盖问题类型/).selectOption('missing');
    assert.equal(await p.getByLabel(/^问题描述/).inputValue(), '井盖缺失，夜里很危险');
    await p.getByLabel(/^问题地点/).fill('中山区人民路 12 号');
    await p.getByRole('button', { name: '提交' }).click();
    await p.getByText('已受理，谢谢您').waitFor();
    assert.match(await p.getByRole('heading', { level: 1 }).innerText(), /^案件 DL[0-9A-Z]+$/);
  });
  await p.context().close();
});

test('with JavaScript: a box narrows the category list by name, group or keyword', async () => {
  const p = await phone({ js: true });
  await step(p, 'portal-category-filter', async () => {
    await p.goto(`${srv.base}/report`);
    const visible = () => p.locator('#service_code option:not([hidden])').evaluateAll((os) => os.filter((o) => o.value).map((o) => o.textContent));
    const all = (await visible()).length;
    assert.ok(all > 50, `${all} categories`);
    await p.getByRole('searchbox', { name: '筛选问题类别' }).fill('井盖');
    const manholes = await visible();
    assert.ok(manholes.length >= 3 && manholes.length < all, manholes.join());
    assert.ok(manholes.every((t) => /井/.test(t)), manholes.join());
    await p.getByText(`找到 ${manholes.length} 个类别`).waitFor();
    await p.getByRole('searchbox', { name: '筛选问题类别' }).fill('彩钢房'); // a keyword of 私搭乱建 only
    assert.deepEqual(await visible(), ['私搭乱建']);
    assert.equal(await p.locator('#service_code').inputValue(), 'E0101', 'the one left is chosen');
    await p.getByRole('searchbox', { name: '筛选问题类别' }).fill('');
    assert.equal((await visible()).length, all);
    await axe(p, 'report with the filter box');
  });
  await p.context().close();
});

test('axe: home, tracking form, case page, an error page, news, an article and search, standard and 关怀版, at 390×844', async () => {
  for (const care of [false, true]) {
    const p = await phone({ js: true });
    if (care) await p.goto(`${srv.base}/care?on=1&back=%2F`);
    // the tracking form is checked with its error shown, the case page with its rating form
    // (each the same page as the plain one, plus more)
    for (const [name, path] of [['home', '/'], ['report', '/report'], ['cases', '/cases'], ['rating', `/track/${closed}`], ['bad-code', '/track?code=x'], ['missing', '/track/DL000000XXXXXXX'], ['news', '/news'], ['article', '/news/1'], ['search', `/search?q=${encodeURIComponent('路灯')}`]]) {
      await step(p, `axe-portal-${name}-${care ? 'care' : 'std'}`, async () => {
        await p.goto(`${srv.base}${path}`);
        await p.getByRole('heading', { level: 1 }).waitFor();
        await axe(p, `${name} (${care ? '关怀版' : '标准版'})`);
      });
    }
    await p.context().close();
  }
});

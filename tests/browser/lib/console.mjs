// What the browser tests share: Debian's chromium, a page logged in through the console's form,
// steps that keep a screenshot when they fail, and axe-core's verdict.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT } from '../../http/lib/server.mjs';

export const OUT = path.join(ROOT, 'tests/browser/out');
export const DESKTOP = { width: 1440, height: 900 };
export const PHONE = { width: 390, height: 844 };

// Chromium from Debian (playwright's own download cannot work here): its headless shell, the
// build without the browser's interface that playwright itself uses for headless runs (the
// browser tests take about 40% less time than with the full chromium), else the full one;
// $CHROMIUM picks another. --no-sandbox: as root.
export const CHROMIUM = process.env.CHROMIUM
  || ['/usr/lib/chromium/chromium-headless-shell', '/usr/bin/chromium'].find((p) => existsSync(p))
  || '/usr/bin/chromium';
export const launch = () => chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });

// A page of a fresh context logged in as `login` through the login form; it waits for `ready`
// (a locator maker) or the 退出 button. bypassCSP: axe is injected as an inline script. The
// console's service worker (the offline shell) is blocked unless the context allows it: each
// fresh context would install it and copy every file it loads, for nothing but the offline test.
export async function loginPage(browser, srv, login, password, { viewport = DESKTOP, context = {}, ready } = {}) {
  const ctx = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', bypassCSP: true, serviceWorkers: 'block', ...context });
  const page = await ctx.newPage();
  page.on('pageerror', (err) => { throw err; });
  await page.goto(`${srv.base}/console#/login`);
  await page.getByLabel('账号').fill(login);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await (ready ? ready(page) : page.getByRole('button', { name: '退出' })).waitFor();
  return page;
}

// Runs fn(); on failure keeps a full-page screenshot named after the step.
export async function step(page, name, fn) {
  try {
    return await fn();
  } catch (err) {
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true }).catch(() => {});
    throw err;
  }
}

// axe-core on the page: fails on a serious or critical violation; returns all of them.
export async function axe(page, name) {
  await page.addScriptTag({ path: path.join(ROOT, 'node_modules/axe-core/axe.min.js') });
  const res = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })));
  const bad = res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `${name}: ${JSON.stringify(bad)}`);
  return res;
}

// 系统管理 → 用户: fills the new-user form (the unit by its code, one role by its name) and sends
// it; answers the password the page shows once. The admin's page is on that tab.
export async function addUserInForm(page, { login, name, unit, role }) {
  await page.getByLabel('登录名').fill(login);
  await page.getByLabel('姓名').fill(name);
  const value = await page.getByLabel('所属单位').locator('option', { hasText: `（${unit}）` }).getAttribute('value');
  await page.getByLabel('所属单位').selectOption(value);
  await page.getByRole('checkbox', { name: role }).check();
  await page.getByRole('button', { name: '新增用户' }).click();
  const shown = page.locator('.once code');
  await shown.waitFor();
  return (await shown.innerText()).trim();
}

// The console's map page open, its polygons drawn.
export async function openMap(page, srv) {
  await page.goto(`${srv.base}/console#/map`);
  await page.getByRole('heading', { name: '地图', exact: true }).waitFor();
  await page.locator('.leaflet-overlay-pane path').first().waitFor();
}

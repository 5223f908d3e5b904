// The narrowest phones the issue names (360 px): no console or portal page scrolls sideways —
// wide tables scroll inside their own box — in the standard mode and in 关怀版. Screenshots
// of a failing page go to tests/browser/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../http/lib/server.mjs';
import { addUser } from '../http/lib/staff.mjs';
import { fileRequest } from '../http/lib/open311.mjs';
import { launch, loginPage, step } from './lib/console.mjs';

const NARROW = { width: 360, height: 740 };
let srv, browser, code;

before(async () => {
  srv = await startServer();
  code = (await fileRequest(srv, { description: '人行道上堆放的建筑垃圾长时间无人清理，影响通行', address_string: '中山区人民路 5 号' })).id;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

// What sticks out past the right edge (outside the boxes that scroll by design), for the message.
const sideways = (p) => p.evaluate(() => {
  const w = document.documentElement.clientWidth;
  const out = [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > w + 1 && !e.closest('.scroll, .leaflet-container'))
    .slice(0, 3).map((e) => `<${e.tagName.toLowerCase()} class="${e.className}"> to ${Math.round(e.getBoundingClientRect().right)} px`);
  return { scroll: document.documentElement.scrollWidth, width: w, out };
});

async function fits(p, name) {
  await step(p, `narrow-${name.replace(/[^a-z0-9]+/gi, '-')}`, async () => {
    const s = await sideways(p);
    assert.ok(s.scroll <= s.width, `${name}: ${s.scroll} px wide on a ${s.width} px screen; ${s.out.join(', ')}`);
  });
}

test('the console at 360 px: every main page fits the width', async () => {
  const p = await loginPage(browser, srv, 'office', await addUser(srv, 'office', 'O-WMB', 'office'), { viewport: NARROW });
  for (const hash of ['#/inbox', `#/case/${code}`, '#/dashboard', '#/plans', '#/inspect', '#/map', '#/news', '#/news/new', '#/admin?tab=users']) {
    await p.goto('about:blank'); // a whole load each time, so that networkidle means the page's data is drawn
    await p.goto(`${srv.base}/console${hash}`, { waitUntil: 'networkidle' });
    await p.locator('main h1').first().waitFor();
    await fits(p, `console ${hash}`);
  }
  await p.context().close();
});

test('the portal at 360 px, standard and 关怀版: every page fits the width', async () => {
  const ctx = await browser.newContext({ viewport: NARROW, locale: 'zh-CN' });
  const p = await ctx.newPage();
  for (const care of [false, true]) {
    if (care) await p.goto(`${srv.base}/care?on=1&back=%2F`);
    for (const path of ['/', '/report', `/track/${code}`, '/cases', '/map', '/news', '/news/1', `/search?q=${encodeURIComponent('垃圾')}`]) {
      await p.goto(`${srv.base}${path}`);
      await fits(p, `${care ? '关怀版 ' : ''}${path}`);
    }
  }
  await ctx.close();
});

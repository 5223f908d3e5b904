// The portal's maps in chromium (issue 8, docs/portal.md "Maps and masking"): on a 390×844
// phone with JavaScript, 我要反映 shows a small map under 问题地点 — a tap, or 使用我的位置,
// sets the point sent as lat/long, and the filed case has it; 问题地图 draws the problems as
// markers, a filter refetches them, a tap shows what the public may know; axe-core finds no
// serious or critical violation on either page in either mode; without JavaScript 问题地图 is
// its table of districts. Screenshots of a failing step go to tests/browser/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../http/lib/server.mjs';
import { fetchRequest, fileRequest } from '../http/lib/open311.mjs';
import { png } from '../http/lib/images.mjs';
import { PHONE, axe, launch, step } from './lib/console.mjs';

const ZHUANGHE = { lat: 39.7, long: 122.8 }; // 庄河市, far from every other case
let srv, browser;
before(async () => {
  srv = await startServer();
  await fileRequest(srv, { service_code: 'E0102', lat: ZHUANGHE.lat, long: ZHUANGHE.long, description: '庄河测试' });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function phone({ js = true, care = false, context = {} } = {}) {
  const ctx = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', javaScriptEnabled: js, bypassCSP: true, hasTouch: true, ...context });
  const p = await ctx.newPage();
  p.on('pageerror', (err) => { throw err; });
  if (care) await p.goto(`${srv.base}/care?on=1&back=%2F`);
  return p;
}

const hiddenPoint = (p) => p.evaluate(() => {
  const v = (n) => document.querySelector(`form input[type="hidden"][name="${n}"]`)?.value;
  return v('lat') === undefined ? null : { lat: Number(v('lat')), long: Number(v('long')) };
});

test('我要反映 with JavaScript: a tap on the map sets the point, and the case has it', async () => {
  const p = await phone({ context: { geolocation: { latitude: 38.9201, longitude: 121.6302 }, permissions: ['geolocation'] } });
  await step(p, 'portal-picker', async () => {
    await p.goto(`${srv.base}/report`);
    const map = p.getByRole('region', { name: /问题位置地图/ });
    await map.locator('.leaflet-control-zoom-in').waitFor();
    assert.equal(await hiddenPoint(p), null, 'no point until one is chosen');
    const box = await map.boundingBox();
    assert.ok(box.height >= 200 && box.width > 300, JSON.stringify(box));
    await map.click({ position: { x: box.width / 2 + 30, y: box.height / 2 - 20 } });
    const tapped = await hiddenPoint(p);
    assert.ok(tapped && Math.abs(tapped.lat - 38.914) < 0.1 && Math.abs(tapped.long - 121.6147) < 0.1, JSON.stringify(tapped));
    await p.getByText(/^已在地图上选择位置：纬度/).waitFor();
    await p.locator('.map-pin').waitFor();

    await p.getByRole('button', { name: '使用我的位置' }).click();
    await p.getByText(/^已使用您的位置/).waitFor();
    assert.deepEqual(await hiddenPoint(p), { lat: 38.9201, long: 121.6302 });
    await p.getByRole('button', { name: '清除地图位置' }).click();
    assert.equal(await hiddenPoint(p), null, 'cleared: nothing is sent');

    await map.click({ position: { x: box.width / 2, y: box.height / 2 } });
    const chosen = await hiddenPoint(p);
    await p.getByLabel('问题类别', { exact: true }).selectOption('E0102');
    await p.getByLabel(/^问题描述/).fill('地图选点测试：路边垃圾');
    await p.getByRole('button', { name: '提交' }).click();
    await p.getByText('已受理，谢谢您').waitFor();
    const code = /^案件 (DL[0-9A-Z]+)$/.exec(await p.getByRole('heading', { level: 1 }).innerText())[1];
    const req = await fetchRequest(srv, code);
    assert.deepEqual({ lat: req.lat, long: req.long }, chosen);
  });
  await p.context().close();
});

test('我要反映: after a mistake the chosen point is shown again', async () => {
  const p = await phone();
  await step(p, 'portal-picker-kept', async () => {
    await p.goto(`${srv.base}/report`);
    const map = p.getByRole('region', { name: /问题位置地图/ });
    await map.locator('.leaflet-control-zoom-in').waitFor();
    await map.click();
    const chosen = await hiddenPoint(p);
    await p.getByRole('button', { name: '提交' }).click(); // no category, no description
    await p.getByText('请选择问题类别').first().waitFor();
    assert.deepEqual(await hiddenPoint(p), chosen);
    await p.getByText(/^已选择的位置：纬度/).waitFor();
    await p.locator('.map-pin').waitFor();
    assert.equal(await p.locator('form input[type="hidden"][name="lat"]').count(), 1, 'one input, not two');
  });
  await p.context().close();
});

test('问题地图 with JavaScript: markers, a filter that refetches, a popup with what may be known', async () => {
  const p = await phone();
  await step(p, 'portal-map', async () => {
    await p.goto(`${srv.base}/map`);
    const map = p.getByRole('region', { name: /问题地图/ });
    const dots = map.locator('.leaflet-marker-pane .map-dot');
    await dots.first().waitFor();
    assert.ok(await dots.count() > 1);
    await p.locator('.leaflet-overlay-pane canvas').waitFor(); // the outlines
    await p.getByRole('list', { name: '图例' }).getByText('已解决').waitFor();

    await p.getByLabel('状态').selectOption('solved');
    await p.waitForURL(/state=solved/);
    await p.waitForFunction(() => !document.querySelector('#map .map-dot.open'));
    assert.ok(await dots.count() > 0, 'the demo has solved cases');

    // the answer for the whole city comes late, after the one for 庄河市 was asked for: it
    // must not overwrite what is shown (a user changing two filters quickly)
    let late = null;
    await p.route(/\/api\/v1\/public\/map\?(?!.*district=)/, async (route) => {
      late = new Promise((resolve) => setTimeout(resolve, 1200)).then(() => route.continue().catch(() => {}));
    });
    await p.getByLabel('状态').selectOption('all');
    await p.getByLabel('区域').selectOption('210283'); // 庄河市: one problem
    await p.waitForURL(/district=210283/);
    await p.getByText(/共反映 1 件问题/).waitFor();
    assert.ok(late, 'the whole city was asked for first');
    await late;
    await p.unroute(/\/api\/v1\/public\/map/);
    await p.waitForTimeout(300); // what a late answer would have written
    assert.match(await p.locator('#map-summary').innerText(), /共反映 1 件问题/);
    assert.equal(await p.locator('#district-table tbody tr').count(), 1);
    await dots.first().waitFor();
    assert.equal(await dots.count(), 1);
    // the map may still be flying to the district: a click during the animation misses
    const popup = p.locator('.leaflet-popup-content');
    for (let i = 0; i < 10 && !(await popup.isVisible()); i++) {
      await dots.first().click();
      await popup.waitFor({ timeout: 1000 }).catch(() => {});
    }
    await popup.waitFor();
    const text = await popup.innerText();
    assert.match(text, /暴露垃圾/);
    assert.match(text, /办理中 · 庄河市/);
    assert.match(text, /\d{4}-\d{2}-\d{2}/);
    assert.doesNotMatch(text, /庄河测试|DL\d/, 'no description or code');
    assert.equal(await p.locator('.leaflet-popup-close-button').getAttribute('aria-label'), '关闭');
  });
  await p.context().close();
});

test('axe: 问题地图 and 我要反映 with their maps, standard and 关怀版; 关怀版 is taller with large controls', async () => {
  for (const care of [false, true]) {
    const p = await phone({ care });
    for (const [name, path, region] of [['map', '/map', /问题地图/], ['report', '/report', /问题位置地图/]]) {
      await step(p, `axe-portal-${name}-${care ? 'care' : 'std'}`, async () => {
        await p.goto(`${srv.base}${path}`);
        const map = p.getByRole('region', { name: region });
        await map.locator('.leaflet-control-zoom-in').waitFor();
        if (name === 'map') await map.locator('.map-dot').first().waitFor();
        await p.waitForLoadState('load');
        await axe(p, `${name} (${care ? '关怀版' : '标准版'})`);
        if (care) {
          const zoom = await p.locator('.leaflet-control-zoom-in').boundingBox();
          assert.ok(zoom.height >= 48 && zoom.width >= 48, `zoom button ${JSON.stringify(zoom)}`);
          const buttons = await p.locator('main button:visible').evaluateAll((bs) => bs.map((b) => b.getBoundingClientRect().height));
          assert.ok(buttons.every((h) => h >= 48), `buttons ${buttons}`);
        }
        if (name === 'map') {
          const h = (await map.boundingBox()).height;
          assert.ok(care ? h >= 500 : h >= 280 && h < 520, `map height ${h}`);
        }
      });
    }
    await p.context().close();
  }
});

test("the city's own tiles under both maps when the server shows them to the public", async () => {
  const tiled = await startServer({ args: ['--tile-url', 'https://tiles.example.cn/osm/{z}/{x}/{y}.png', '--tile-attribution', '© 大连市测绘院 <i>x</i>', '--tile-public'] });
  const p = await phone();
  try {
    await step(p, 'portal-tiles', async () => {
      const asked = [];
      const tile = png(256, 256, 7);
      await p.route('https://tiles.example.cn/**', (r) => {
        asked.push(new URL(r.request().url()).pathname);
        return r.fulfill({ status: 200, contentType: 'image/png', body: tile });
      });
      for (const page of ['/report', '/map']) {
        await p.goto(`${tiled.base}${page}`);
        await p.locator('img.leaflet-tile-loaded').first().waitFor();
        assert.equal(await p.locator('.leaflet-control-attribution').innerText(), '© 大连市测绘院 <i>x</i>', 'the credit line as text');
      }
      assert.ok(asked.length > 0 && asked.every((x) => /^\/osm\/\d+\/\d+\/\d+\.png$/.test(x)), asked.join());
    });
  } finally {
    await p.context().close();
    await tiled.stop();
  }
});

test('without JavaScript: 问题地图 is its table of districts, 我要反映 has no map', async () => {
  const p = await phone({ js: false });
  await step(p, 'portal-map-nojs', async () => {
    await p.goto(`${srv.base}/map`);
    await p.getByRole('heading', { name: '问题地图' }).waitFor();
    const table = p.getByRole('table', { name: /各区问题/ });
    assert.ok(await table.getByRole('row').count() >= 10);
    await table.getByRole('link', { name: '庄河市' }).click();
    await p.waitForURL(/\/cases\?district=210283$/);
    await p.getByRole('heading', { name: '问题公开' }).waitFor();
    await p.goto(`${srv.base}/report`);
    assert.equal(await p.locator('.leaflet-container').count(), 0);
    assert.equal(await p.getByRole('button', { name: '使用我的位置' }).count(), 0);
  });
  await p.context().close();
});

// The console's figures (issue 7): the weight of each main page's JS + CSS as sent (gzip),
// and the time to interactive of the inbox with 10,000 open cases, in headless chromium.
// Usage: node bench/console_bench.mjs [OPEN_CASES]   (make bench-console)
import { createInstance, runCli, startServer } from '../tests/http/lib/server.mjs';
import { addUser } from '../tests/http/lib/staff.mjs';
import { sql } from '../tests/http/lib/staff.mjs';
import { launch } from '../tests/browser/lib/console.mjs';

const want = Number(process.argv[2] || 10000);
const inst = await createInstance({ demo: true });
// a few days of generated cases: most are still open
const gen = await runCli(['demo', 'generate', '--cases', String(Math.round(want * 1.6)), '--days', '4', '--quiet', '--db', inst.db], { timeout: 600000 });
if (gen.code !== 0) throw new Error(gen.stderr);
const open = Number(sql(inst.db, "SELECT COUNT(*) FROM cases WHERE status NOT IN ('closed', 'rejected')"));
const srv = await startServer({ instance: inst });
const pw = await addUser(srv, 'bench.office', 'O-WMB', 'office,dispatcher');
const browser = await launch(); // the tests' chromium (its headless shell)

async function visit(hash, ready) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${srv.base}/console#/login`);
  await page.getByLabel('账号').fill('bench.office');
  await page.getByLabel('密码').fill(pw);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('button', { name: '退出' }).waitFor();
  // a fresh context: everything is downloaded, as on a first visit
  // the service worker's own downloads (its precache) are not the page's: blocked here
  const fresh = await browser.newContext({ viewport: { width: 1440, height: 900 }, storageState: await context.storageState(), serviceWorkers: 'block' });
  const p = await fresh.newPage();
  let bytes = 0;
  p.on('requestfinished', async (req) => {
    const type = req.resourceType();
    if (type === 'script' || type === 'stylesheet' || type === 'document') {
      const s = await req.sizes().catch(() => null);
      if (s) bytes += s.responseBodySize;
    }
  });
  const t0 = Date.now();
  await p.goto(`${srv.base}/console${hash}`);
  await p.locator(ready).first().waitFor({ timeout: 60000 });
  const ms = Date.now() - t0;
  await p.waitForLoadState('networkidle');
  await fresh.close();
  await context.close();
  return { ms, bytes };
}

const rows = [];
for (const [name, hash, ready] of [
  ['inbox (all, nearest deadline first)', '#/inbox?queue=&order=due', 'table.cases tbody tr td a'],
  ['inbox (to dispatch)', '#/inbox?queue=dispatch&order=due', 'table.cases tbody tr'],
  ['dashboard', '#/dashboard', '.chart canvas'],
  ['plans', '#/plans', 'table tbody tr'],
]) {
  const runs = [];
  for (let i = 0; i < 5; i++) runs.push(await visit(hash, ready));
  runs.sort((a, b) => a.ms - b.ms);
  rows.push({ page: name, tti_median_ms: runs[2].ms, tti_max_ms: runs[4].ms, js_css_html_bytes_sent: runs[0].bytes });
}
console.log(`open cases: ${open}`);
console.table(rows);
await browser.close();
await srv.stop();

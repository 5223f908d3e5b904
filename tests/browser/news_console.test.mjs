// 创城宣传 in the console (docs/news.md, docs/console.md), in chromium: an editor of the
// propaganda department writes an article through the UI — kind, title, tags, bold text from
// the toolbar, a picture with its alt text in the body, a cover — saves it, sees the body as
// the server cleaned it, and submits it; the office returns it with a reason; the editor sees
// the reason, mends the title and submits again; the office publishes it and the portal shows
// it. Markup typed into the HTML source box never runs in the console and loses its event
// handlers on the server. axe-core on the list and the article page at desktop and phone sizes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../http/lib/server.mjs';
import { addUser, loginOk, staffReq } from '../http/lib/staff.mjs';
import { png } from '../http/lib/images.mjs';
import { DESKTOP, PHONE, addUserInForm, axe, launch, loginPage, step } from './lib/console.mjs';

let srv, browser;
const pw = {};

before(async () => {
  srv = await startServer();
  pw.editor = await addUser(srv, 'editor', 'D-XCB', 'editor');
  pw.office = await addUser(srv, 'office', 'O-WMB', 'office');
  pw.admin = await addUser(srv, 'admin', 'O-WMB', 'admin');
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

// Nothing typed into the editor may ever run (the test pages bypass the CSP, so only the
// console's own care stops it): an alert() would be a script of the article's.
const alerts = [];
// The console's own question before unsaved writing is left: answered with `leave.answer`.
const leave = { asked: 0, answer: false };

// A page logged in through the form; the editor starts on 创城宣传, the office on its inbox.
async function as(login, viewport = DESKTOP) {
  const page = await loginPage(browser, srv, login, pw[login], { viewport });
  page.on('dialog', (d) => {
    if (d.type() === 'confirm' && d.message().startsWith('您有未保存的修改')) {
      leave.asked++;
      (leave.answer ? d.accept() : d.dismiss()).catch(() => {});
      return;
    }
    alerts.push(`${login}: ${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  return page;
}

// The article as the API has it (the editor's own session).
async function article(id) {
  const s = await loginOk(srv, 'editor', pw.editor);
  const r = await staffReq(srv, 'GET', `/api/v1/articles/${id}`, { cookie: s.cookie, csrf: s.csrf });
  assert.equal(r.status, 200, r.text);
  return JSON.parse(r.text);
}

const articleId = (page) => Number(/#\/news\/(\d+)/.exec(page.url())[1]);

// One move from the article page's 文章状态 buttons (a reason through the dialog); waits for
// the state the move leads to.
async function move(page, name, state, reason) {
  await page.getByRole('button', { name, exact: true }).click();
  if (reason) {
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox').fill(reason);
    await dialog.getByRole('button', { name, exact: true }).click();
  }
  await page.locator('.facts .badge', { hasText: state }).waitFor();
}

// Writes a new article through the form at the page's size, saves it, and answers its id.
async function write(page, title) {
  await page.getByRole('heading', { name: '创城宣传', exact: true }).waitFor();
  await page.getByRole('link', { name: '写新文章' }).click();
  await page.getByRole('heading', { name: '写新文章' }).waitFor();
  await page.getByLabel('类别').selectOption({ label: '经验做法' });
  await page.getByLabel('标题').fill(title);
  await page.getByLabel('来源').fill('市委宣传部');
  await page.getByLabel('标签（逗号分隔，最多 10 个）').fill('志愿服务，文明有礼');
  await page.getByLabel('上传封面图片').setInputFiles({ name: 'cover.png', mimeType: 'image/png', buffer: png(8, 6, 31) });
  await page.locator('figure.cover img[src^="/media/"]').waitFor();
  await page.getByLabel('封面图片说明（替代文字）').fill('志愿者在社区清扫');

  const body = page.getByRole('textbox', { name: '正文', exact: true });
  await body.click();
  await page.keyboard.type('社区志愿者');
  await page.getByRole('button', { name: '加粗' }).click();
  await page.keyboard.type('每周清扫');
  await page.getByRole('button', { name: '加粗' }).click();
  await page.keyboard.type('背街小巷。');
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: '插入图片' }).click();
  const dialog = page.getByRole('dialog', { name: '插入图片' });
  await dialog.getByLabel('图片文件').setInputFiles({ name: 'street.png', mimeType: 'image/png', buffer: png(6, 4, 32) });
  await dialog.getByLabel('图片说明（替代文字，读屏软件会读出）').fill('清扫后的小巷');
  await dialog.getByRole('button', { name: '插入' }).click();
  await body.locator('img[alt="清扫后的小巷"]').waitFor();

  await page.getByRole('button', { name: '保存草稿' }).click();
  await page.getByRole('heading', { name: title }).waitFor();
  await page.getByText('已保存为草稿。').waitFor();
  assert.equal(await page.getByText(/部分格式已按安全规则移除/).count(), 0, 'what the toolbar makes is kept as it is');
  // the preview is the body the server stored
  assert.equal(await page.locator('.article-body b, .article-body strong').innerText(), '每周清扫');
  await page.locator('.article-body img[alt="清扫后的小巷"]').waitFor();
  return articleId(page);
}

test('an editor writes, the office returns with a reason and publishes, the portal shows it', async () => {
  const e = await as('editor');
  const title = '社区志愿者清扫背街小巷';
  const id = await step(e, 'news-write', async () => {
    await axe(e, 'news list');
    const made = await write(e, title);
    const a = await article(made);
    assert.equal(a.kind, 'practice');
    assert.deepEqual(a.tags, ['志愿服务', '文明有礼']);
    assert.match(a.body, /<b>每周清扫<\/b>/);
    assert.match(a.body, /<img src="\/media\/[0-9a-f]{64}\.png" alt="清扫后的小巷">/);
    assert.match(a.cover, /^\/media\/[0-9a-f]{64}\.png$/);
    assert.equal(a.cover_alt, '志愿者在社区清扫');
    await axe(e, 'article page');
    await move(e, '提交审核', '待审核');
    return made;
  });

  const o = await as('office');
  await step(o, 'news-return', async () => {
    await o.getByRole('link', { name: '创城宣传' }).click();
    await o.getByRole('link', { name: '待审核（1）' }).click();
    await o.getByRole('cell', { name: title }).waitFor();
    await axe(o, 'news list with an article');
    await o.getByRole('link', { name: title }).click();
    await o.getByRole('heading', { name: title }).waitFor();
    assert.equal(await o.getByRole('button', { name: '保存' }).count(), 0, 'an article under review is not edited');
    await move(o, '退回修改', '草稿', '标题请写明是哪个社区');
  });

  await step(e, 'news-mend', async () => {
    await e.goto(`${srv.base}/console#/news/${id}?t=1`);
    await e.getByText('退回原因：标题请写明是哪个社区').waitFor();
    await e.getByLabel('标题').fill(`青泥洼桥${title}`);
    await e.getByRole('button', { name: '保存', exact: true }).click();
    await e.getByRole('heading', { name: `青泥洼桥${title}` }).waitFor();
    await move(e, '提交审核', '待审核');
  });

  await step(o, 'news-publish', async () => {
    await o.goto(`${srv.base}/console#/news/${id}?t=2`);
    await move(o, '审核发布', '已发布');
    await o.getByRole('link', { name: '在门户查看' }).click();
    await o.getByRole('heading', { name: `青泥洼桥${title}` }).waitFor();
    assert.equal(await o.locator('.body b').innerText(), '每周清扫');
    const img = o.locator('.body img[alt="清扫后的小巷"]');
    assert.ok(await img.evaluate((x) => x.complete && x.naturalWidth > 0), 'the picture is shown');
  });
  assert.deepEqual((await article(id)).events.map((x) => x.action), ['create', 'submit', 'return', 'edit', 'submit', 'publish']);
  assert.deepEqual(alerts, []);
  await e.context().close();
  await o.context().close();
});

test('on a phone: written with the toolbar, HTML source cleaned by the server and never run', async () => {
  const e = await as('editor', PHONE);
  await step(e, 'news-phone', async () => {
    await axe(e, 'news list on a phone');
    const id = await write(e, '文明交通劝导志愿服务');
    await axe(e, 'article page on a phone');

    // the same content as HTML; markup typed there comes back into the editor inert
    await e.getByRole('button', { name: 'HTML 源码' }).click();
    const source = e.getByLabel('正文 HTML 源码');
    assert.match(await source.inputValue(), /<b>每周清扫<\/b>/);
    await source.fill('<p>劝导<strong>不闯红灯</strong></p><img src=x onerror=alert(1)>');
    await e.getByRole('button', { name: '保存', exact: true }).click();
    await e.getByText('部分格式已按安全规则移除：<img>。', { exact: false }).waitFor();
    const a = await article(id);
    assert.doesNotMatch(a.body, /onerror|src="?x/i, a.body);
    assert.match(a.body, /<strong>不闯红灯<\/strong>/);

    await e.getByRole('button', { name: 'HTML 源码' }).click();
    await e.getByLabel('正文 HTML 源码').fill('<p onclick="alert(2)">好</p><img src=x onerror=alert(3)><script>alert(4)</script>');
    await e.getByRole('button', { name: 'HTML 源码' }).click();
    const body = e.getByRole('textbox', { name: '正文', exact: true });
    assert.equal(await body.evaluate((x) => x.innerHTML), '<p>好</p>');
    await move(e, '提交审核', '待审核');
    assert.equal((await article(id)).body, '<p>好</p>', 'what was being written went with the submission');
  });
  await step(e, 'news-keys-stale', async () => {
    // the toolbar from the keyboard: Alt+F10 to it, arrows along it, Esc back
    await move(e, '改为草稿', '草稿');
    const body = e.getByRole('textbox', { name: '正文', exact: true });
    await body.focus();
    await e.keyboard.press('Alt+F10');
    assert.equal(await e.evaluate(() => document.activeElement.textContent), '加粗');
    await e.keyboard.press('ArrowRight');
    assert.equal(await e.evaluate(() => document.activeElement.textContent), '斜体');
    await e.keyboard.press('Escape');
    assert.ok(await body.evaluate((x) => x === document.activeElement));

    // someone else saves meanwhile: the save is refused and the current version offered
    const id = articleId(e);
    const s = await loginOk(srv, 'editor', pw.editor);
    const other = await staffReq(srv, 'PATCH', `/api/v1/articles/${id}`,
      { cookie: s.cookie, csrf: s.csrf, body: { title: '另一处改过的标题', version: (await article(id)).version } });
    assert.equal(other.status, 200, other.text);
    await e.getByLabel('标题').fill('我改的标题');
    await e.getByRole('button', { name: '保存', exact: true }).click();
    await e.getByText('这篇文章已被他人修改或状态已变化').waitFor();
    await e.getByRole('button', { name: /重新加载/ }).click(); // says the change is kept: no question
    await e.getByRole('heading', { name: '另一处改过的标题' }).waitFor();
    assert.equal(leave.asked, 0);
    // what was typed is offered back, with a word that the article changed meanwhile
    const offer = e.getByRole('region', { name: '有未保存的修改' });
    await offer.getByText('这篇文章此后已被修改过').waitFor();
    await offer.getByText('我改的标题', { exact: false }).waitFor();
    await offer.getByRole('button', { name: '丢弃' }).click();
    await offer.waitFor({ state: 'detached' });
  });
  await step(e, 'news-leave', async () => {
    // unsaved writing: the way out asks first; 取消 keeps the page and what was typed
    const here = e.url();
    await e.getByLabel('摘要（可不填，列表中显示正文开头）').fill('还没保存的摘要');
    await e.getByRole('link', { name: '← 创城宣传' }).click();
    for (let i = 0; i < 100 && leave.asked < 1; i++) await e.waitForTimeout(20);
    assert.equal(leave.asked, 1);
    // the count goes up as the question is shown; the page puts its address back only once
    // the answer has reached it, so wait for that rather than read the address at once
    await e.waitForFunction((h) => location.href === h, here, { timeout: 5000 })
      .catch(() => assert.fail(`the address is the page still shown: ${e.url()} is not ${here}`));
    assert.equal(await e.getByLabel('摘要（可不填，列表中显示正文开头）').inputValue(), '还没保存的摘要');
    leave.answer = true;
    await e.getByRole('link', { name: '← 创城宣传' }).click();
    await e.getByRole('heading', { name: '创城宣传', level: 1 }).waitFor();
    assert.equal(leave.asked, 2);
    // a saved page leaves without a question
    await e.goBack();
    await e.getByRole('button', { name: '保存', exact: true }).waitFor();
    await e.getByRole('link', { name: '← 创城宣传' }).click();
    await e.getByRole('heading', { name: '创城宣传', level: 1 }).waitFor();
    assert.equal(leave.asked, 2);
  });
  assert.deepEqual(alerts, [], 'no script of the article ran');
  await e.context().close();
});

test('writing survives a tab closed unsaved and a session that ran out', async () => {
  const e = await as('editor');
  const ctx = e.context();
  let p = e;
  await step(p, 'news-kept', async () => {
    const id = await write(e, '社区志愿者清理楼道');
    await e.getByLabel('标题').fill('断电前写的标题');
    await e.waitForTimeout(1200); // the copy is kept a moment after the typing
    await e.close({ runBeforeUnload: false }); // as a crash would: no question, no save
    p = await ctx.newPage();
    p.on('pageerror', (err) => { throw err; });
    await p.goto(`${srv.base}/console#/news/${id}`);
    const offer = p.getByRole('region', { name: '有未保存的修改' });
    await offer.getByText('断电前写的标题', { exact: false }).waitFor();
    await axe(p, 'article page offering a kept copy');
    assert.equal(await offer.getByText('此后已被修改过').count(), 0, 'nobody changed it since');
    await offer.getByRole('button', { name: '恢复这些修改' }).click();
    assert.equal(await p.getByLabel('标题').inputValue(), '断电前写的标题');
    assert.match(await p.getByRole('textbox', { name: '正文', exact: true }).innerHTML(), /<b>每周清扫<\/b>/);

    // the session runs out while writing: 保存 goes to 登录 without a question, and back
    await ctx.clearCookies();
    await p.getByRole('button', { name: '保存', exact: true }).click();
    await p.getByRole('heading', { name: '工作人员登录' }).waitFor();
    await p.getByLabel('账号').fill('editor');
    await p.getByLabel('密码').fill(pw.editor);
    await p.getByRole('button', { name: '登录' }).click();
    await offer.getByRole('button', { name: '恢复这些修改' }).click();
    assert.match(p.url(), new RegExp(`#/news/${id}$`), 'back on the article, not on the home page');
    await p.getByRole('button', { name: '保存', exact: true }).click();
    await p.getByRole('heading', { name: '断电前写的标题' }).waitFor();
    assert.equal((await article(id)).title, '断电前写的标题');
    // saved: nothing is offered any more
    await p.goto(`${srv.base}/console#/news/${id}?t=1`);
    await p.getByRole('button', { name: '保存', exact: true }).waitFor();
    assert.equal(await offer.count(), 0);

    // a link opened while logged out leads there after 登录
    await ctx.clearCookies();
    await p.goto(`${srv.base}/console#/news/${id}?t=2`);
    await p.getByLabel('账号').fill('editor');
    await p.getByLabel('密码').fill(pw.editor);
    await p.getByRole('button', { name: '登录' }).click();
    await p.getByRole('heading', { name: '断电前写的标题' }).waitFor();
    assert.match(p.url(), new RegExp(`#/news/${id}\\?t=2$`));
  });
  await ctx.close();
});

test('an admin makes an editor in 系统管理, who starts on 创城宣传 with its menu', async () => {
  const a = await as('admin');
  await step(a, 'news-admin-editor', async () => {
    await a.getByRole('link', { name: '系统管理' }).click();
    await a.getByRole('table').locator('caption', { hasText: '用户账号' }).waitFor();
    pw['xcb.writer'] = await addUserInForm(a, { login: 'xcb.writer', name: '宣传部新编辑', unit: 'D-XCB', role: '宣传部门编辑' });
  });
  const w = await as('xcb.writer', PHONE);
  await step(w, 'news-editor-home', async () => {
    await w.getByRole('heading', { name: '创城宣传', exact: true }).waitFor();
    assert.deepEqual(await w.getByRole('navigation', { name: '主导航' }).getByRole('link').allInnerTexts(), ['创城宣传'], 'articles only: nothing of the case work');
  });
  await a.context().close();
  await w.context().close();
});

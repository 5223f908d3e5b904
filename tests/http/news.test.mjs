// Creation news (issue 8, docs/news.md): an editor of the propaganda department writes an
// article with a cover picture and tags, submits it; the office returns it with a reason,
// then publishes it (never its own: 四眼原则); the portal lists it by kind and tag, shows it
// with related articles, the hot list and share links, answers 304 to a browser that holds
// it (ETag), counts its views (cached pages too) and puts it in the Atom and RSS feeds; a
// withdrawn article is gone from the portal. Script in the body never gets stored. Runs on
// SQLite and, with WENMING_TEST_PG, on PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { get, postMultipart, parseXml, sleep } from './lib/http.mjs';
import { addUser, loginOk, staffReq, sql } from './lib/staff.mjs';
import { png } from './lib/images.mjs';

let srv;
const who = {};
const json = (r) => JSON.parse(r.text);
const api = (login, method, path, body) =>
  staffReq(srv, method, path, { cookie: who[login].cookie, csrf: who[login].csrf, body });

before(async () => {
  srv = await startServer({ env: { WENMING_VIEWS_FLUSH: '0' } });
  for (const [login, unit, roles] of [['editor', 'D-XCB', 'editor'], ['office', 'O-WMB', 'office'],
    ['office2', 'O-WMB', 'office'], ['handler', '210202', 'handler']]) {
    who[login] = await loginOk(srv, login, await addUser(srv, login, unit, roles));
  }
});
after(async () => { await srv?.stop(); });

const XSS = '<p onclick="alert(1)">志愿者清理<b>楼道</b>杂物<script>alert(1)</script></p>' +
  '<img src="x" onerror="alert(2)"><a href="javascript:alert(3)">链接</a><iframe src="//evil"></iframe>' +
  '<style>body{display:none}</style><h1>小标题</h1>';

async function write(login, fields) {
  const r = await api(login, 'POST', '/api/v1/articles', fields);
  assert.equal(r.status, 201, r.text);
  return json(r);
}

async function act(login, a, action, note) {
  const r = await api(login, 'POST', `/api/v1/articles/${a.id}/actions`, { action, version: a.version, ...(note ? { note } : {}) });
  return { status: r.status, a: r.status === 200 ? json(r) : a, text: r.text };
}

test('write, review and publish; the portal shows only what is published, script never stored', async () => {
  const up = await postMultipart(srv.base, '/api/v1/media', [{ name: 'file', filename: 'ad.png', type: 'image/png', data: png(4, 3, 81) }],
    { headers: { Cookie: who.editor.cookie, 'X-CSRF-Token': who.editor.csrf } });
  assert.equal(up.status, 201, up.text);
  let a = await write('editor', { kind: 'psa', title: '文明<有礼>，礼让在心', summary: '', body: XSS,
    source: '市委宣传部', cover: json(up).name, cover_alt: '公益广告：排队礼让', tags: '文明有礼,志愿服务' });
  assert.equal(a.status, 'draft');
  assert.deepEqual(a.moves, ['submit']);
  assert.deepEqual(a.tags, ['志愿服务', '文明有礼']);
  assert.match(a.cover, /^\/media\/[0-9a-f]{64}\.png$/);
  for (const bad of [/<script/i, /onclick/i, /onerror/i, /javascript:/i, /<iframe/i, /<style/i, /<h1/i])
    assert.doesNotMatch(a.body, bad, `the stored body: ${a.body}`);
  assert.match(a.body, /志愿者清理<b>楼道<\/b>杂物/);
  assert.match(a.body, /<h2>小标题<\/h2>/);
  assert.doesNotMatch(sql(srv.db, `SELECT body FROM article WHERE id = ${a.id}`), /script|onerror/i);

  // not on the portal before it is published
  assert.equal((await get(srv.base, `/news/${a.id}`, { headers: { Accept: 'text/html' } })).status, 404);
  assert.doesNotMatch((await get(srv.base, '/news')).text, /礼让在心/);

  // handlers write no news; editors do not publish; the office returns with a reason only
  assert.equal((await api('handler', 'POST', '/api/v1/articles', { kind: 'news', title: 'x' })).status, 403);
  let r = await act('editor', a, 'submit');
  assert.equal(r.status, 200, r.text);
  a = r.a;
  assert.equal(a.status, 'review');
  assert.equal((await act('editor', a, 'publish')).status, 403);
  assert.equal((await act('office', a, 'return')).status, 422, 'a return needs its reason');
  assert.equal((await act('office', { ...a, version: a.version - 1 }, 'return', '过期')).status, 409, 'a stale version');
  r = await act('office', a, 'return', '标题请再斟酌');
  assert.equal(r.status, 200, r.text);
  a = r.a;
  assert.equal(a.status, 'draft');
  assert.equal(a.note, '标题请再斟酌');
  // the editor mends the draft; only a draft is edited
  const edit = await api('editor', 'PATCH', `/api/v1/articles/${a.id}`, { title: '文明有礼，礼让在心', version: a.version });
  assert.equal(edit.status, 200, edit.text);
  a = json(edit);
  assert.equal(a.title, '文明有礼，礼让在心');
  assert.equal(a.tags.length, 2, 'tags not sent stay');
  a = (await act('editor', a, 'submit')).a;
  assert.equal((await api('editor', 'PATCH', `/api/v1/articles/${a.id}`, { title: 'x', version: a.version })).status, 409);
  r = await act('office', a, 'publish');
  assert.equal(r.status, 200, r.text);
  a = r.a;
  assert.equal(a.status, 'published');
  assert.ok(a.published_at > 0);
  assert.deepEqual(a.events.map((e) => e.action), ['create', 'submit', 'return', 'edit', 'submit', 'publish']);
  assert.equal(a.events.at(-1).actor_name, 'office');

  // 四眼原则: the office does not publish its own article; another office user does
  let own = await write('office', { kind: 'news', title: '我市召开创建推进会', body: '<p>推进会部署了下一阶段的创建工作。</p>', tags: '志愿服务' });
  own = (await act('office', own, 'submit')).a;
  const refused = await act('office', own, 'publish');
  assert.equal(refused.status, 403, refused.text);
  assert.deepEqual(json(await api('office', 'GET', `/api/v1/articles/${own.id}`)).moves, ['return', 'revise']);
  assert.equal((await act('office2', own, 'publish')).status, 200);

  // the staff list filters
  const list = json(await api('editor', 'GET', '/api/v1/articles?status=published&q=%E7%A4%BC%E8%AE%A9%E5%9C%A8%E5%BF%83'));
  assert.deepEqual(list.articles.map((x) => x.id), [a.id]);
  assert.equal(list.total, 1);
  const tagged = json(await api('editor', 'GET', '/api/v1/articles?tag=%E5%BF%97%E6%84%BF%E6%9C%8D%E5%8A%A1')).articles.map((x) => x.id);
  assert.ok(tagged.includes(a.id) && tagged.includes(own.id), JSON.stringify(tagged));
  const audit = sql(srv.db, `SELECT action FROM audit_log WHERE object = 'article:${a.id}' ORDER BY id`).split('\n');
  assert.deepEqual(audit, ['article.create', 'article.submit', 'article.return', 'article.edit', 'article.submit', 'article.publish']);

  // the portal: list by kind and tag, the page, related, hot list, share links
  const all = await get(srv.base, '/news');
  assert.equal(all.status, 200);
  assert.match(all.text, /文明有礼，礼让在心/);
  assert.match(all.text, /alt="公益广告：排队礼让"/);
  assert.match((await get(srv.base, '/news?kind=psa')).text, /礼让在心/);
  const listOnly = (html) => /<ul class="news">([\s\S]*?)<\/ul>/.exec(html)[1];
  assert.doesNotMatch(listOnly((await get(srv.base, '/news?kind=practice')).text), /礼让在心/);
  assert.match((await get(srv.base, `/news?tag=${encodeURIComponent('文明有礼')}`)).text, /礼让在心/);
  const page = await get(srv.base, `/news/${a.id}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /<h1>文明有礼，礼让在心<\/h1>/);
  assert.match(page.text, /来源：市委宣传部/);
  assert.match(page.text, /<h2>小标题<\/h2>/);
  assert.doesNotMatch(page.text, /<script|onerror|javascript:/i);
  assert.match(page.text, /相关文章[\s\S]*我市召开创建推进会/, 'related by a shared tag');
  assert.match(page.text, /热门文章/);
  assert.match(page.text, new RegExp(`service\\.weibo\\.com/share/share\\.php\\?url=${encodeURIComponent(`${srv.base}/news/${a.id}`)}`));
  assert.match(page.text, /href="\/news\?tag=%E5%BF%97%E6%84%BF%E6%9C%8D%E5%8A%A1"/);
});

test('article pages revalidate by ETag, count every view, and leave with a withdrawal', async () => {
  let a = await write('editor', { kind: 'practice', title: '社区垃圾分类的经验', body: '<p>定时定点，专人督导。</p>', tags: '垃圾分类' });
  a = (await act('editor', a, 'submit')).a;
  a = (await act('office', a, 'publish')).a;
  const first = await get(srv.base, `/news/${a.id}`);
  assert.equal(first.status, 200);
  const etag = first.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{16}"$/);
  assert.equal(first.headers.get('cache-control'), 'no-cache');
  const again = await get(srv.base, `/news/${a.id}`, { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.text, '');
  const care = await get(srv.base, `/news/${a.id}`, { headers: { Cookie: 'wm_care=1', 'If-None-Match': etag } });
  assert.equal(care.status, 200, '关怀版 is another page with its own tag');
  assert.notEqual(care.headers.get('etag'), etag);
  // one more view (from the response cache, or built again: the same bytes, the same tag)
  const cached = await get(srv.base, `/news/${a.id}`);
  assert.equal(cached.headers.get('etag'), etag);
  // four views, the revalidated and the cached ones too, written at once here
  for (let t = Date.now(); ; await sleep(50)) {
    const views = Number(sql(srv.db, `SELECT views FROM article WHERE id = ${a.id}`));
    if (views >= 4) break;
    assert.ok(Date.now() - t < 10000, `views ${views}`);
  }
  await get(srv.base, '/news'); // the hot list now leads with it
  assert.match((await get(srv.base, '/news')).text, /热门文章<\/h2><ol><li><a href="\/news\/\d+">社区垃圾分类的经验/);

  // a withdrawal needs its reason and takes the page down at once
  assert.equal((await act('office', a, 'withdraw')).status, 422);
  a = (await act('office', a, 'withdraw', '数据需要更新')).a;
  assert.equal(a.status, 'withdrawn');
  assert.equal((await get(srv.base, `/news/${a.id}`)).status, 404);
  a = (await act('editor', a, 'revise')).a;
  assert.equal(a.status, 'draft');
  assert.equal(a.editable, true);
  assert.ok(a.published_at > 0, 'the first publication date stays');
});

test('Atom and RSS feeds of the published articles', async () => {
  let a = await write('editor', { kind: 'news', title: '创城 & 文明 <第一期>', summary: '本期摘要', body: '<p>正文<b>加粗</b></p>' });
  a = (await act('editor', a, 'submit')).a;
  await act('office', a, 'publish');
  const atom = await get(srv.base, '/news/atom');
  assert.equal(atom.status, 200);
  assert.match(atom.headers.get('content-type'), /^application\/atom\+xml/);
  const doc = parseXml(atom.text);
  assert.ok(doc, 'well-formed Atom');
  assert.match(atom.text, /<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom"/);
  assert.match(atom.text, /<title>创城 &amp; 文明 &lt;第一期&gt;<\/title>/);
  assert.match(atom.text, /<content type="html">&lt;p&gt;正文&lt;b&gt;加粗&lt;\/b&gt;&lt;\/p&gt;<\/content>/);
  assert.match(atom.text, new RegExp(`<id>${srv.base}/news/${a.id}</id>`));
  assert.match(atom.text, /<updated>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00<\/updated>/);
  const rss = await get(srv.base, '/news/rss');
  assert.equal(rss.status, 200);
  assert.match(rss.headers.get('content-type'), /^application\/rss\+xml/);
  assert.ok(parseXml(rss.text), 'well-formed RSS');
  assert.match(rss.text, /<rss version="2\.0"><channel>/);
  assert.match(rss.text, /<pubDate>(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d \+0800<\/pubDate>/);
  assert.match(rss.text, /<description>本期摘要<\/description>/);
});

test('bad input: unknown kind, blank title, stale version, unknown cover, pages that are not there', async () => {
  assert.equal((await api('editor', 'POST', '/api/v1/articles', { kind: 'ad', title: 'x' })).status, 400);
  assert.equal((await api('editor', 'POST', '/api/v1/articles', { kind: 'news', title: '   ' })).status, 422);
  assert.equal((await api('editor', 'POST', '/api/v1/articles', { kind: 'news' })).status, 400);
  assert.equal((await api('editor', 'POST', '/api/v1/articles', { kind: 'news', title: 'x', cover: 'a'.repeat(64) + '.png' })).status, 422);
  assert.equal((await api('editor', 'POST', '/api/v1/articles', { kind: 'news', title: 'x', cover: '../etc/passwd' })).status, 400);
  assert.equal((await api('editor', 'POST', '/api/v1/articles', { kind: 'news', title: 'x', tags: 'a,'.repeat(11) + 'b' })).status, 400);
  assert.equal((await api('editor', 'GET', '/api/v1/articles/999999')).status, 404);
  assert.equal((await api('editor', 'POST', '/api/v1/articles/999999/actions', { action: 'submit', version: 1 })).status, 404);
  assert.equal((await api('editor', 'POST', '/api/v1/articles/1/actions', { action: 'delete', version: 1 })).status, 400);
  const missing = await get(srv.base, '/news/999999');
  assert.equal(missing.status, 404);
  assert.match(missing.headers.get('content-type'), /^text\/html/);
  assert.equal((await get(srv.base, '/news/abc')).status, 404);
  assert.equal((await get(srv.base, '/news?kind=ad')).status, 400);
  assert.equal((await get(srv.base, '/news?page=0')).status, 400);
});

test('search: articles and reported problems, Chinese words, personal numbers masked', async () => {
  let a = await write('editor', { kind: 'news', title: '井盖安全专项检查', body: '<p>全市开展窨井盖安全专项检查。</p>' });
  a = (await act('editor', a, 'submit')).a;
  await act('office', a, 'publish');
  const { fileRequest } = await import('./lib/open311.mjs');
  const c = await fileRequest(srv, { description: '中山路123号门口井盖松动，联系我13812345678', address_string: '中山路123号' });
  const page = await get(srv.base, `/search?q=${encodeURIComponent('井盖')}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /<a href="\/news\/\d+">井盖安全专项检查<\/a>/);
  assert.match(page.text, /中山路\*\*号门口井盖松动，联系我\*\*\*/, 'house and phone numbers masked');
  assert.doesNotMatch(page.text, /13812345678|123号/);
  assert.doesNotMatch(page.text, new RegExp(c.id), 'no tracking code');
  assert.match(page.text, /value="井盖"/, 'the words stay in the box');
  // what is masked cannot be searched for: no way to learn that a case holds a number
  for (const q of ['联系我13812345678', '中山路123号', '138 1234 5678 井盖']) {
    const t = (await get(srv.base, `/search?q=${encodeURIComponent(q)}`)).text;
    assert.match(t, /不能按电话号码、身份证号或门牌号查找/, q);
    assert.doesNotMatch(t, /井盖松动/, q);
  }
  // a word no case holds; one character searches the articles only
  assert.match((await get(srv.base, `/search?q=${encodeURIComponent('不存在的词语')}`)).text, /没有找到相关文章[\s\S]*没有找到相关问题/);
  assert.match((await get(srv.base, `/search?q=${encodeURIComponent('井')}`)).text, /井盖安全专项检查[\s\S]*至少两个连续的汉字/);
  const markup = await get(srv.base, `/search?q=${encodeURIComponent('"><script>alert(1)</script>')}`);
  assert.equal(markup.status, 200);
  assert.doesNotMatch(markup.text, /<script>alert/);
  assert.equal((await get(srv.base, `/search?q=${'x'.repeat(101)}`)).status, 400);
});

test('an editor reaches articles, its session, notifications and uploads, nothing of the case work', async () => {
  for (const [path, want] of [['/api/v1/session', 200], ['/api/v1/notifications', 200], ['/api/v1/articles', 200],
    ['/api/v1/cases', 403], ['/api/v1/units', 403], ['/api/v1/categories', 403], ['/api/v1/stats', 403], ['/api/v1/users', 403]]) {
    const r = await api('editor', 'GET', path);
    assert.equal(r.status, want, `${path}: ${r.text.slice(0, 200)}`);
  }
  const me = json(await api('editor', 'GET', '/api/v1/session'));
  assert.deepEqual(me.user.roles, ['editor']);
});

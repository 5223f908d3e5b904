// 我要反映 without JavaScript (issue 8 part 1): the form and its anti-forgery token, mistakes
// shown beside their fields with the input kept, a category's required questions asked once it
// is chosen, a photo, a good report filed and answered 303 to its page (no second filing on a
// reload), nothing filed without the form's token. Runs on SQLite and, with WENMING_TEST_PG,
// on PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { get, fieldParts, postMultipart } from './lib/http.mjs';
import { gif, png } from './lib/images.mjs';
import { sql } from './lib/staff.mjs';

let srv;
let token;
let cookie;
before(async () => {
  srv = await startServer();
  const form = await get(srv.base, '/report');
  cookie = /^(wm_form=[0-9a-f]{32})/.exec(form.headers.get('set-cookie'))[1];
  token = cookie.slice('wm_form='.length);
});
after(async () => { await srv?.stop(); });

const cases = () => Number(sql(srv.db, 'SELECT count(*) FROM cases'));
const send = (fields, { files = [], withCookie = true } = {}) => postMultipart(srv.base, '/report',
  [...fieldParts({ form_token: token, ...fields }), ...files], { headers: withCookie ? { Cookie: cookie } : {} });

test('the form: grouped categories, labelled fields, a token in a cookie and in the form', async () => {
  const r = await get(srv.base, '/report');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.match(r.headers.get('set-cookie'), /^wm_form=[0-9a-f]{32}; Path=\/report; SameSite=Strict; HttpOnly/);
  assert.match(r.text, /<form class="card" method="post" action="\/report" enctype="multipart\/form-data"/);
  assert.match(r.text, /<input type="hidden" name="form_token" value="[0-9a-f]{32}">/);
  assert.match(r.text, /<optgroup label="事件：市容环境">/);
  assert.match(r.text, /<optgroup label="部件：公用设施">/);
  for (const id of ['service_code', 'description', 'address_string', 'media', 'phone'])
    assert.match(r.text, new RegExp(`<label for="${id}">`), id);
  assert.match(r.text, /capture="environment"/);
  // the same browser keeps its token (two tabs both work)
  const again = await get(srv.base, '/report', { headers: { Cookie: cookie } });
  assert.equal(again.headers.get('set-cookie'), null);
  assert.match(again.text, new RegExp(`value="${token}"`));
});

test('mistakes come back beside their fields with everything kept; nothing is filed', async () => {
  const n = cases();
  const r = await send({ service_code: '', description: '　', address_string: '', phone: '12<b>3' });
  assert.equal(r.status, 422);
  assert.match(r.text, /<div class="error-summary" role="alert"/);
  assert.match(r.text, /<p class="error" id="service_code-error">请选择问题类别/);
  assert.match(r.text, /<p class="error" id="description-error">请描述/);
  assert.match(r.text, /<p class="error" id="address_string-error">请填写问题地点/);
  assert.match(r.text, /<p class="error" id="phone-error">电话号码不正确/);
  assert.match(r.text, /id="phone"[^>]*aria-invalid="true" aria-describedby="phone-error"[^>]*value="12&lt;b&gt;3"/);
  assert.equal(cases(), n);

  const noToken = await send({ service_code: 'E0102', description: '垃圾', address_string: '人民路' }, { withCookie: false });
  assert.equal(noToken.status, 403, 'another site cannot post it: the cookie is not there');
  assert.match(noToken.text, /页面已过期/);
  assert.match(noToken.text, /value="人民路"/, 'what was typed is kept');
  assert.equal(cases(), n);
});

test('a category that asks for more shows its questions; then the report is filed', async () => {
  const n = cases();
  const first = await send({ service_code: 'P0101', description: '井盖缺失，很危险', address_string: '中山区人民路 12 号' });
  assert.equal(first.status, 422);
  assert.match(first.text, /<legend>补充信息<\/legend>/);
  assert.match(first.text, /<select id="attr-cover_issue" name="attribute\[cover_issue\]" required>/);
  assert.match(first.text, /<option value="missing">缺失<\/option>/);
  assert.match(first.text, /<option value="P0101" data-keywords="[^"]*" selected>/);
  assert.match(first.text, /中山区人民路 12 号/);
  assert.equal(cases(), n);

  const ok = await send({ service_code: 'P0101', description: '井盖缺失，很危险', address_string: '中山区人民路 12 号',
    'attribute[cover_issue]': 'missing', phone: '13800138000' });
  assert.equal(ok.status, 303, ok.text.slice(0, 300));
  const loc = ok.headers.get('location');
  const code = /^\/track\/(DL[0-9A-Z]+)\?new=1$/.exec(loc)[1];
  assert.equal(cases(), n + 1);
  assert.equal(sql(srv.db, `SELECT source || '|' || reporter_phone || '|' || address FROM cases WHERE code = '${code}'`),
    'portal|13800138000|中山区人民路 12 号');
  assert.equal(sql(srv.db, `SELECT a.value FROM case_attribute a JOIN cases c ON c.id = a.case_id WHERE c.code = '${code}'`), 'missing');
  const page = await get(srv.base, loc);
  assert.equal(page.status, 200);
  assert.match(page.text, /已受理，谢谢您/);
  assert.match(page.text, /井盖缺失，很危险/);
  assert.doesNotMatch(page.text, /13800138000/, 'the phone is never shown');
  assert.equal(sql(srv.db, `SELECT count(*) FROM audit_log WHERE action = 'case.report' AND object = 'case:${code}'`), '1');
});

test('a photo goes with the report; a file that is not a photo is refused beside its field', async () => {
  const fields = { service_code: 'E0102', description: '人行道上有暴露垃圾', address_string: '西岗区八一路' };
  const bad = await send(fields, { files: [{ name: 'media', filename: 'x.gif', type: 'image/gif', data: gif() }] });
  assert.equal(bad.status, 422);
  assert.match(bad.text, /<p class="error" id="media-error">照片格式不支持/);
  assert.match(bad.text, /如需附照片，请重新选择/);
  const ok = await send(fields, { files: [{ name: 'media', filename: 'a.png', type: 'image/png', data: png(4, 4, 7) }] });
  assert.equal(ok.status, 303, ok.text.slice(0, 300));
  const code = /\/track\/(DL[0-9A-Z]+)/.exec(ok.headers.get('location'))[1];
  assert.match(sql(srv.db, `SELECT media_sha256 FROM cases WHERE code = '${code}'`), /^[0-9a-f]{64}$/);
});

test('the reporter\'s own browser sees the report as filed; everyone else masked', async () => {
  const ok = await send({ service_code: 'E0102', description: '垃圾堆在门口，请联系 138 0013 8000', address_string: '中山区人民路 5 号 3 单元', lat: '38.9177', long: '121.6391' });
  assert.equal(ok.status, 303, ok.text.slice(0, 300));
  const code = /\/track\/(DL[0-9A-Z]+)/.exec(ok.headers.get('location'))[1];
  const cookie = /^(wm_tok_[^;]+)/.exec(ok.headers.get('set-cookie'))[1];
  const mine = (await get(srv.base, `/track/${code}`, { headers: { Cookie: cookie } })).text;
  assert.match(mine, /<dd>垃圾堆在门口，请联系 138 0013 8000<\/dd>/);
  assert.match(mine, /<dd>中山区人民路 5 号 3 单元<\/dd>/);
  assert.match(mine, /这是您在本机反映的问题/);
  for (const other of [{}, { Cookie: `wm_tok_${code}=${'x'.repeat(24)}` }]) {
    const t = (await get(srv.base, `/track/${code}`, { headers: other })).text;
    assert.match(t, /<dd>垃圾堆在门口，请联系 \*\*\*<\/dd>/);
    assert.match(t, /<dd>中山区人民路 \*\* 号 \*\* 单元<\/dd>/);
    assert.doesNotMatch(t, /这是您在本机反映的问题|0013/);
  }
  const api = JSON.parse((await get(srv.base, `/api/v1/public/cases/${code}`, { headers: { Cookie: cookie } })).text);
  assert.equal(api.reporter, false, 'the cookie belongs to the page (Path=/track/…): the API is the public\'s');
  assert.equal(api.description, '垃圾堆在门口，请联系 ***');
});

test('the reporter rates the closed case from the same browser, once; elsewhere with the 评价码', async () => {
  const ok = await send({ service_code: 'E0102', description: '楼下垃圾没人清理', address_string: '甘井子区测试街' });
  assert.equal(ok.status, 303);
  const code = /\/track\/(DL[0-9A-Z]+)/.exec(ok.headers.get('location'))[1];
  const tok = new RegExp(`^(wm_tok_${code}=[^;]+); Path=/track/${code}; Max-Age=7776000; SameSite=Lax; HttpOnly`)
    .exec(ok.headers.get('set-cookie'));
  assert.ok(tok, ok.headers.get('set-cookie'));
  const mine = { Cookie: tok[1] };
  const token = sql(srv.db, `SELECT token FROM cases WHERE code = '${code}'`);
  const fresh = await get(srv.base, `/track/${code}?new=1`, { headers: mine });
  assert.match(fresh.text, new RegExp(`评价码：<strong>${token}</strong>`), 'shown to this browser only');
  assert.doesNotMatch((await get(srv.base, `/track/${code}?new=1`)).text, new RegExp(token));
  assert.doesNotMatch(fresh.text, /评价处理结果/, 'no rating before it is closed');
  const early = await postMultipart(srv.base, `/track/${code}/rating`, fieldParts({ rating: 'satisfied' }), { headers: mine });
  assert.equal(early.status, 409);
  assert.match(early.text, /只有已结案的问题可以评价/);

  sql(srv.db, `UPDATE cases SET status = 'closed', closed_at = ${Math.floor(Date.now() / 1000)} WHERE code = '${code}'`);
  const closed = await get(srv.base, `/track/${code}`, { headers: mine });
  assert.match(closed.text, /<h2 id="rate">评价处理结果<\/h2>/);
  assert.doesNotMatch(closed.text, /id="token"/, 'this browser needs no 评价码');
  assert.match((await get(srv.base, `/track/${code}`)).text, /<label for="token">评价码/, 'another browser types it');

  const none = await postMultipart(srv.base, `/track/${code}/rating`, fieldParts({ comment: '还行' }), { headers: mine });
  assert.equal(none.status, 422);
  assert.match(none.text, /请选择满意/);
  assert.match(none.text, />还行<\/textarea>/, 'the comment is kept');
  const wrong = await postMultipart(srv.base, `/track/${code}/rating`, fieldParts({ rating: 'satisfied', token: 'x'.repeat(20) }));
  assert.equal(wrong.status, 403);
  assert.match(wrong.text, /评价码不正确/);
  const rated = await postMultipart(srv.base, `/track/${code}/rating`, fieldParts({ rating: 'basically', comment: '<b>清理及时</b>' }), { headers: mine });
  assert.equal(rated.status, 303, rated.text.slice(0, 300));
  assert.equal(rated.headers.get('location'), `/track/${code}?rated=1`);
  const after = await get(srv.base, `/track/${code}?rated=1`, { headers: mine });
  assert.match(after.text, /感谢您的评价/);
  assert.match(after.text, /<dt>您的评价<\/dt><dd>基本满意<\/dd>/);
  assert.doesNotMatch(after.text, /评价处理结果/, 'once only');
  assert.equal(sql(srv.db, `SELECT r.rating || '|' || r.comment FROM case_rating r JOIN cases c ON c.id = r.case_id WHERE c.code = '${code}'`),
    'basically|<b>清理及时</b>');
  const again = await postMultipart(srv.base, `/track/${code}/rating`, fieldParts({ rating: 'satisfied', token }));
  assert.equal(again.status, 409);
});

test('up to three photos go with one report: the first is the case\'s, the others its report photos', async () => {
  const fields = { service_code: 'E0102', description: '绿化带里堆满建筑垃圾', address_string: '沙河口区西南路' };
  const photo = (i) => ({ name: 'media', filename: `p${i}.png`, type: 'image/png', data: png(4, 4, 40 + i) });
  const four = await send(fields, { files: [1, 2, 3, 4].map(photo) });
  assert.equal(four.status, 422);
  assert.match(four.text, /<p class="error" id="media-error">最多上传 3 张照片/);
  const before = cases();
  const ok = await send(fields, { files: [1, 2, 3].map(photo) });
  assert.equal(ok.status, 303, ok.text.slice(0, 300));
  assert.equal(cases(), before + 1);
  const code = /\/track\/(DL[0-9A-Z]+)/.exec(ok.headers.get('location'))[1];
  const first = sql(srv.db, `SELECT media_sha256 FROM cases WHERE code = '${code}'`);
  const all = sql(srv.db, `SELECT cm.sha256 FROM case_media cm JOIN cases c ON c.id = cm.case_id WHERE c.code = '${code}' AND cm.role = 'report' ORDER BY cm.sha256`).split('\n');
  assert.equal(all.length, 3, all.join());
  assert.ok(all.includes(first));
  const form = await get(srv.base, '/report');
  assert.match(form.text, /<input id="media" name="media" type="file" multiple/);
});

// 督查检查 for inspectors on a phone: today's rounds, the round's sites nearest first, a site's
// checklist (pass / fail / not applicable, a note and photos per item), finished inspections
// queued in the browser and sent when online (queue.js); and 现场发现 — a problem found in the
// street, reported or solved on the spot with before/after photos.
import { api, ApiError, session, has, ref } from '../api.js';
import { h, day, time, toast, field } from '../dom.js';
import * as queue from '../queue.js';

export async function render(main, r, nav) {
  if (r.args[0] === 'report') return report(main, nav);
  if (r.args.length >= 2) return checklist(main, Number(r.args[0]), r.args[1], nav);
  if (r.args.length === 1) return sites(main, Number(r.args[0]));
  return rounds(main, nav);
}

// The queue's state, and a button to send now.
async function queueBox(nav) {
  const items = await queue.all();
  const box = h('section', { class: 'card', 'aria-labelledby': 'q-h' }, h('h2', { id: 'q-h' }, '待发送的检查'));
  if (!items.length) {
    box.append(h('p', { class: 'muted' }, '没有待发送的检查记录。'));
    return box;
  }
  box.append(h('ul', {}, items.map((it) => h('li', {}, `${it.site_name}（${time(it.at)}）`,
    it.error ? [h('span', { class: 'error' }, ` 未被接受：${it.error} `),
      h('button', { type: 'button', onclick: async () => { await queue.remove(it.client_id); nav.go(`#/inspect?t=${Date.now()}`); } }, '删除')]
      : h('span', { class: 'muted' }, ' 等待网络')))),
  h('button', { type: 'button', class: 'primary', onclick: async () => {
    const res = await queue.flush();
    toast(`已发送 ${res.sent} 条${res.waiting ? `，${res.waiting} 条等待网络` : ''}${res.failed ? `，${res.failed} 条未被接受` : ''}`);
    nav.go(`#/inspect?t=${Date.now()}`);
  } }, '立即发送'));
  return box;
}

async function rounds(main, nav) {
  main.append(h('h1', {}, '督查检查'));
  if (navigator.onLine) await queue.flush().catch(() => {});
  main.append(await queueBox(nav));
  const mine = [];
  try {
    const list = (await api('GET', '/api/v1/rounds')).filter((x) => x.status === 'open');
    for (const x of list) {
      const d = await api('GET', `/api/v1/rounds/${x.id}`);
      if (has('office', 'admin') || d.inspectors.some((i) => i.id === session.user.id)) mine.push(x);
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    // no signal: what is queued stays, and goes when the phone is online again
    main.append(h('p', { class: 'error', role: 'status' }, '暂无网络：检查轮次稍后显示，待发送的检查联网后自动发送。'));
    return;
  }
  main.append(h('h2', {}, '我的检查轮次'), mine.length
    ? h('ul', { class: 'cards' }, mine.map((x) => h('li', { class: 'card' },
      h('a', { href: `#/inspect/${x.id}` }, h('strong', {}, x.name)),
      h('p', {}, `${day(x.starts_at)} 至 ${day(x.ends_at)}　已检查 ${x.inspected} / ${x.sites} 个点位`))))
    : h('p', { class: 'muted' }, '当前没有分配给您的检查轮次。'),
  h('p', {}, h('a', { class: 'button', href: '#/inspect/report' }, '现场发现问题')));
}

// "2026-11-26T10:15:00+08:00": the API's date-time form.
const beijing = (d) => `${new Date(d.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 19)}+08:00`;

const rad = (d) => (d * Math.PI) / 180;
function metres(a, b) {
  const x = rad(b.long - a.long) * Math.cos(rad((a.lat + b.lat) / 2)), y = rad(b.lat - a.lat);
  return Math.sqrt(x * x + y * y) * 6371000;
}

function here() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    navigator.geolocation.getCurrentPosition((p) => resolve({ lat: p.coords.latitude, long: p.coords.longitude }),
      () => resolve(null), { timeout: 5000, maximumAge: 60000 });
  });
}

async function sites(main, id) {
  const [round, types] = await Promise.all([api('GET', `/api/v1/rounds/${id}`), ref('/api/v1/site-types')]);
  const typeName = Object.fromEntries(types.map((t) => [t.code, t.name]));
  main.append(h('p', {}, h('a', { href: '#/inspect' }, '← 检查轮次')), h('h1', {}, round.name));
  const me = await here();
  const list = round.sites.map((s) => ({ ...s, d: me && s.lat !== undefined ? metres(me, s) : null }));
  if (me) list.sort((a, b) => (a.d ?? Infinity) - (b.d ?? Infinity));
  main.append(h('p', { class: 'muted' }, me ? '按距离由近到远排列' : '未获得位置：按点位编号排列'),
    h('ul', { class: 'cards' }, list.map((s) => h('li', { class: 'card' },
      h('a', { href: `#/inspect/${id}/${encodeURIComponent(s.code)}` }, h('strong', {}, s.name)),
      h('p', {}, `${typeName[s.type] || s.type}${s.d !== null ? `　约 ${s.d < 1000 ? `${Math.round(s.d)} 米` : `${(s.d / 1000).toFixed(1)} 公里`}` : ''}`),
      h('p', {}, s.last ? `已检查 ${s.inspections} 次，上次不合格 ${s.last.failed} 项` : '尚未检查')))));
}

async function checklist(main, roundId, code, nav) {
  const c = await api('GET', `/api/v1/rounds/${roundId}/sites/${encodeURIComponent(code)}`);
  main.append(h('p', {}, h('a', { href: `#/inspect/${roundId}` }, '← 点位列表')),
    h('h1', {}, c.site.name), h('p', { class: 'muted' }, c.site.address || ''));
  const rows = c.items.map((it) => {
    const name = `r-${it.code}`;
    const choice = (value, label, checked) => h('label', { class: 'choice' },
      h('input', { type: 'radio', name, value, required: true, checked }), label);
    const note = h('textarea', { rows: 2, maxlength: 2000 });
    const photo = h('input', { type: 'file', accept: 'image/*', capture: 'environment', multiple: true });
    const last = it.last ? h('p', { class: 'muted' }, `上次：${{ pass: '合格', fail: '不合格', na: '不适用' }[it.last.result]}${it.last.case ? `，案件 ${it.last.case.code}（${it.last.case.status}）` : ''}`) : null;
    const fs = h('fieldset', { class: 'item' }, h('legend', {}, `${it.code} ${it.text}`),
      it.veto !== 'none' ? h('p', { class: 'badge alert2' }, it.veto === 'veto' ? '一票否决项' : '负面清单项') : null,
      last, h('div', { class: 'choices' }, choice('pass', '合格', false), choice('fail', '不合格', false), choice('na', '不适用', false)),
      field('问题说明', note), field('照片', photo));
    return { it, fs, note, photo };
  });
  const overall = h('textarea', { rows: 2, maxlength: 4000 });
  const msg = h('p', { class: 'error', role: 'alert' });
  main.append(h('form', { onsubmit: async (ev) => {
    ev.preventDefault();
    msg.textContent = '';
    const results = [], body = {}, photos = {};
    for (const { it, fs, note, photo } of rows) {
      const v = fs.querySelector('input[type=radio]:checked')?.value;
      if (!v) { msg.textContent = `请完成第 ${it.code} 项`; fs.scrollIntoView(); return; }
      results.push(`${it.code}:${v}`);
      if (note.value.trim()) body[`note[${it.code}]`] = note.value.trim();
      if (photo.files.length) photos[`photos[${it.code}]`] = [...photo.files].slice(0, 9);
    }
    const where = await here();
    const item = {
      client_id: queue.clientId(), at: Math.floor(Date.now() / 1000), site_name: c.site.name,
      body: { client_id: '', round_id: roundId, site_code: code, results: results.join(','), ...body,
        inspected_at: beijing(new Date()) },
      photos,
    };
    item.body.client_id = item.client_id;
    if (overall.value.trim()) item.body.note = overall.value.trim();
    if (where) { item.body.lat = where.lat; item.body.long = where.long; }
    await queue.put(item);
    const res = navigator.onLine ? await queue.flush() : { sent: 0, waiting: 1, failed: 0 };
    toast(res.sent ? '检查结果已提交，不合格项已生成案件' : res.failed ? '检查结果未被接受，请查看待发送列表' : '暂无网络：检查结果已保存，联网后自动发送');
    nav.go('#/inspect');
  } }, rows.map((x) => x.fs), field('总体意见', overall), msg,
  h('button', { type: 'submit', class: 'primary' }, '完成检查')));
}

// 现场发现: a problem reported from the street; solved on the spot with before/after photos.
async function report(main, nav) {
  const services = await ref('/open311/v2/services.json');
  main.append(h('p', {}, h('a', { href: '#/inspect' }, '← 督查检查')), h('h1', {}, '现场发现问题'));
  const cat = h('select', { required: true }, h('option', { value: '' }, '请选择问题类别'),
    services.map((s) => h('option', { value: s.service_code }, `${s.group} / ${s.service_name}`)));
  const desc = h('textarea', { rows: 3, required: true, maxlength: 4000 });
  const address = h('input', { maxlength: 200 });
  const solved = h('input', { type: 'checkbox' });
  const note = h('textarea', { rows: 2, maxlength: 4000 });
  const before = h('input', { type: 'file', accept: 'image/*', capture: 'environment' });
  const after = h('input', { type: 'file', accept: 'image/*', capture: 'environment' });
  const onsite = h('div', { hidden: true }, field('处置情况', note), field('处置前照片', before), field('处置后照片', after));
  solved.addEventListener('change', () => { onsite.hidden = !solved.checked; });
  const msg = h('p', { class: 'error', role: 'alert' });
  main.append(h('form', { class: 'card', onsubmit: async (ev) => {
    ev.preventDefault();
    msg.textContent = '';
    const fd = new FormData();
    fd.set('service_code', cat.value);
    fd.set('description', desc.value.trim());
    if (address.value.trim()) fd.set('address', address.value.trim());
    const where = await here();
    if (where) { fd.set('lat', String(where.lat)); fd.set('long', String(where.long)); }
    if (solved.checked) {
      if (!before.files[0] || !after.files[0]) { msg.textContent = '现场解决须上传处置前、处置后照片'; return; }
      fd.set('handled', 'true');
      fd.set('note', note.value.trim());
      fd.set('photo_before', before.files[0]);
      fd.set('photo_after', after.files[0]);
    }
    try {
      const c = await api('POST', '/api/v1/cases', fd);
      toast(`已上报，案件 ${c.code}`);
      nav.go(`#/case/${encodeURIComponent(c.code)}`);
    } catch (err) { msg.textContent = err.message; }
  } }, field('问题类别', cat), field('问题描述', desc), field('地址或附近地标', address),
  h('label', { class: 'choice' }, solved, '已现场解决'), onsite, msg,
  h('button', { type: 'submit', class: 'primary' }, '上报')));
}

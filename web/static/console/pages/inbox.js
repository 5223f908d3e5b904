// 案件办理: the work queues of the caller's roles, filters, deadline order, paging, and batch
// dispatch for the dispatcher.
import { api, has, ref } from '../api.js';
import { h, clear, time, STATUS, alertBadge, toast, field } from '../dom.js';

const QUEUES = [
  ['register', '待立案', ['dispatcher', 'office', 'admin']],
  ['dispatch', '待派遣', ['dispatcher', 'office', 'admin']],
  ['handle', '待处置', ['handler', 'office', 'admin']],
  ['verify', '待核查', ['inspector', 'office', 'admin']],
  ['overdue', '已超期', ['dispatcher', 'office', 'admin', 'handler', 'leader']],
  ['supervised', '督办件', ['dispatcher', 'office', 'admin', 'handler', 'leader']],
  ['', '全部案件', ['dispatcher', 'office', 'admin', 'handler', 'inspector', 'leader']],
];
const PAGE = 50;

export async function render(main, r, nav) {
  const mine = QUEUES.filter(([, , roles]) => has(...roles));
  const queue = r.query.has('queue') ? r.query.get('queue') : mine[0][0];
  const order = r.query.get('order') || (queue && queue !== 'register' ? 'due' : 'newest');
  const page = Math.max(0, Number(r.query.get('page') || 0));
  const search = r.query.get('q') || '';
  const filters = { service_code: r.query.get('service_code') || '', area: r.query.get('area') || '' };
  const link = (q, o, p, text = search, f = filters) => {
    const extra = Object.entries({ q: text, ...f }).filter(([, v]) => v).map(([k, v]) => `&${k}=${encodeURIComponent(v)}`).join('');
    return `#/inbox?queue=${q}&order=${o}&page=${p}${extra}`;
  };

  main.append(h('h1', {}, '案件办理'),
    h('nav', { class: 'tabs', 'aria-label': '工作队列' }, h('ul', {}, mine.map(([q, label]) =>
      h('li', {}, h('a', { href: link(q, order, 0), 'aria-current': q === queue ? 'page' : false }, label))))));

  const qs = new URLSearchParams({ limit: String(PAGE) });
  if (queue) qs.set('queue', queue);
  if (search) qs.set('q', search);
  for (const [k, v] of Object.entries(filters)) if (v) qs.set(k, v);
  qs.set('order', order);
  if (order === 'due') qs.set('offset', String(page * PAGE));
  else if (r.query.get('before')) qs.set('before_id', r.query.get('before'));
  const [cases, services, areas] = await Promise.all([api('GET', `/api/v1/cases?${qs}`),
    ref('/open311/v2/services.json'), ref('/api/v1/areas')]);
  const category = h('select', { onchange: (ev) => nav.go(link(queue, order, 0, search, { ...filters, service_code: ev.target.value })) },
    h('option', { value: '' }, '全部类别'),
    services.map((x) => h('option', { value: x.service_code, selected: x.service_code === filters.service_code }, `${x.group} / ${x.service_name}`)));
  const district = h('select', { onchange: (ev) => nav.go(link(queue, order, 0, search, { ...filters, area: ev.target.value })) },
    h('option', { value: '' }, '全部区域'),
    areas.features.filter((f) => f.properties.kind === 'district').map((f) =>
      h('option', { value: f.properties.code, selected: f.properties.code === filters.area }, f.properties.name)));

  const orderSel = h('select', { onchange: (ev) => nav.go(link(queue, ev.target.value, 0)) },
    h('option', { value: 'due', selected: order === 'due' }, '按时限（最紧先）'),
    h('option', { value: 'newest', selected: order === 'newest' }, '按上报时间（最新先）'));
  const text = h('input', { type: 'search', value: search, maxlength: 100, placeholder: '编号、描述或地址' });
  main.append(h('div', { class: 'toolbar' },
    h('form', { role: 'search', class: 'toolbar', onsubmit: (ev) => { ev.preventDefault(); nav.go(link(queue, order, 0, text.value.trim())); } },
      field('搜索案件', text), h('button', { type: 'submit' }, '搜索')),
    field('类别', category), field('区域', district),
    field('排序', orderSel), h('span', { class: 'muted' }, `本页 ${cases.length} 件`)));

  const batch = queue === 'dispatch' && has('dispatcher', 'office', 'admin');
  const picked = new Set();
  const cell = (label, ...content) => h('td', { 'data-label': label }, ...content);
  const rows = cases.map((c) => h('tr', {},
    batch ? h('td', {}, h('input', { type: 'checkbox', 'aria-label': `选择 ${c.code}`, onchange: (ev) => { ev.target.checked ? picked.add(c) : picked.delete(c); } })) : null,
    cell('编号', h('a', { href: `#/case/${encodeURIComponent(c.code)}` }, c.code)),
    cell('类别', c.service_name),
    h('td', { class: 'desc' }, c.description || c.address),
    cell('区域', c.area_name || '—'),
    cell('责任单位', c.unit_name || '—'),
    cell('状态', STATUS[c.status] || c.status),
    cell('时限', c.due_at ? time(c.due_at) : '—'),
    cell('预警', alertBadge(c.alert))));
  const head = [batch ? '选择' : null, '编号', '类别', '问题描述', '区域', '责任单位', '状态', '时限', '预警'].filter(Boolean);
  main.append(h('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': '案件列表' }, h('table', { class: 'cases' },
    h('caption', {}, `${mine.find(([q]) => q === queue)?.[1] ?? '案件'}列表`),
    h('thead', {}, h('tr', {}, head.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: head.length }, '没有案件'))))));

  const pager = h('nav', { class: 'pager', 'aria-label': '翻页' });
  if (order === 'due') {
    if (page > 0) pager.append(h('a', { href: link(queue, order, page - 1) }, '上一页'));
    if (cases.length === PAGE) pager.append(h('a', { href: link(queue, order, page + 1) }, '下一页'));
  } else if (cases.length === PAGE) {
    pager.append(h('a', { href: `${link(queue, order, 0)}&before=${cases[cases.length - 1].id}` }, '更早的案件'));
  }
  main.append(pager);
  if (batch) main.append(await batchDispatch(picked, () => nav.go(link(queue, order, page) + `&t=${Date.now()}`)));
}

// 批量派遣: every picked case to one unit, each a separate move (each can fail on its own).
async function batchDispatch(picked, done) {
  const units = await ref('/api/v1/units');
  const sel = h('select', { required: true }, h('option', { value: '' }, '请选择责任单位'),
    units.filter((u) => u.active !== false).map((u) => h('option', { value: u.id }, `${u.name}（${u.code}）`)));
  const note = h('input', { maxlength: 200 });
  const out = h('p', { role: 'status' });
  return h('form', { class: 'card', onsubmit: async (ev) => {
    ev.preventDefault();
    if (!picked.size || !sel.value) { out.textContent = '请先选择案件和责任单位'; return; }
    let ok = 0;
    const failed = [];
    for (const c of picked) {
      try {
        await api('POST', `/api/v1/cases/${encodeURIComponent(c.code)}/actions`,
          { action: 'dispatch', version: c.version, unit_id: Number(sel.value), note: note.value || undefined });
        ok++;
      } catch (err) { failed.push(`${c.code}：${err.message}`); }
    }
    toast(`已派遣 ${ok} 件${failed.length ? `，${failed.length} 件未成功` : ''}`);
    out.textContent = failed.join('；');
    if (!failed.length) done();
  } }, h('h2', {}, '批量派遣'), field('派往单位', sel), field('派遣意见（可选）', note), out,
  h('button', { type: 'submit', class: 'primary' }, '派遣所选案件'));
}

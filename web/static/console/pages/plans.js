// 行动方案: the plans, and one plan's task tree with lead units, deadlines, status and progress.
import { api, has } from '../api.js';
import { h, day, pct, TASK_STATUS, alertBadge } from '../dom.js';
import { newPlanForm, newTaskForm } from './plan_edit.js';

export async function render(main, r, nav) {
  const plans = await api('GET', '/api/v1/plans');
  const id = Number(r.query.get('plan') || plans[0]?.id || 0);
  const edits = has('admin', 'office');
  const show = (planId) => nav.go(`#/plans?plan=${planId}&t=${Date.now()}`);
  main.append(h('h1', {}, '行动方案'));
  if (!plans.length) {
    main.append(h('p', {}, '还没有行动方案。'));
    if (edits) main.append(await newPlanForm((p) => show(p.id)));
    return;
  }
  if (plans.length > 1)
    main.append(h('nav', { class: 'tabs', 'aria-label': '方案' }, h('ul', {}, plans.map((p) =>
      h('li', {}, h('a', { href: `#/plans?plan=${p.id}`, 'aria-current': p.id === id ? 'page' : false }, p.title))))));
  const p = await api('GET', `/api/v1/plans/${id}`);
  const f = p.figures;
  main.append(h('section', { class: 'card' }, h('h2', {}, p.title),
    h('p', {}, `牵头：${p.issuer.name || '—'}　期限：${day(p.starts_at)} 至 ${day(p.ends_at)}`),
    h('ul', { class: 'figures' },
      h('li', {}, h('strong', {}, f.tasks), ' 项任务'), h('li', {}, h('strong', {}, f.done), ' 项已销号'),
      h('li', {}, h('strong', {}, f.overdue), ' 项逾期'), h('li', {}, '完成率 ', h('strong', {}, pct(f.completion_rate))),
      h('li', {}, '平均进度 ', h('strong', {}, f.progress ?? '—'), '%')),
    h('p', {}, h('a', { href: `/api/v1/plans/${id}/progress?group=unit&format=csv`, download: '' }, '下载各单位推进情况（CSV）'))));
  const head = ['编号', '任务', '牵头单位', '配合单位', '完成时限', '状态', '进度', '预警'];
  const row = (t, sub) => h('tr', { class: sub ? 'sub' : 'key' },
    h('td', {}, t.code),
    h('td', {}, sub ? h('a', { href: `#/task/${t.id}` }, t.title) : h('strong', {}, t.title)),
    h('td', {}, t.lead.name), h('td', {}, t.co_units.map((u) => u.name).join('、') || '—'),
    h('td', {}, day(t.due_at)), h('td', {}, TASK_STATUS[t.status] || t.status),
    h('td', {}, h('progress', { max: 100, value: t.progress, 'aria-label': `进度 ${t.progress}%` }), ` ${t.progress}%`),
    h('td', {}, alertBadge(t.alert)));
  main.append(h('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': '任务分解' }, h('table', {}, h('caption', {}, '任务分解'),
    h('thead', {}, h('tr', {}, head.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, p.tasks.flatMap((k) => [row(k, !k.children.length), ...k.children.map((c) => row(c, true))])))));
  if (edits)
    main.append(h('details', { class: 'card' }, h('summary', {}, '新增任务'), await newTaskForm(p, () => show(id))),
      h('details', { class: 'card' }, h('summary', {}, '新建行动方案'), await newPlanForm((x) => show(x.id))));
}

// 任务详情: milestones, the standard items served, the timeline with attachments, and the
// report and status forms the server says the caller may use (`actions`).
import { api, has } from '../api.js';
import { h, time, day, TASK_STATUS, TASK_ACTION, alertBadge, toast, field } from '../dom.js';
import { editTaskButton } from './plan_edit.js';

export async function render(main, r, nav) {
  const id = Number(r.args[0]);
  const t = await api('GET', `/api/v1/tasks/${id}`);
  const reload = () => nav.go(`#/task/${id}?t=${Date.now()}`);
  main.append(h('p', {}, h('a', { href: `#/plans?plan=${t.plan.id}` }, `← ${t.plan.title}`)),
    h('h1', {}, `${t.code} ${t.title}`),
    h('dl', { class: 'facts' },
      fact('牵头单位', t.lead.name), fact('配合单位', t.co_units.map((u) => u.name).join('、') || '—'),
      fact('类型', t.kind === 'soft' ? '软件' : '硬件'), fact('期限', `${day(t.starts_at)} 至 ${day(t.due_at)}`),
      fact('状态', TASK_STATUS[t.status] || t.status), fact('进度', `${t.progress}%`), fact('预警', alertBadge(t.alert)),
      t.description ? fact('任务要求', t.description) : null));
  if (has('admin', 'office') && !['done', 'cancelled'].includes(t.status))
    main.append(h('p', {}, ...editTaskButton(t, async () => reload())));
  if (t.items.length)
    main.append(h('h2', {}, '对应测评标准'), h('ul', {}, t.items.map((i) => h('li', {}, `${i.code} ${i.text}`))));
  if (t.milestones.length)
    main.append(h('h2', {}, '里程碑'), h('ul', {}, t.milestones.map((m) => h('li', {},
      `${day(m.due_at)} ${m.title}：`, m.done_at ? `已完成（${day(m.done_at)}）` : m.late ? '逾期未完成' : '未完成'))));
  if (t.actions.includes('report')) main.append(reportForm(t, reload));
  const moves = t.actions.filter((a) => a !== 'report');
  if (moves.length) main.append(moveForm(t, moves, reload));
  main.append(h('h2', {}, '推进记录'), h('ol', { class: 'timeline' }, t.timeline.map((ev) =>
    h('li', {}, h('time', {}, time(ev.at)), ' ', h('strong', {}, TASK_ACTION[ev.action] || ev.action),
      ev.unit ? `（${ev.unit.name}）` : '', ev.progress !== null ? ` 进度 ${ev.progress}%` : '',
      ev.note ? h('p', {}, ev.note) : null,
      ev.attachments.length ? h('ul', {}, ev.attachments.map((a, i) =>
        h('li', {}, h('a', { href: a.url }, a.mime === 'application/pdf' ? `文件 ${i + 1}（PDF）` : `照片 ${i + 1}`)))) : null))));
}

const fact = (k, v) => [h('dt', {}, k), h('dd', {}, v)];

function reportForm(t, reload) {
  const note = h('textarea', { rows: 3, required: true, maxlength: 8000 });
  const progress = h('input', { type: 'number', min: 0, max: 100, step: 5, value: t.progress });
  const files = h('input', { type: 'file', multiple: true, accept: 'image/jpeg,image/png,image/webp,application/pdf' });
  const open = t.milestones.filter((m) => !m.done_at);
  const milestone = h('select', {}, h('option', { value: '' }, '无'), open.map((m) => h('option', { value: m.id }, m.title)));
  const msg = h('p', { class: 'error', role: 'alert' });
  return h('form', { class: 'card', onsubmit: async (ev) => {
    ev.preventDefault();
    msg.textContent = '';
    try {
      const names = [];
      for (const f of files.files) {
        const fd = new FormData();
        fd.set('file', f);
        names.push((await api('POST', '/api/v1/media', fd)).name);
      }
      const body = { note: note.value.trim(), attachments: names };
      if (t.actions.includes('submit')) body.progress = Number(progress.value);
      if (milestone.value) body.milestone_id = Number(milestone.value);
      await api('POST', `/api/v1/tasks/${t.id}/reports`, body);
      toast('进展已报送');
      reload();
    } catch (err) { msg.textContent = err.message; }
  } }, h('h2', {}, '报送进展'), field('工作进展', note),
  t.actions.includes('submit') ? field('完成进度（%）', progress) : null,
  open.length ? field('完成里程碑', milestone) : null, field('附件（照片或 PDF）', files), msg,
  h('button', { type: 'submit', class: 'primary' }, '报送'));
}

function moveForm(t, moves, reload) {
  const action = h('select', {}, moves.map((a) => h('option', { value: a }, TASK_ACTION[a] || a)));
  const note = h('textarea', { rows: 2, maxlength: 4000 });
  const msg = h('p', { class: 'error', role: 'alert' });
  return h('form', { class: 'card', onsubmit: async (ev) => {
    ev.preventDefault();
    msg.textContent = '';
    try {
      await api('POST', `/api/v1/tasks/${t.id}/actions`, { action: action.value, note: note.value.trim() || undefined, version: t.version });
      toast(`已${TASK_ACTION[action.value]}`);
      reload();
    } catch (err) { msg.textContent = err.message; }
  } }, h('h2', {}, '任务状态'), field('操作', action), field('说明（退回、取消、重新开启须填写）', note), msg,
  h('button', { type: 'submit', class: 'primary' }, '提交'));
}

// The office writes the action plan in the console: a new plan, key tasks and sub-tasks with
// lead and co-units, deadlines, the standard items served and milestones, and changes to a
// task. The plan page and the task page show these forms to admins and the office only (the
// server refuses anyone else).
import { api, ref } from '../api.js';
import { h, clear, toast, field } from '../dom.js';
import { form, input, select, opt, unitTree } from './admin_kit.js';

const KIND = { hard: '硬件', soft: '软件' };

// Seconds to the date field's YYYY-MM-DD in Beijing time.
const dateOf = (s) => (s ? new Date((s + 8 * 3600) * 1000).toISOString().slice(0, 10) : '');
const endOf = (d) => `${d}T23:59:59+08:00`;

function unitCodeOptions(units, selected = []) {
  return unitTree(units).filter(([u]) => u.active)
    .map(([u, d]) => opt(u.code, `${'　'.repeat(d)}${u.name}（${u.code}）`, selected.includes(u.code)));
}

// The fields a task has, filled from t (empty for a new task).
function taskFields(units, t = {}) {
  const f = {
    title: input({ required: !t.id, maxlength: 600, value: t.title ?? '' }),
    description: h('textarea', { rows: 3, maxlength: 8000 }, t.description ?? ''),
    kind: select({}, Object.entries(KIND).map(([k, v]) => opt(k, v, k === (t.kind ?? 'hard')))),
    lead: select({ required: true }, [opt('', '请选择'), unitCodeOptions(units, t.lead ? [t.lead.code] : [])]),
    co: select({ multiple: true, size: 6 }, unitCodeOptions(units, (t.co_units ?? []).map((u) => u.code))),
    starts: input({ type: 'date', required: true, value: dateOf(t.starts_at) }),
    due: input({ type: 'date', required: true, value: dateOf(t.due_at) }),
    items: input({ maxlength: 2000, value: (t.items ?? []).map((i) => i.code).join(','), placeholder: '如 A01.01.01,A01.01.02' }),
    milestones: h('textarea', { rows: 3, maxlength: 8000, placeholder: '每行一个：2027-03-31 完成摸底' }),
  };
  const controls = [field('任务名称', f.title), field('任务要求', f.description), field('类型', f.kind), field('牵头单位', f.lead),
    field('配合单位（可多选）', f.co), field('开始日期', f.starts), field('完成时限', f.due),
    field('对应测评标准（代码，逗号分隔）', f.items), field(t.id ? '新增里程碑（每行“日期 名称”）' : '里程碑（每行“日期 名称”）', f.milestones)];
  const body = () => {
    if (f.due.value < f.starts.value) throw new Error('完成时限不能早于开始日期');
    const b = {
      title: f.title.value.trim(), description: f.description.value.trim(), kind: f.kind.value, lead_unit: f.lead.value,
      co_units: [...f.co.selectedOptions].map((o) => o.value), starts_at: f.starts.value, due_at: endOf(f.due.value),
      items: f.items.value.split(/[,，\s]+/).filter(Boolean),
    };
    const ms = f.milestones.value.split('\n').map((x) => x.trim()).filter(Boolean);
    for (const m of ms) if (!/^\d{4}-\d{2}-\d{2}\s+\S/.test(m)) throw new Error(`里程碑“${m}”应为“日期 名称”，如 2027-03-31 完成摸底`);
    if (ms.length) b.milestones = ms;
    return b;
  };
  return { controls, body };
}

// 新建方案: resolves through after(plan) once made.
export async function newPlanForm(after) {
  const units = await ref('/api/v1/units');
  const code = input({ required: true, maxlength: 64, pattern: '[A-Za-z0-9_\\-]+', placeholder: '如 DL-2027' });
  const title = input({ required: true, maxlength: 600 });
  const description = h('textarea', { rows: 3, maxlength: 8000 });
  const issuer = select({}, [opt('', '无'), unitCodeOptions(units)]);
  const starts = input({ type: 'date', required: true });
  const ends = input({ type: 'date', required: true });
  return form('新建行动方案', [field('方案代码', code), field('名称', title), field('说明', description), field('印发单位', issuer),
    field('开始日期', starts), field('结束日期', ends)], '新建方案', async (f) => {
    if (ends.value < starts.value) throw new Error('结束日期不能早于开始日期');
    const body = { code: code.value.trim(), title: title.value.trim(), starts_at: starts.value, ends_at: endOf(ends.value) };
    if (description.value.trim()) body.description = description.value.trim();
    if (issuer.value) body.issuer = issuer.value;
    const p = await api('POST', '/api/v1/plans', body);
    f.reset();
    toast(`已新建方案“${p.title}”`);
    await after(p);
  });
}

// 新增任务 in plan p (from GET /api/v1/plans/{id}): a key task, or a sub-task of one.
export async function newTaskForm(p, after) {
  const units = await ref('/api/v1/units');
  const code = input({ required: true, maxlength: 32, placeholder: '重点任务如 11，子任务如 3.5' });
  const parent = select({}, [opt('', '无（重点任务）'), p.tasks.map((k) => opt(k.code, `${k.code} ${k.title}`))]);
  const t = taskFields(units);
  return form('新增任务', [field('任务编号', code), field('上级任务', parent), ...t.controls], '新增任务', async (f) => {
    const body = { code: code.value.trim(), ...t.body() };
    if (parent.value) body.parent_code = parent.value;
    const made = await api('POST', `/api/v1/plans/${p.id}/tasks`, body);
    f.reset();
    toast(`已新增任务 ${made.code ?? body.code}`);
    await after(made);
  });
}

// 修改任务: a button opening a dialog with the task's fields.
export function editTaskButton(t, after) {
  const dialog = h('dialog', { class: 'edit', 'aria-labelledby': 'task-edit-title' });
  const open = async () => {
    const units = await ref('/api/v1/units');
    const fields = taskFields(units, t);
    const f = form(`修改任务：${t.code} ${t.title}`, fields.controls, '保存', async () => {
      await api('POST', `/api/v1/tasks/${t.id}`, fields.body());
      dialog.close();
      toast(`已保存任务 ${t.code}`);
      await after();
    });
    f.querySelector('h3').id = 'task-edit-title';
    f.querySelector('.actions').append(' ', h('button', { type: 'button', onclick: () => dialog.close() }, '取消'));
    clear(dialog, f);
    dialog.showModal();
  };
  return [h('button', { type: 'button', onclick: () => open().catch((err) => toast(err.message)) }, '修改任务'), dialog];
}

// Pieces every 系统管理 tab uses: a form with its error line, a redrawable list, tables and
// the unit and area pickers in tree order.
import { h } from '../dom.js';

export const AREA_KIND = { district: '区', street: '街道', grid: '网格' };

// A form with its heading, an error line beside its button, and a submit handler; errors the
// handler throws (ApiError included) are shown there.
export function form(title, controls, submitLabel, onsubmit) {
  const msg = h('p', { class: 'error', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'primary' }, submitLabel);
  const f = h('form', { class: 'card admin-form', 'aria-label': title }, h('h3', { class: 'wide' }, title), controls, msg,
    h('div', { class: 'actions' }, button));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.textContent = '';
    button.disabled = true;
    try {
      await onsubmit(f);
    } catch (err) {
      msg.textContent = err.message;
    } finally {
      button.disabled = false;
    }
  });
  return f;
}

// A list that can be drawn again after a change; its error line is shown above it. The box
// scrolls sideways on phones, so it takes the focus (keyboard scrolling) even without buttons.
export function listBox() {
  const msg = h('p', { class: 'error', role: 'alert' });
  const body = h('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': '列表' });
  return { el: h('div', {}, msg, body), msg, body };
}

// Runs a row's move, its failure shown in the list's error line.
export async function rowMove(box, fn) {
  box.msg.textContent = '';
  try {
    await fn();
  } catch (err) {
    box.msg.textContent = err.message;
  }
}

export function grid(caption, head, rows, empty = '没有记录') {
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: head.length }, empty))));
}

export const td = (...c) => h('td', {}, ...c);
export const input = (attrs) => h('input', { ...attrs });
export const select = (attrs, options) => h('select', { ...attrs }, options);
export const opt = (value, label, selected = false) => h('option', { value, selected }, label);

// The units in tree order with their depth (parent before its children, siblings as listed).
export function unitTree(list) {
  const ids = new Set(list.map((u) => u.id));
  const kids = new Map();
  for (const u of list) {
    const p = u.parent_id !== null && ids.has(u.parent_id) ? u.parent_id : 0;
    if (!kids.has(p)) kids.set(p, []);
    kids.get(p).push(u);
  }
  const out = [];
  const walk = (p, depth) => (kids.get(p) || []).forEach((u) => { out.push([u, depth]); walk(u.id, depth + 1); });
  walk(0, 0);
  return out;
}

export function unitOptions(list, { activeOnly = true, selected = null } = {}) {
  return unitTree(list).filter(([u]) => !activeOnly || u.active)
    .map(([u, d]) => opt(u.id, `${'　'.repeat(d)}${u.name}（${u.code}）`, u.id === selected));
}


export function areaOptions(fc, { codes = false } = {}) {
  const depth = { district: 0, street: 1, grid: 2 };
  const kids = new Map();
  for (const f of fc.features) {
    const p = f.properties.parent_id ?? 0;
    if (!kids.has(p)) kids.set(p, []);
    kids.get(p).push(f);
  }
  const out = [];
  const walk = (p) => (kids.get(p) || []).forEach((f) => {
    const x = f.properties;
    out.push(opt(codes ? x.code : f.id, `${'　'.repeat(depth[x.kind] ?? 0)}${x.name}（${AREA_KIND[x.kind] || x.kind}）`));
    walk(f.id);
  });
  walk(0);
  return out;
}

// DOM helpers: elements are built with text nodes only (never innerHTML with data), so no value
// from the server or the user can become markup.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

const TZ = 'Asia/Shanghai';
const fmtFull = new Intl.DateTimeFormat('zh-CN', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
const fmtDay = new Intl.DateTimeFormat('zh-CN', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' });

// Unix seconds as Beijing time.
export const time = (s) => (s ? fmtFull.format(new Date(s * 1000)) : '—');
export const day = (s) => (s ? fmtDay.format(new Date(s * 1000)) : '—');
export const pct = (x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);

export const STATUS = {
  reported: '待立案', registered: '待派遣', dispatched: '待接收', handling: '处置中', handled: '待核查',
  deferred: '缓办', closed: '已结案', rejected: '不予立案',
};
export const ACTION = {
  report: '上报', onsite: '现场解决', register: '立案', reject: '不予立案', dispatch: '派遣', accept: '接收',
  return: '退回', redispatch: '改派', handle: '处置完毕', verify_pass: '核查通过', verify_fail: '核查不通过',
  extend_request: '申请延期', extend_approve: '批准延期', extend_deny: '驳回延期', defer: '缓办', resume: '恢复办理',
  supervise: '督办', escalate: '升级', merge: '合并', reopen: '重新办理', comment: '备注',
};
export const ROLE = {
  admin: '系统管理员', office: '文明办', dispatcher: '派遣员', handler: '处置单位', inspector: '监督员', leader: '领导',
  editor: '宣传部门编辑',
};
export const TASK_STATUS = { pending: '未启动', active: '推进中', submitted: '申请销号', done: '已销号', cancelled: '已取消' };
export const TASK_ACTION = { create: '下达任务', edit: '修改任务', escalate: '督办预警', report: '报送进展', submit: '申请销号', accept: '审核销号', return: '退回', cancel: '取消', reopen: '重新开启' };
export const ALERT = ['正常', '黄灯', '红灯'];

// A coloured badge with its text (colour is never the only signal).
export function alertBadge(level) {
  return h('span', { class: `badge alert${level}` }, ALERT[level] ?? '—');
}

export function toast(msg) {
  const t = document.getElementById('toast');
  t.textContent = msg;
  t.classList.add('show');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.remove('show'), 4000);
}

// A table with a caption and header row; rows are arrays of cells (strings or nodes).
export function table(caption, head, rows) {
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))));
}

export function field(label, input) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), input);
}

let uid = 0;
// A fresh id for an element another one points at (aria-labelledby and the like).
export const newId = (prefix) => `${prefix}-${++uid}`;

// A modal question: a <dialog> with a heading, the controls, an error line, `ok` and 取消.
// Resolves what run() returns once the user confirms (an error run() throws is shown in the
// dialog, which stays open), or null when cancelled. Focus goes back where it was.
export function ask(title, controls, { ok = '确定', run = async () => true } = {}) {
  return new Promise((resolve) => {
    const back = document.activeElement;
    const titleId = newId('ask');
    const msg = h('p', { class: 'error', role: 'alert' });
    const button = h('button', { type: 'submit', class: 'primary' }, ok);
    const dialog = h('dialog', { class: 'edit ask', 'aria-labelledby': titleId });
    let answer = null;
    const form = h('form', { onsubmit: async (ev) => {
      ev.preventDefault();
      msg.textContent = '';
      button.disabled = true;
      try {
        answer = await run(form);
        dialog.close();
      } catch (err) {
        msg.textContent = err.message;
      } finally {
        button.disabled = false;
      }
    } }, h('h2', { id: titleId }, title), controls, msg,
    h('div', { class: 'actions' }, button, ' ', h('button', { type: 'button', onclick: () => dialog.close() }, '取消')));
    dialog.append(form);
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (back && back.isConnected) back.focus();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

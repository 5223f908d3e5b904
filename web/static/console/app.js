// The staff console: a hash router over page modules, the navigation each role needs, and the
// session. No build step: plain ES modules served by wenming.
import { api, session, has } from './api.js';
import { h, clear, ROLE } from './dom.js';

const PAGES = {
  login: () => import('./pages/login.js'),
  inbox: () => import('./pages/inbox.js'),
  case: () => import('./pages/case.js'),
  dashboard: () => import('./pages/dashboard.js'),
  plans: () => import('./pages/plans.js'),
  task: () => import('./pages/task.js'),
  inspect: () => import('./pages/inspect.js'),
  map: () => import('./pages/map.js'),
  admin: () => import('./pages/admin.js'),
  news: () => import('./pages/news.js'),
};

// What each role sees first and in its menu.
function menu() {
  const items = [];
  if (has('dispatcher', 'office', 'admin', 'handler', 'inspector')) items.push(['#/inbox', '案件办理']);
  if (has('inspector', 'office', 'admin')) items.push(['#/inspect', '督查检查']);
  // the case work's staff (an editor of the propaganda department reaches articles only)
  const staff = has('admin', 'office', 'dispatcher', 'handler', 'inspector', 'leader');
  if (staff) items.push(['#/map', '地图']);
  if (has('office', 'admin', 'leader', 'dispatcher')) items.push(['#/dashboard', '数据看板']);
  if (staff) items.push(['#/plans', '行动方案']);
  if (has('editor', 'office', 'admin')) items.push(['#/news', '创城宣传']);
  if (has('admin', 'office')) items.push(['#/admin', '系统管理']);
  return items;
}

function home() {
  if (has('editor') && !has('office', 'admin', 'dispatcher', 'handler', 'inspector', 'leader')) return '#/news';
  if (has('leader') && !has('office', 'admin', 'dispatcher')) return '#/dashboard';
  if (has('inspector') && !has('office', 'admin', 'dispatcher', 'handler')) return '#/inspect';
  return '#/inbox';
}

function renderChrome() {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  if (!session.user) {
    clear(nav);
    clear(who);
    return;
  }
  const here = location.hash.split('?')[0];
  clear(nav, h('ul', {}, menu().map(([href, label]) =>
    h('li', {}, h('a', { href, 'aria-current': here.startsWith(href) ? 'page' : false }, label)))));
  clear(who,
    h('span', { class: 'user' }, `${session.user.name}（${session.user.roles.map((r) => ROLE[r] || r).join('、')}）`),
    h('button', { type: 'button', class: 'link', onclick: logout }, '退出'));
}

// A page holding unsaved work registers a guard (nav.guard): leaving it through the menu, a
// link, the back button, logging out or closing the tab asks first. The guard answers whether
// there is unsaved work and, when there is, keeps a copy of it in the browser where the page
// can (the article editor does): a guard is also called as the session runs out, when the
// page goes without a question.
const LEAVE = '您有未保存的修改，离开此页将丢失这些修改。确定离开吗？';
let leaveGuard = null;
let shownHash = location.hash;
const mayLeave = () => !leaveGuard?.() || window.confirm(LEAVE);
window.addEventListener('beforeunload', (ev) => {
  if (leaveGuard?.()) ev.preventDefault();
});

// Where a login goes: back to the page the session ran out on (for the same user) or the
// link that was opened before logging in, else the user's home.
const RETURN = 'wm-return';
function rememberReturn(user) {
  if (location.hash.startsWith('#/login')) return; // a second call that failed at the same time
  try { sessionStorage.setItem(RETURN, JSON.stringify({ hash: location.hash, user })); } catch { /* blocked */ }
}
function afterLogin() {
  let back = null;
  try {
    back = JSON.parse(sessionStorage.getItem(RETURN) || 'null');
    sessionStorage.removeItem(RETURN);
  } catch { /* blocked or garbled */ }
  const ok = back && typeof back.hash === 'string' && /^#\/[a-z]/.test(back.hash) && !back.hash.startsWith('#/login') &&
    (back.user === null || back.user === session.user?.id);
  return ok ? back.hash : home();
}
window.addEventListener('wm-session-lost', (ev) => {
  leaveGuard?.(); // keeps the page's writing
  leaveGuard = null;
  rememberReturn(ev.detail?.user ?? null);
  location.hash = '#/login';
});

async function logout() {
  if (!mayLeave()) return;
  leaveGuard = null;
  try { sessionStorage.removeItem(RETURN); } catch { /* blocked */ }
  try { await api('DELETE', '/api/v1/session'); } catch { /* gone already */ }
  session.user = null;
  session.csrf = null;
  // what the service worker kept for working offline belongs to this user
  try { await caches.delete('wenming-data-v1'); } catch { /* no Cache API */ }
  location.hash = '#/login';
}

// "#/case/DL…?x=1" -> {name: 'case', args: ['DL…'], query: URLSearchParams}
function parse() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, qs] = raw.split('?');
  const [name, ...args] = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { name: name || '', args, query: new URLSearchParams(qs || '') };
}

let generation = 0;
async function route() {
  if (location.hash !== shownHash && !mayLeave()) {
    // stay: the address goes back to the page still shown, without drawing it again
    history.replaceState(null, '', shownHash || location.pathname);
    return;
  }
  leaveGuard = null;
  shownHash = location.hash;
  const gen = ++generation;
  const main = document.getElementById('main');
  const r = parse();
  if (!session.user && r.name !== 'login') {
    if (r.name) rememberReturn(null); // a link opened before logging in
    location.hash = '#/login';
    return;
  }
  if (r.name === '' || !PAGES[r.name]) {
    location.hash = session.user ? home() : '#/login';
    return;
  }
  renderChrome();
  // each visit renders into its own container: a page still loading when the user moves on
  // keeps writing into a detached one, never into the next page
  const view = h('div', { class: 'view' });
  try {
    const mod = await PAGES[r.name]();
    if (gen !== generation) return;
    clear(main, view);
    const go = (hash, { discard = false } = {}) => {
      if (discard) leaveGuard = null;
      location.hash = hash;
    };
    await mod.render(view, r, { go, refreshChrome: renderChrome, home, afterLogin, guard: (fn) => { if (gen === generation) leaveGuard = fn; } });
    if (gen !== generation) return;
    const heading = view.querySelector('h1');
    document.title = `${heading ? heading.textContent + ' - ' : ''}文明城市创建工作平台`;
  } catch (err) {
    if (gen !== generation) return;
    clear(main, h('h1', {}, '出错了'), h('p', { class: 'error', role: 'alert' }, err.message));
  }
  if (r.name !== 'login') main.focus({ preventScroll: true });
}

async function start() {
  try {
    const s = await api('GET', '/api/v1/session');
    session.user = s.user;
    session.csrf = s.csrf_token;
  } catch {
    session.user = null;
  }
  window.addEventListener('hashchange', route);
  await route();
}

// The page and what an inspector needs open without signal too (sw.js). Once the worker
// controls the page it has seen none of the session: ask again so that it keeps a copy.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/static/console/sw.js', { scope: '/console' }).catch(() => {});
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (session.user) fetch('/api/v1/session', { credentials: 'same-origin' }).catch(() => {});
  });
}
start();

// One article of 创城宣传 (#/news/{id}, #/news/new): its state and last reason, the moves the
// server says the caller may make now (`moves`), the form while it is a draft the caller may
// write (`editable`) with the rich-text body (richtext.js) and a cover picture, a preview of
// the body as the server stored it, and the history.
import { api, ApiError, session } from '../api.js';
import { h, clear, time, toast, field, ask } from '../dom.js';
import { KIND, STATUS, statusBadge } from './news.js';
import { richText, removedBy } from './richtext.js';

const MOVE = { submit: '提交审核', publish: '审核发布', return: '退回修改', withdraw: '撤下', revise: '改为草稿' };
const REASON = { return: '退回原因', withdraw: '撤下原因' };
const EVENT = { create: '新建', edit: '修改', ...MOVE };
const TAGS_MAX = 10;
const TAG_BYTES = 40;

// What to say on the next drawing of an article (a new one is drawn after the route changes).
let flash = null;

// A copy of what is being written, kept in this browser until it is saved or dropped: a
// closed tab, a crash or a session that ran out (the save answers 401 and the console goes to
// 登录) does not lose an afternoon's writing; the article's page offers it back. One copy per
// user and article (`new` for one not saved yet).
const KEEP_MS = 800;
const keptKey = (a) => `wm-article-draft:${session.user?.id ?? 0}:${a ? a.id : 'new'}`;
const kept = {
  read(key) {
    try {
      const d = JSON.parse(localStorage.getItem(key) || 'null');
      return d && typeof d.fields === 'object' && d.fields ? d : null;
    } catch { return null; }
  },
  write(key, d) {
    try { localStorage.setItem(key, JSON.stringify(d)); } catch { /* full or blocked: leaving still asks */ }
  },
  drop(key) {
    try { localStorage.removeItem(key); } catch { /* blocked */ }
  },
};

export async function render(main, r, nav) {
  const isNew = r.args[0] === 'new';
  const id = Number(r.args[0]);
  if (!isNew && !(Number.isInteger(id) && id > 0)) throw new Error('没有这篇文章');
  const a = isNew ? null : await api('GET', `/api/v1/articles/${id}`);
  const notes = flash && a && flash.id === a.id ? flash.notes : [];
  flash = null;
  draw(main, a, nav, notes);
}

const fact = (k, v) => [h('dt', {}, k), h('dd', {}, v)];

// The note to show when the server's cleaning changed the body that was sent.
function cleaned(sentBody, saved) {
  const gone = removedBy(sentBody, saved.body);
  return gone.length ? [[`部分格式已按安全规则移除：${gone.join('、')}。下方“预览”是保存后的正文。`, 'warn']] : [];
}

const stale = (err) => err instanceof ApiError && err.status === 409;

// The page of article a (null: a new one); notes: [text, kind] said at the top after a save
// or a move (kind 'ok' or 'warn').
function draw(main, a, nav, notes = []) {
  const redraw = (next, said) => {
    draw(main, next, nav, said);
    main.querySelector('.notices')?.focus();
  };
  const reload = () => nav.go(`#/news/${a.id}?t=${Date.now()}`, { discard: true });
  // a line with the error, and for a stale version the way to the current one
  const failure = (box, err) => clear(box, stale(err)
    ? ['这篇文章已被他人修改或状态已变化，您看到的不是最新版本。', ' ',
      h('button', { type: 'button', onclick: reload }, '重新加载（您的修改已保存在本机，重新加载后可以恢复）')]
    : err.message);

  clear(main, h('p', {}, h('a', { href: '#/news' }, '← 创城宣传')), h('h1', {}, a ? a.title : '写新文章'));
  if (notes.length)
    main.append(h('div', { class: 'notices', role: 'status', tabindex: -1 }, notes.map(([text, kind]) => h('p', { class: `notice ${kind}` }, text))));

  let form = null;
  const key = keptKey(a);
  if (!a || a.editable) form = articleForm(a, key, async (saved, sent) => {
    const said = [[a ? '已保存。' : '已保存为草稿。', 'ok'], ...cleaned(sent, saved)];
    toast('已保存');
    if (a) {
      redraw(saved, said);
    } else {
      flash = { id: saved.id, notes: said };
      nav.go(`#/news/${saved.id}`);
    }
  }, failure);

  // unsaved writing is not lost to a stray click on the menu or the back button; asked, the
  // form also keeps its copy at once (the tab closing, the session running out)
  nav.guard(() => !!form?.pending());
  if (a) main.append(stateCard(a, form, redraw, failure));
  if (form) main.append(...[keptOffer(a, key, form), form.el].filter(Boolean));
  else main.append(readOnly(a));
  if (a) main.append(preview(a), history(a));
}

function stateCard(a, form, redraw, failure) {
  const last = [...a.events].reverse().find((ev) => ev.note);
  const msg = h('p', { class: 'error', role: 'alert' });
  const move = async (m) => {
    msg.textContent = '';
    let note;
    if (REASON[m]) {
      const reason = h('textarea', { rows: 4, required: true, maxlength: 2000 });
      note = await ask(`${MOVE[m]}：${a.title}`, [field(`${REASON[m]}（必填，作者会看到）`, reason)], { ok: MOVE[m], run: async () => {
        if (!reason.value.trim()) throw new Error(`请填写${REASON[m]}`);
        return reason.value.trim();
      } });
      if (!note) return;
    }
    try {
      // what is being written goes with the submission
      let current = a;
      let said = [];
      if (m === 'submit' && form?.dirty()) {
        const { saved, sent } = await form.save();
        current = saved;
        said = cleaned(sent.body, saved);
      }
      const moved = await api('POST', `/api/v1/articles/${a.id}/actions`, { action: m, version: current.version, note });
      toast(`已${MOVE[m]}`);
      redraw(moved, [[`已${MOVE[m]}，文章现为“${STATUS[moved.status] || moved.status}”。`, 'ok'], ...said]);
    } catch (err) {
      failure(msg, err);
    }
  };
  return h('section', { class: 'card', 'aria-labelledby': 'news-state' },
    h('h2', { id: 'news-state' }, '文章状态'),
    h('dl', { class: 'facts' },
      fact('状态', statusBadge(a.status)), fact('类别', a.kind_label || KIND[a.kind]), fact('作者', a.author?.name || '—'),
      fact('更新时间', time(a.updated_at)),
      a.published_at ? fact('首次发布', time(a.published_at)) : null,
      a.status === 'published' ? fact('阅读', String(a.views)) : null),
    a.note ? h('p', { class: 'notice warn' }, h('strong', {}, `${REASON[last?.action] || '说明'}：`), a.note) : null,
    a.status === 'published' ? h('p', {}, h('a', { href: `/news/${a.id}` }, '在门户查看')) : null,
    a.moves.length
      ? h('div', { class: 'row-actions' }, a.moves.map((m) => h('button', { type: 'button', class: m === 'publish' || m === 'submit' ? 'primary' : null,
        onclick: () => move(m) }, MOVE[m] || m)))
      : h('p', { class: 'muted' }, a.status === 'review' ? '文章在审核中，等待文明办审核。' : '您对这篇文章当前没有可做的操作。'),
    msg);
}

// The offer of a copy kept in this browser (above), when it differs from what the form shows.
function keptOffer(a, key, form) {
  const d = kept.read(key);
  if (!d) return null;
  if (JSON.stringify(d.fields) === JSON.stringify(form.fields())) {
    kept.drop(key);
    return null;
  }
  const box = h('section', { class: 'card notice warn', role: 'region', 'aria-labelledby': 'news-kept' },
    h('h2', { id: 'news-kept' }, '有未保存的修改'),
    h('p', {}, `本机保存了您 ${time(Math.floor(d.at / 1000))} 未保存的修改${d.title ? `（标题“${d.title}”）` : ''}。`),
    a && d.version !== a.version
      ? h('p', {}, '这篇文章此后已被修改过：恢复后再保存，将以您恢复的内容为准。') : null,
    h('div', { class: 'row-actions' },
      h('button', { type: 'button', class: 'primary', onclick: () => { form.restore(d.fields); box.remove(); toast('已恢复未保存的修改'); } }, '恢复这些修改'),
      h('button', { type: 'button', onclick: () => { kept.drop(key); box.remove(); toast('已丢弃'); } }, '丢弃')));
  return box;
}

function readOnly(a) {
  return h('section', { class: 'card', 'aria-labelledby': 'news-fields' }, h('h2', { id: 'news-fields' }, '文章信息'),
    h('p', { class: 'muted' }, a.moves.includes('revise') ? '只有草稿可以修改：如需修改，请先“改为草稿”。' : '只有草稿可以修改。'),
    h('dl', { class: 'facts' }, fact('标题', a.title), fact('来源', a.source || '—'), fact('摘要', a.summary || '（取正文开头）'),
      fact('标签', a.tags.join('、') || '—')));
}

// The body as the server stored it (cleaned by its allow-list, lib/sanitize.c): the one place
// the console writes markup, and only the server's `body`, never what is being edited.
function preview(a) {
  const body = h('div', { class: 'article-body' });
  body.innerHTML = a.body;
  return h('section', { class: 'card', 'aria-labelledby': 'news-preview' },
    h('h2', { id: 'news-preview' }, '预览（已保存的内容，门户显示的即是它）'),
    a.cover ? h('figure', { class: 'cover' }, h('img', { src: a.cover, alt: a.cover_alt || '' }),
      a.cover_alt ? h('figcaption', { class: 'muted' }, `封面：${a.cover_alt}`) : null) : null,
    h('p', { class: 'preview-title' }, h('strong', {}, a.title)), a.summary ? h('p', { class: 'muted' }, a.summary) : null,
    body.childNodes.length ? body : h('p', { class: 'muted' }, '（正文为空）'));
}

function history(a) {
  return h('section', { 'aria-labelledby': 'news-history' }, h('h2', { id: 'news-history' }, '处理记录'),
    h('ol', { class: 'timeline' }, a.events.map((ev) => h('li', {}, h('time', {}, time(ev.at)), ' ',
      h('strong', {}, EVENT[ev.action] || ev.action), ` ${ev.actor_name || ev.actor || ''}`,
      ev.from && ev.from !== ev.to ? `（${STATUS[ev.from] || ev.from} → ${STATUS[ev.to] || ev.to}）` : '',
      ev.note ? h('p', {}, ev.note) : null))));
}

// The tags box: comma, Chinese comma or 、 between them.
function tagList(text) {
  const tags = [...new Set(text.split(/[,，、]/).map((t) => t.trim()).filter(Boolean))];
  if (tags.length > TAGS_MAX) throw new Error(`标签最多 ${TAGS_MAX} 个`);
  const long = tags.find((t) => new TextEncoder().encode(t).length > TAG_BYTES);
  if (long) throw new Error(`标签“${long}”太长（最多 ${TAG_BYTES} 字节，约 13 个汉字）`);
  return tags;
}

// The draft's form: kind, title, source, summary, tags, cover picture and body. done(saved,
// sentBody) after a save; failure(box, err) shows an error. What is typed is kept under key
// (above) until a save. Returns { el, dirty(), save(), fields(), restore(fields) } (save
// resolves { saved, sent }).
function articleForm(a, key, done, failure) {
  let dirty = false;
  let keepTimer = null;
  const keep = () => {
    clearTimeout(keepTimer);
    keepTimer = null;
    if (dirty) kept.write(key, { at: Date.now(), version: a?.version ?? 0, title: title.value.trim(), fields: fields() });
  };
  const touch = () => {
    dirty = true;
    if (!keepTimer) keepTimer = setTimeout(keep, KEEP_MS);
  };
  const kind = h('select', { required: true }, Object.entries(KIND).map(([k, v]) => h('option', { value: k, selected: a?.kind === k }, v)));
  const title = h('input', { required: true, maxlength: 300, value: a?.title ?? '' });
  const source = h('input', { maxlength: 120, value: a?.source ?? '', placeholder: '如 市委宣传部' });
  const summary = h('textarea', { rows: 2, maxlength: 1000 }, a?.summary ?? '');
  const tags = h('input', { maxlength: 500, value: (a?.tags ?? []).join('，'), placeholder: '如 志愿服务，文明交通' });

  // the cover: stored first (POST /api/v1/media), sent as its name only when changed
  let cover = a?.cover ? a.cover.replace(/^\/media\//, '') : '';
  let coverChanged = false;
  const coverFile = h('input', { type: 'file', accept: 'image/jpeg,image/png,image/webp' });
  const coverAlt = h('input', { maxlength: 300, value: a?.cover_alt ?? '' });
  const coverImg = h('img', { alt: '' });
  const coverBox = h('figure', { class: 'cover' }, coverImg);
  const coverDrop = h('button', { type: 'button', onclick: () => setCover('', '') }, '移除封面');
  const setCover = (name, url) => {
    cover = name;
    coverChanged = true;
    touch();
    showCover(url);
  };
  const showCover = (url) => {
    coverBox.hidden = !url;
    coverDrop.hidden = !url;
    if (url) coverImg.src = url;
    coverImg.alt = coverAlt.value.trim() || '封面图片（未填写说明）';
  };
  coverAlt.addEventListener('input', () => { coverImg.alt = coverAlt.value.trim() || '封面图片（未填写说明）'; });
  showCover(a?.cover ?? '');

  const body = richText({ label: '正文', html: a?.body ?? '', onchange: touch });
  const msg = h('p', { class: 'error', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'primary' }, a ? '保存' : '保存草稿');

  coverFile.addEventListener('change', async () => {
    msg.textContent = '';
    if (!coverFile.files[0]) return;
    try {
      const fd = new FormData();
      fd.set('file', coverFile.files[0]);
      const up = await api('POST', '/api/v1/media', fd);
      setCover(up.name, up.url);
      coverAlt.required = true;
    } catch (err) {
      msg.textContent = `封面图片未能上传：${err.message}`;
    }
  });

  const save = async () => {
    if (cover && !coverAlt.value.trim()) throw new Error('请填写封面图片说明（替代文字）');
    const sent = {
      kind: kind.value, title: title.value.trim(), source: source.value.trim(), summary: summary.value.trim(),
      tags: tagList(tags.value), cover_alt: coverAlt.value.trim(), body: body.value(),
    };
    if (!sent.title) throw new Error('请填写标题');
    if (coverChanged) sent.cover = cover;
    const saved = a ? await api('PATCH', `/api/v1/articles/${a.id}`, { ...sent, version: a.version })
      : await api('POST', '/api/v1/articles', sent);
    dirty = false;
    clearTimeout(keepTimer);
    keepTimer = null;
    kept.drop(key);
    return { saved, sent };
  };

  // everything the writer can change, as plain values (what is kept, and compared)
  const fields = () => ({
    kind: kind.value, title: title.value, source: source.value, summary: summary.value, tags: tags.value,
    cover, coverChanged, cover_alt: coverAlt.value, body: body.value(),
  });
  const restore = (f) => {
    if (f.kind in KIND) kind.value = f.kind;
    for (const [el, v] of [[title, f.title], [source, f.source], [summary, f.summary], [tags, f.tags], [coverAlt, f.cover_alt]])
      if (typeof v === 'string') el.value = v;
    if (typeof f.body === 'string') body.set(f.body);
    if (f.coverChanged && typeof f.cover === 'string' && /^([0-9a-f]{64}\.(jpg|png|webp))?$/.test(f.cover))
      setCover(f.cover, f.cover ? `/media/${f.cover}` : '');
    touch();
  };

  const el = h('form', { class: 'card news-form', 'aria-labelledby': 'news-form-title', oninput: touch, onsubmit: async (ev) => {
    ev.preventDefault();
    msg.textContent = '';
    button.disabled = true;
    try {
      const { saved, sent } = await save();
      await done(saved, sent.body);
    } catch (err) {
      keep();
      failure(msg, err);
    } finally {
      button.disabled = false;
    }
  } },
  h('h2', { id: 'news-form-title', class: 'wide' }, a ? '修改草稿' : '新文章'),
  field('类别', kind), field('标题', title), field('来源', source), field('标签（逗号分隔，最多 10 个）', tags),
  h('div', { class: 'wide' }, field('摘要（可不填，列表中显示正文开头）', summary)),
  h('fieldset', { class: 'wide cover-field' }, h('legend', {}, '封面图片'), coverBox,
    field('上传封面图片', coverFile), field('封面图片说明（替代文字）', coverAlt), h('div', {}, coverDrop)),
  h('div', { class: 'wide' }, body.el), h('div', { class: 'wide' }, msg), h('div', { class: 'wide actions' }, button));
  const pending = () => {
    keep();
    return dirty;
  };
  return { el, dirty: () => dirty, pending, save, fields, restore };
}

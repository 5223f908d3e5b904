// 正文编辑器 for creation news: a contenteditable region with a formatting toolbar
// (document.execCommand and range operations) and an HTML source box for the same content.
//
// Nothing unsaved is ever written into the page as markup. HTML from the source box or the
// clipboard is read into an inert document (DOMParser: no script runs, no image loads) and
// only the server's allow-list (docs/news.md, src/lib/sanitize.c) is copied over, node by
// node, with createElement and text nodes. The server cleans the body again when it is
// saved, and its rule is the one that counts: `removedBy` tells the writer what it took out.
import { api } from '../api.js';
import { h, clear, field, ask, newId } from '../dom.js';

const KEEP = new Set(('p br h2 h3 h4 strong b em i u s sub sup blockquote ul ol li a img figure figcaption ' +
  'table caption thead tbody tfoot tr th td hr pre code').split(' '));
const DROP = new Set(('script style iframe frame frameset object embed applet svg math template form input ' +
  'button textarea select option noscript noembed meta link base title audio video canvas').split(' '));
const ATTRS = { a: ['href'], img: ['src', 'alt', 'width', 'height'], td: ['colspan', 'rowspan'], th: ['colspan', 'rowspan'], ol: ['start'] };
const MEDIA = /^\/media\/[0-9a-f]{64}\.[a-z0-9]+$/;
// http(s), mailto or a path of this site (not "//host" nor "/\host", which browsers read as a host)
export const linkOk = (v) => /^(https?:|mailto:)/i.test(v) || /^\/(?![/\\])/.test(v);

function copyAllowed(from, to) {
  for (const n of from.childNodes) {
    if (n.nodeType === Node.TEXT_NODE) to.append(n.data);
    if (n.nodeType !== Node.ELEMENT_NODE || n.namespaceURI !== 'http://www.w3.org/1999/xhtml') continue;
    const tag = n.localName === 'h1' ? 'h2' : n.localName;
    if (DROP.has(tag)) continue;
    if (!KEEP.has(tag)) {
      copyAllowed(n, to); // the tag goes, its content stays
      continue;
    }
    if (tag === 'img' && !MEDIA.test(n.getAttribute('src') || '')) continue;
    const el = document.createElement(tag);
    for (const name of ATTRS[tag] || []) {
      const v = n.getAttribute(name);
      if (v !== null && (name !== 'href' || linkOk(v.trim()))) el.setAttribute(name, v);
    }
    to.append(copyAllowed(n, el));
  }
  return to;
}

// HTML as a fragment of allowed, inert nodes.
export function inert(html) {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  return copyAllowed(doc.body, document.createDocumentFragment());
}

// What the server's cleaning took out of `sent` to give `saved`: the elements, and the
// attributes of elements it kept, found fewer times (both parsed by the same inert parser, so
// spelling differences — entities, quotes, <br> or <br/> — do not count); a change of the text
// alone is named as such.
export function removedBy(sent, saved) {
  const tally = (html) => {
    const doc = new DOMParser().parseFromString(html, 'text/html');
    const n = new Map();
    const add = (k) => n.set(k, (n.get(k) || 0) + 1);
    for (const el of doc.body.querySelectorAll('*')) {
      add(el.localName);
      for (const a of el.attributes) add(`${el.localName} ${a.name}`);
    }
    return { n, text: doc.body.textContent.replace(/\s+/g, '') };
  };
  const a = tally(sent);
  const b = tally(saved);
  const out = [];
  for (const [k, count] of a.n) {
    if ((b.n.get(k) || 0) >= count) continue;
    const [tag, attr] = k.split(' ');
    if (!attr) out.push(`<${tag}>`);
    else if (b.n.get(tag)) out.push(`${tag} 的 ${attr} 属性`);
  }
  if (!out.length && a.text !== b.text) out.push('部分文字');
  return out;
}

// The editor. html: the saved body; onchange: called on every change by the user.
// Returns { el, value() (the HTML to save), focus() }.
export function richText({ label, html = '', onchange = () => {} }) {
  const labelId = newId('rte-label');
  const hintId = newId('rte-hint');
  const area = h('div', {
    id: newId('rte'), class: 'rte-area', contenteditable: 'true', role: 'textbox', 'aria-multiline': 'true',
    'aria-labelledby': labelId, 'aria-describedby': hintId, spellcheck: 'true',
  });
  const source = h('textarea', { class: 'rte-source', rows: 14, spellcheck: 'false', maxlength: 200000 });
  const sourceField = field('正文 HTML 源码', source);
  sourceField.hidden = true;
  // the content, with an empty paragraph to type in when there is none
  const fill = (markup) => {
    clear(area, inert(markup));
    if (!area.firstChild) area.append(h('p', {}, h('br')));
  };
  fill(html);
  source.value = html;

  // The selection inside the region, kept while a toolbar button or a dialog has the focus.
  let saved = null;
  const keep = () => {
    if (!area.isConnected) {
      document.removeEventListener('selectionchange', keep);
      return;
    }
    const sel = document.getSelection();
    if (sel.rangeCount && area.contains(sel.getRangeAt(0).commonAncestorContainer)) saved = sel.getRangeAt(0).cloneRange();
    sync();
  };
  document.addEventListener('selectionchange', keep);
  const inside = (r) => r && area.contains(r.commonAncestorContainer);
  // The selection to act on: the live one while the region has the focus (keys come faster
  // than selectionchange), else `at` or the last one kept, else the end.
  const here = () => {
    const sel = document.getSelection();
    return document.activeElement === area && sel.rangeCount && inside(sel.getRangeAt(0)) ? sel.getRangeAt(0).cloneRange() : saved;
  };
  const restore = (at = here()) => {
    area.focus({ preventScroll: true });
    const sel = document.getSelection();
    let r = inside(at) ? at : null;
    if (!r) {
      r = document.createRange();
      r.selectNodeContents(area);
      r.collapse(false);
    }
    sel.removeAllRanges();
    sel.addRange(r);
    return r;
  };
  const changed = () => {
    onchange();
    sync();
  };
  // Chrome makes a list inside the paragraph it came from (<p><ul>…</ul></p>, which no parser
  // keeps): such a paragraph gives way to what it holds, the caret staying where it was.
  // (the selection is set again only then: setting it drops the bold or italic of a caret)
  const unnest = () => {
    const nested = [...area.querySelectorAll('p')].filter((p) => p.querySelector(':scope > :is(ul, ol, blockquote, h2, h3, h4, pre, table, figure, p)'));
    if (!nested.length) return;
    const sel = document.getSelection();
    const at = sel.rangeCount ? [sel.anchorNode, sel.anchorOffset, sel.focusNode, sel.focusOffset] : null;
    for (const p of nested) p.replaceWith(...p.childNodes);
    if (at && at[0].isConnected && at[2].isConnected) sel.setBaseAndExtent(...at);
  };
  const exec = (cmd, value = null, at = undefined) => {
    restore(at);
    document.execCommand(cmd, false, value);
    unnest();
    changed();
  };
  // Nodes in at the caret (replacing what is selected), the caret after them.
  const insert = (node, at = undefined) => {
    const last = node.nodeType === Node.DOCUMENT_FRAGMENT_NODE ? node.lastChild : node;
    if (!last) return;
    const r = restore(at);
    r.deleteContents();
    r.insertNode(node);
    r.setStartAfter(last);
    r.collapse(true);
    const sel = document.getSelection();
    sel.removeAllRanges();
    sel.addRange(r);
    changed();
  };
  const block = () => (document.queryCommandValue('formatBlock') || '').toLowerCase();
  const toggleBlock = (tag) => exec('formatBlock', block() === tag ? 'p' : tag);

  // (a dialog takes the focus: the place to act on is taken before it opens)
  const link = async () => {
    const at = here();
    const url = h('input', { type: 'text', required: true, maxlength: 2000, inputmode: 'url', placeholder: 'https://… 或 /news/12' });
    const href = await ask('插入链接', [field('链接地址', url)], { ok: '插入', run: async () => {
      const v = url.value.trim();
      if (!linkOk(v)) throw new Error('链接须以 http://、https://、mailto: 或本站路径 / 开头');
      return v;
    } });
    if (!href) return;
    if (!inside(at) || at.collapsed) insert(h('a', { href }, href), at);
    else exec('createLink', href, at);
  };

  const picture = async () => {
    const at = here();
    const file = h('input', { type: 'file', required: true, accept: 'image/jpeg,image/png,image/webp' });
    const alt = h('input', { type: 'text', required: true, maxlength: 300 });
    const img = await ask('插入图片', [field('图片文件', file), field('图片说明（替代文字，读屏软件会读出）', alt)], { ok: '插入', run: async () => {
      if (!alt.value.trim()) throw new Error('请填写图片说明');
      const fd = new FormData();
      fd.set('file', file.files[0]);
      const up = await api('POST', '/api/v1/media', fd);
      return h('img', { src: up.url, alt: alt.value.trim() });
    } });
    if (img) insert(img, at);
  };

  const plain = () => {
    exec('removeFormat');
    exec('unlink');
    if (['h2', 'h3', 'h4', 'blockquote', 'pre'].includes(block())) exec('formatBlock', 'p');
  };

  // [text, what it does, whether it is on now]
  const tools = [
    ['加粗', () => exec('bold'), () => document.queryCommandState('bold')],
    ['斜体', () => exec('italic'), () => document.queryCommandState('italic')],
    ['小标题 H2', () => toggleBlock('h2'), () => block() === 'h2'],
    ['小标题 H3', () => toggleBlock('h3'), () => block() === 'h3'],
    ['列表', () => exec('insertUnorderedList'), () => document.queryCommandState('insertUnorderedList')],
    ['编号列表', () => exec('insertOrderedList'), () => document.queryCommandState('insertOrderedList')],
    ['引用', () => toggleBlock('blockquote'), () => block() === 'blockquote'],
    ['链接', link, null],
    ['插入图片', picture, null],
    ['清除格式', plain, null],
  ].map(([text, run, on]) => {
    const b = h('button', { type: 'button', tabindex: -1, 'aria-pressed': on ? 'false' : false,
      onmousedown: (ev) => ev.preventDefault(), // the region keeps the focus and its selection
      onclick: () => run() }, text);
    return { b, on };
  });

  const sourceButton = h('button', { type: 'button', tabindex: -1, 'aria-pressed': 'false', onclick: () => showSource(sourceField.hidden) }, 'HTML 源码');
  const showSource = (on) => {
    if (on) {
      source.value = area.innerHTML;
    } else {
      fill(source.value);
    }
    sourceField.hidden = !on;
    area.hidden = on;
    sourceButton.setAttribute('aria-pressed', String(on));
    for (const t of tools) t.b.hidden = on;
    (on ? source : area).focus();
  };

  const buttons = () => [...tools.map((t) => t.b), sourceButton].filter((b) => !b.hidden);
  const sync = () => {
    if (document.activeElement !== area) return;
    for (const t of tools) if (t.on) t.b.setAttribute('aria-pressed', String(!!t.on()));
  };
  // One stop in the tab order, arrows between the buttons (the ARIA toolbar pattern).
  const toolbar = h('div', { class: 'rte-tools', role: 'toolbar', 'aria-label': '正文格式', 'aria-controls': area.id,
    onkeydown: (ev) => {
      const list = buttons();
      const i = list.indexOf(document.activeElement);
      const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: list.length - 1 }[ev.key];
      if (ev.key === 'Escape') {
        ev.preventDefault();
        (area.hidden ? source : area).focus();
      }
      if (to === undefined || i < 0) return;
      ev.preventDefault();
      const next = list[(to + list.length) % list.length];
      for (const b of list) b.tabIndex = b === next ? 0 : -1;
      next.focus();
    } }, tools.map((t) => t.b), sourceButton);
  tools[0].b.tabIndex = 0;

  area.addEventListener('input', changed);
  source.addEventListener('input', () => onchange());
  area.addEventListener('keydown', (ev) => {
    if (ev.key === 'F10' && ev.altKey) {
      ev.preventDefault();
      (buttons().find((b) => b.tabIndex === 0) || tools[0].b).focus();
    }
    // Enter on an empty line of a quotation ends it, as it ends a list
    if (ev.key === 'Enter' && !ev.shiftKey && block() === 'blockquote') {
      const at = document.getSelection().anchorNode;
      const quote = (at.nodeType === Node.ELEMENT_NODE ? at : at.parentElement).closest('blockquote');
      if (quote && !quote.textContent.trim()) {
        ev.preventDefault();
        exec('formatBlock', 'p');
      }
    }
  });
  // Pasted markup goes through the allow-list too (no styles, classes or scripts of the source).
  area.addEventListener('paste', (ev) => {
    const data = ev.clipboardData;
    if (!data) return;
    ev.preventDefault();
    const html = data.getData('text/html');
    if (html) insert(inert(html));
    else document.execCommand('insertText', false, data.getData('text/plain'));
  });
  document.execCommand('defaultParagraphSeparator', false, 'p');
  document.execCommand('styleWithCSS', false, false);

  const el = h('div', { class: 'rte' },
    h('span', { class: 'rte-label', id: labelId, onclick: () => (area.hidden ? source : area).focus() }, label),
    h('p', { class: 'muted rte-hint', id: hintId }, 'Ctrl+B 加粗，Ctrl+I 斜体；Alt+F10 到格式工具栏（左右方向键选择，Esc 回到正文）。'),
    h('div', { class: 'rte-box' }, toolbar, area, sourceField));
  return {
    el,
    value: () => (sourceField.hidden ? area.innerHTML : source.value),
    // replaces the content (a kept copy brought back), through the same allow-list as a paste
    set: (markup) => {
      fill(markup);
      source.value = area.innerHTML;
    },
    focus: () => (area.hidden ? source : area).focus(),
  };
}

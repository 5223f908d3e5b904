// 创城宣传: the articles the office and the propaganda department's editors write (docs/news.md)
// — by state (with counts), kind and words, last changed first, paged — and, at #/news/{id}
// or #/news/new, one article's page (news_edit.js).
import { api } from '../api.js';
import { h, day, field } from '../dom.js';

export const KIND = { news: '创城动态', practice: '经验做法', psa: '公益广告' };
export const STATUS = { draft: '草稿', review: '待审核', published: '已发布', withdrawn: '已撤下' };
const PAGE = 20;

// The state as a badge with its words (colour is never the only signal).
export const statusBadge = (s) => h('span', { class: `badge st-${s}` }, STATUS[s] || s);

export async function render(main, r, nav) {
  if (r.args.length) return (await import('./news_edit.js')).render(main, r, nav);
  const status = r.query.get('status') || '';
  const kind = r.query.get('kind') || '';
  const q = r.query.get('q') || '';
  const page = Math.max(0, Number(r.query.get('page')) || 0);
  const link = (change) => {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries({ status, kind, q, page: 0, ...change })) if (v) qs.set(k, v);
    const s = qs.toString();
    return `#/news${s ? `?${s}` : ''}`;
  };
  // the list and the count in each state, under the same kind and words
  const query = (more) => {
    const qs = new URLSearchParams(more);
    if (kind) qs.set('kind', kind);
    if (q) qs.set('q', q);
    return `/api/v1/articles?${qs}`;
  };
  const shown = { limit: String(PAGE), offset: String(page * PAGE) };
  if (status) shown.status = status;
  const [list, ...counts] = await Promise.all([api('GET', query(shown)),
    ...Object.keys(STATUS).map((s) => api('GET', query({ status: s, limit: '1' })).then((x) => x.total))]);
  const total = counts.reduce((a, b) => a + b, 0);

  main.append(h('h1', {}, '创城宣传'),
    h('p', {}, h('a', { class: 'button', href: '#/news/new' }, '写新文章')),
    h('nav', { class: 'tabs', 'aria-label': '文章状态' }, h('ul', {},
      [['', '全部', total], ...Object.entries(STATUS).map(([s, label], i) => [s, label, counts[i]])].map(([s, label, n]) =>
        h('li', {}, h('a', { href: link({ status: s }), 'aria-current': s === status ? 'page' : false }, `${label}（${n}）`))))));

  const kindSel = h('select', { onchange: (ev) => nav.go(link({ kind: ev.target.value })) },
    h('option', { value: '' }, '全部类别'),
    Object.entries(KIND).map(([k, v]) => h('option', { value: k, selected: k === kind }, v)));
  const text = h('input', { type: 'search', value: q, maxlength: 100, placeholder: '标题或正文中的词' });
  main.append(h('div', { class: 'toolbar' }, field('类别', kindSel),
    h('form', { role: 'search', class: 'toolbar', onsubmit: (ev) => { ev.preventDefault(); nav.go(link({ q: text.value.trim() })); } },
      field('搜索文章', text), h('button', { type: 'submit' }, '搜索'))));

  const cell = (label, ...content) => h('td', { 'data-label': label }, ...content);
  const head = ['标题', '类别', '状态', '作者', '更新日期', '阅读'];
  const from = list.total ? page * PAGE + 1 : 0;
  main.append(h('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': '文章列表' }, h('table', { class: 'stack' },
    h('caption', {}, `文章列表（第 ${from}–${page * PAGE + list.articles.length} 篇，共 ${list.total} 篇）`),
    h('thead', {}, h('tr', {}, head.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, list.articles.length ? list.articles.map((a) => h('tr', {},
      h('td', { class: 'desc' }, h('a', { href: `#/news/${a.id}` }, a.title),
        a.tags.length ? h('span', { class: 'muted tags' }, ` ${a.tags.map((t) => `#${t}`).join(' ')}`) : null),
      cell('类别', a.kind_label || KIND[a.kind] || a.kind), cell('状态', statusBadge(a.status)), cell('作者', a.author || '—'),
      cell('更新日期', day(a.updated_at)), cell('阅读', String(a.views))))
      : h('tr', {}, h('td', { colspan: head.length }, total ? '没有符合条件的文章' : '还没有文章，点“写新文章”开始。'))))));

  const pager = h('nav', { class: 'pager', 'aria-label': '翻页' });
  if (page > 0) pager.append(h('a', { href: link({ page: page - 1 }) }, '上一页'));
  if ((page + 1) * PAGE < list.total) pager.append(h('a', { href: link({ page: page + 1 }) }, '下一页'));
  main.append(pager);
}

// 案件详情: the case, its photos (a lightbox), place, deadline state, timeline, and a form for
// each move the server says the caller may make now (`actions`).
import { api, ref } from '../api.js';
import { leaflet } from '../vendor.js';
import { h, clear, time, STATUS, ACTION, alertBadge, toast, field } from '../dom.js';

const NEEDS_UNIT = new Set(['dispatch', 'redispatch']);
const NEEDS_NOTE = new Set(['reject', 'return', 'verify_fail', 'extend_deny', 'defer', 'reopen', 'comment', 'supervise']);

export async function render(main, r, nav) {
  const code = r.args[0];
  const [c, timeline] = await Promise.all([
    api('GET', `/api/v1/cases/${encodeURIComponent(code)}`),
    api('GET', `/api/v1/cases/${encodeURIComponent(code)}/timeline`),
  ]);
  main.dataset.version = String(c.version); /* tests wait for the next one after a move */
  main.append(
    h('p', {}, h('a', { href: '#/inbox' }, '← 返回案件列表')),
    h('h1', {}, `案件 ${c.code}`),
    h('dl', { class: 'facts' },
      fact('状态', STATUS[c.status] || c.status), fact('类别', `${c.service_name}（${c.service_code}）`),
      fact('问题描述', c.description || '—'), fact('地址', c.address || '—'),
      fact('区域', c.area_name || '—'), fact('责任单位', c.unit_name || '—'),
      fact('来源', c.source), fact('上报时间', time(c.requested_at)),
      fact('当前环节时限', c.due_at ? time(c.due_at) : '—'), fact('预警', alertBadge(c.alert)),
      c.supervise_level ? fact('督办级别', String(c.supervise_level)) : null,
      c.suggested_unit_id ? fact('建议派往', h('span', { id: 'suggested' }, c.suggestion)) : null));
  if (c.photos?.length) main.append(photos(c.photos));
  if (c.lat !== null && c.lat !== undefined) main.append(await minimap(c));
  main.append(await actions(c, () => nav.go(`#/case/${encodeURIComponent(code)}?t=${Date.now()}`)));
  main.append(h('h2', {}, '办理过程'), h('ol', { class: 'timeline' }, timeline.map((ev) =>
    h('li', {}, h('time', {}, time(ev.at)), ' ', h('strong', {}, ACTION[ev.action] || ev.action),
      ev.to_status ? ` → ${STATUS[ev.to_status] || ev.to_status}` : '',
      ev.note ? h('p', {}, ev.note) : null))));
}

const fact = (k, v) => [h('dt', {}, k), h('dd', {}, v)];

// 位置: the case's point over its area's outline (and the district's), no external tiles; the
// coordinates stay written out for those who do not use the map.
async function minimap(c) {
  const box = h('div', { class: 'minimap', role: 'region', 'aria-label': `案件位置地图：${c.area_name || ''}（坐标见下方）` });
  const section = h('section', {}, h('h2', {}, '位置'), box,
    h('p', { class: 'muted' }, `北纬 ${Number(c.lat).toFixed(5)}，东经 ${Number(c.long).toFixed(5)}${c.area_name ? `（${c.area_name}）` : ''}`));
  Promise.all([leaflet(), ref('/api/v1/areas')]).then(([L, fc]) => {
    if (!box.isConnected) return;
    const mine = fc.features.find((f) => f.id === c.area_id);
    const shown = fc.features.filter((f) => f.id === c.area_id || (mine && f.id === mine.properties.parent_id));
    const map = L.map(box, { attributionControl: false, zoomControl: true }).setView([c.lat, c.long], 14);
    L.geoJSON({ type: 'FeatureCollection', features: shown }, {
      style: (f) => ({ color: f.id === c.area_id ? '#0b57a4' : '#555', weight: f.id === c.area_id ? 2 : 1, fillOpacity: 0.05 }),
    }).addTo(map);
    L.circleMarker([c.lat, c.long], { radius: 8, color: '#a4161a', fillColor: '#a4161a', fillOpacity: 0.9 }).addTo(map);
  }).catch(() => { box.remove(); });
  return section;
}


function photos(list) {
  const dialog = h('dialog', { class: 'lightbox', 'aria-label': '照片' });
  const show = (p) => {
    clear(dialog, h('img', { src: p.url, alt: `案件照片（${p.role}）` }),
      h('form', { method: 'dialog' }, h('button', { type: 'submit' }, '关闭')));
    dialog.showModal();
  };
  return h('section', {}, h('h2', {}, '照片'),
    h('ul', { class: 'photos' }, list.map((p) => h('li', {},
      h('button', { type: 'button', class: 'thumb', onclick: () => show(p) },
        h('img', { src: p.url, alt: `${{ report: '上报', before: '处置前', after: '处置后', handled: '处置结果' }[p.role] || p.role}照片`, loading: 'lazy' }))))),
    dialog);
}

async function actions(c, reload) {
  const allowed = (c.actions || []).filter((a) => ACTION[a]);
  if (!allowed.length) return h('p', { class: 'muted' }, '您对此案件当前没有可办理的操作。');
  let units = null;
  if (allowed.some((a) => NEEDS_UNIT.has(a))) {
    units = await ref('/api/v1/units');
    const s = units.find((u) => u.id === c.suggested_unit_id);
    const shown = document.getElementById('suggested');
    if (s && shown) shown.textContent = `${s.name}（${c.suggestion}）`;
  }
  const action = h('select', { required: true }, allowed.map((a) => h('option', { value: a }, ACTION[a])));
  const unit = units ? h('select', {}, h('option', { value: '' }, '请选择'),
    units.map((u) => h('option', { value: u.id, selected: u.id === c.suggested_unit_id }, u.name))) : null;
  const unitField = unit ? field('责任单位', unit) : null;
  const note = h('textarea', { rows: 3, maxlength: 4000 });
  const photo = h('input', { type: 'file', accept: 'image/jpeg,image/png,image/webp', capture: 'environment' });
  const photoField = field('处置照片（可选）', photo);
  const msg = h('p', { class: 'error', role: 'alert' });
  const sync = () => {
    if (unitField) unitField.hidden = !NEEDS_UNIT.has(action.value);
    photoField.hidden = action.value !== 'handle';
    note.required = NEEDS_NOTE.has(action.value);
  };
  action.addEventListener('change', sync);
  sync();
  return h('form', { class: 'card', onsubmit: async (ev) => {
    ev.preventDefault();
    msg.textContent = '';
    const fd = new FormData();
    fd.set('action', action.value);
    fd.set('version', String(c.version));
    if (note.value.trim()) fd.set('note', note.value.trim());
    if (NEEDS_UNIT.has(action.value)) {
      if (!unit.value) { msg.textContent = '请选择责任单位'; return; }
      fd.set('unit_id', unit.value);
    }
    if (action.value === 'handle' && photo.files[0]) fd.set('photo', photo.files[0]);
    try {
      await api('POST', `/api/v1/cases/${encodeURIComponent(c.code)}/actions`, fd);
      toast(`已${ACTION[action.value]}`);
      reload();
    } catch (err) {
      msg.textContent = err.status === 409 ? `案件已被他人更新，请刷新后再办理（${err.message}）` : err.message;
    }
  } }, h('h2', {}, '办理'), field('操作', action), unitField, field('意见', note), photoField, msg,
  h('button', { type: 'submit', class: 'primary' }, '提交'));
}

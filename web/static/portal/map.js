// 问题地图, when JavaScript runs: the recent problems from /api/v1/public/map on a map of
// the districts and streets, grouped on a screen grid (a count per group; a tap zooms in),
// each marked by state with a symbol as well as a colour (! 办理中, ✓ 已解决, explained in the
// legend); a tap shows category, state, district and street, and date. Changing a filter
// fetches again and also refills the page's summary and district table, which stay the text
// of the map. The positions are cell centres about 200 m apart (core/mask.c), never a door.
import { CITY, areaBounds, drawAreas, el, newMap, skipLink } from './map_kit.js';

const CELL = 56; /* px: problems closer than this on screen share one marker */
const LIST_MAX = 20; /* problems listed in one group's popup */
const STATE = { open: '办理中', solved: '已解决' };
const SYMBOL = { open: '!', solved: '✓' };

const L = window.L;
const slot = document.getElementById('map-slot');
const form = document.getElementById('map-filters');
const table = document.getElementById('district-table');
if (L && slot && form && table) start();

function start() {
  const box = el('div', 'portal-map');
  box.id = 'map';
  slot.append(skipLink(table), box, legend());
  const map = newMap(L, box, '问题地图：各区近期反映的问题，位置只精确到约 200 米。各区数字见地图下方的表格。');
  map.setView(CITY, 12);
  const markers = L.layerGroup().addTo(map);
  let points = [];
  let areasDrawn = null; /* one drawing of the outlines, however many loads wait on it */
  let first = true;
  let pending = null; /* the newest fetch: a filter changed again before the last answer */

  const draw = () => {
    markers.clearLayers();
    const cells = new Map();
    const z = map.getZoom();
    for (const p of points) {
      const xy = map.project([p.lat, p.long], z);
      const key = `${Math.floor(xy.x / CELL)}:${Math.floor(xy.y / CELL)}`;
      if (!cells.has(key)) cells.set(key, []);
      cells.get(key).push(p);
    }
    for (const list of cells.values()) markers.addLayer(list.length === 1 ? single(list[0]) : group(map, list));
  };
  map.on('zoomend', draw);

  const load = async () => {
    const qs = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v !== '') qs.set(k, v);
    const summary = document.getElementById('map-summary');
    pending?.abort();
    const mine = new AbortController();
    pending = mine;
    let data;
    try {
      const res = await fetch(`/api/v1/public/map?${qs}`, { signal: mine.signal });
      if (!res.ok) throw new Error(String(res.status));
      data = await res.json();
    } catch {
      if (!mine.signal.aborted) summary.textContent = '暂时无法读取问题数据，请稍后再试。';
      return;
    }
    /* An older answer arriving after a newer request must not overwrite what it shows. */
    if (mine.signal.aborted) return;
    history.replaceState(null, '', `/map?${qs}`);
    points = data.points;
    summary.textContent = `近 ${data.days} 天共反映 ${data.total} 件问题，已解决 ${data.solved} 件；`
      + `地图上是其中有位置的 ${points.length < data.located ? `最新 ${points.length}` : points.length} 件。`;
    fillTable(data, qs.get('district'));
    const areas = await (areasDrawn ||= drawAreas(L, map));
    if (!areas) areasDrawn = null; // not read this time: the next load tries again
    if (mine.signal.aborted) return;
    const district = qs.get('district') && areaBounds(areas, qs.get('district'));
    if (district) map.fitBounds(district, { padding: [8, 8] });
    else if (first && points.length) map.fitBounds(L.latLngBounds(points.map((p) => [p.lat, p.long])), { padding: [24, 24], maxZoom: 15 });
    else if (first && areas) map.fitBounds(areas.getBounds(), { padding: [8, 8] });
    first = false;
    draw();
  };
  form.addEventListener('change', load);
  form.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  load();
}

function legend() {
  const ul = el('ul', 'map-legend');
  ul.setAttribute('aria-label', '图例');
  for (const [state, label] of Object.entries(STATE)) {
    const li = el('li');
    li.append(el('span', `map-dot ${state}`, SYMBOL[state]), ` ${label}`);
    ul.append(li);
  }
  const li = el('li');
  li.append(el('span', 'map-dot group', '5'), ' 多件问题（数字为件数，点击放大）');
  ul.append(li);
  for (const dot of ul.querySelectorAll('.map-dot')) dot.setAttribute('aria-hidden', 'true');
  return ul;
}

function single(p) {
  const m = L.marker([p.lat, p.long], {
    icon: L.divIcon({ className: `map-dot ${p.state}`, html: el('span', '', SYMBOL[p.state]), iconSize: [26, 26] }),
    title: `${p.service_name}，${STATE[p.state]}`,
    keyboard: true,
  });
  m.bindPopup(() => popup([p]), { maxWidth: 260 });
  return m;
}

function group(map, list) {
  const open = list.filter((p) => p.state === 'open').length;
  const kind = open === list.length ? 'open' : open === 0 ? 'solved' : 'mixed';
  const size = list.length < 10 ? 32 : list.length < 100 ? 38 : 44;
  const at = [list.reduce((s, p) => s + p.lat, 0) / list.length, list.reduce((s, p) => s + p.long, 0) / list.length];
  const m = L.marker(at, {
    icon: L.divIcon({ className: `map-dot group ${kind}`, html: el('span', '', String(list.length)), iconSize: [size, size] }),
    title: `${list.length} 件问题（办理中 ${open}，已解决 ${list.length - open}），点击放大`,
    keyboard: true,
  });
  const bounds = L.latLngBounds(list.map((p) => [p.lat, p.long]));
  const show = () => {
    if (bounds.getNorthEast().equals(bounds.getSouthWest()) || map.getZoom() >= map.getMaxZoom())
      L.popup({ maxWidth: 280, maxHeight: 260 }).setLatLng(at).setContent(popup(list)).openOn(map);
    else map.fitBounds(bounds, { padding: [40, 40] });
  };
  m.on('click', show);
  m.on('keypress', (ev) => { if (ev.originalEvent.key === 'Enter') show(); });
  return m;
}

// Category, state, district and street, date: all the public may know of a problem.
function popup(list) {
  const div = el('div', 'map-popup');
  if (list.length > 1) div.append(el('p', 'muted', `此处 ${list.length} 件问题`));
  const ul = el('ul');
  for (const p of list.slice(0, LIST_MAX)) {
    const li = el('li');
    li.append(el('strong', '', p.service_name), el('br'),
      `${STATE[p.state]} · ${p.district || '未定位'}${p.street} · ${p.date}`);
    ul.append(li);
  }
  div.append(ul);
  if (list.length > LIST_MAX) div.append(el('p', 'muted', `另有 ${list.length - LIST_MAX} 件`));
  return div;
}

// The district table again, as the server writes it (portal/map.c).
function fillTable(data, district) {
  table.querySelector('caption').textContent = `各区问题（近 ${data.days} 天）`;
  const body = el('tbody');
  let placed = 0;
  for (const d of data.districts) {
    const tr = el('tr');
    const th = el('th');
    th.scope = 'row';
    const a = el('a', '', d.name);
    a.href = `/cases?district=${encodeURIComponent(d.code)}`;
    th.append(a);
    tr.append(th, el('td', '', String(d.reported)), el('td', '', String(d.solved)), el('td', '', String(d.reported - d.solved)));
    body.append(tr);
    placed += d.reported;
  }
  if (!district && data.total > placed) {
    const tr = el('tr');
    const th = el('th', '', '未定位');
    th.scope = 'row';
    tr.append(th, el('td', '', String(data.total - placed)), el('td', '', '—'), el('td', '', '—'));
    body.append(tr);
  }
  if (!data.districts.length) {
    const td = el('td', '', '没有符合条件的问题。');
    td.colSpan = 4;
    const tr = el('tr');
    tr.append(td);
    body.append(tr);
  }
  table.tBodies[0].replaceWith(body);
}

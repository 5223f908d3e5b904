// 地图: Leaflet over the areas from the database (districts outlined and labelled, streets and
// grids thinner) with no external tiles unless the server names a tile URL; layers for the
// open cases (grouped on a screen grid, a count per group), the hotspot grids of the last 90
// days (circles sized by their count) and the sites by type. The same open cases are listed
// in a table beside the map, each with a button that shows it on the map: the map is never
// the only way to the data.
import { api } from '../api.js';
import { h, STATUS, alertBadge } from '../dom.js';
import { leaflet } from '../vendor.js';

const OPEN = 'reported,registered,dispatched,handling,handled,deferred';
const PAGE = 500; /* the list's largest page */
const MAX_CASES = 2000; /* at most four pages on the map */
const CELL = 60; /* px: cases closer than this on screen share one marker */
const HOT_DAYS = 90;
const MAX_ZOOM = 18;
const DAY = 86400 * 1000;
const iso = (d) => new Date(d.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10);
// Site type colours, dark enough to stand out on the pale base (the type is also in the
// popup and beside each colour in the layer list).
const PALETTE = ['#0b57a4', '#1b6b2f', '#7a3e9d', '#b35900', '#00727a', '#8c1c55', '#4a5a00', '#5d4037',
  '#283593', '#ad1457', '#2e7d32', '#6a1b9a', '#00695c', '#9e3d00', '#37474f', '#827717'];
const AREA_STYLE = {
  district: { color: '#b0101b', weight: 3, fillColor: '#b0101b', fillOpacity: 0.04 },
  street: { color: '#4a4f57', weight: 1.5, dashArray: '6 4', fillOpacity: 0 },
  grid: { color: '#6b7280', weight: 1, dashArray: '2 4', fillOpacity: 0 },
};
const KIND = { district: '区', street: '街道', grid: '网格' };

export async function render(main) {
  main.append(h('h1', {}, '地图'));
  const [me, areas, cases, sites, hot] = await Promise.all([
    api('GET', '/api/v1/session').catch(() => ({})),
    api('GET', '/api/v1/areas'),
    openCases(),
    api('GET', '/api/v1/sites/geojson').catch(() => ({ features: [] })),
    hotspots(),
  ]);
  const located = cases.list.filter((c) => c.lat !== null && c.lat !== undefined && c.long !== null && c.long !== undefined);

  const controls = h('fieldset', { class: 'layers' }, h('legend', {}, '图层'));
  const box = h('div', { class: 'map', id: 'map', role: 'region', 'aria-label': '地图：辖区、未结案件、热点网格和点位（案件也列在地图旁的表格中）' });
  const side = h('section', { class: 'map-side', 'aria-labelledby': 'map-cases' });
  main.append(controls, h('div', { class: 'map-layout' }, box, side));

  const L = await leaflet().catch(() => null);
  let map = null;
  let casesLayer = null;
  if (L) {
    map = L.map(box, { zoomControl: false, attributionControl: false, maxZoom: MAX_ZOOM, minZoom: 3 });
    L.control.zoom({ zoomInTitle: '放大', zoomOutTitle: '缩小' }).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);
    // A city's own tiles under the areas when the server has them (`serve --tile-url`, which
    // also allows that origin in the CSP's img-src). Without them the areas are the base layer.
    if (me && typeof me.tile_url === 'string' && me.tile_url) {
      // Leaflet writes the credit line as markup: it goes in as text
      const credit = h('span', {}, me.tile_attribution || '');
      L.control.attribution({ prefix: false }).addTo(map);
      L.tileLayer(me.tile_url, { maxZoom: MAX_ZOOM, attribution: credit.innerHTML }).addTo(map);
    }
    map.on('popupopen', (ev) => {
      const close = ev.popup.getElement()?.querySelector('.leaflet-popup-close-button');
      if (close) close.setAttribute('aria-label', '关闭');
    });
    new ResizeObserver(() => map.invalidateSize()).observe(box);

    // District labels sit above the outlines but below the markers, so they never hide a case.
    map.createPane('labels').style.zIndex = '450';
    const areaLayer = areasLayer(L, map, areas).addTo(map);
    const bounds = areaLayer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
    else map.setView([38.914, 121.6147], 12);
    casesLayer = clusterLayer(L, map, located).addTo(map);
    const hotLayer = hot ? hotspotLayer(L, areas, hot.areas).addTo(map) : null;
    const siteLayers = sitesByType(L, sites.features || []);

    const caseBounds = located.length ? L.latLngBounds(located.map((c) => [c.lat, c.long])) : null;
    controls.append(...[
      h('button', { type: 'button', class: 'small', onclick: () => (bounds.isValid() ? map.fitBounds(bounds, { padding: [8, 8] }) : null) }, '全市'),
      caseBounds ? h('button', { type: 'button', class: 'small', onclick: () => map.fitBounds(caseBounds, { padding: [30, 30], maxZoom: 16 }) }, '案件分布') : null,
      toggle('辖区边界', true, (on) => (on ? areaLayer.addTo(map) : areaLayer.remove())),
      toggle(`未结案件（${located.length} 件）`, true, (on) => (on ? casesLayer.addTo(map) : casesLayer.remove())),
      hotLayer ? toggle(`热点网格（近 ${HOT_DAYS} 天）`, true, (on) => (on ? hotLayer.addTo(map) : hotLayer.remove()))
        : h('p', { class: 'muted' }, '热点网格：您的角色不能查看统计'),
      siteLayers.length ? h('details', { class: 'site-types' },
        h('summary', {}, `点位（${siteLayers.length} 类）`),
        h('ul', { class: 'legend' }, siteLayers.map((s) => h('li', {},
          toggle([swatch(s.color), `${s.name}（${s.count}）`], false, (on) => (on ? s.layer.addTo(map) : s.layer.remove())))))) : null,
    ].filter(Boolean)); // Element.append would write a null as the text "null"
  } else {
    box.append(h('p', { class: 'error', role: 'alert' }, '地图组件未能加载，案件见右侧列表。'));
  }

  side.append(...caseTable(cases, located.length, (c) => {
    if (!map) return;
    if (!map.hasLayer(casesLayer)) {
      casesLayer.addTo(map);
      const cb = controls.querySelector('input[data-layer="cases"]');
      if (cb) cb.checked = true;
    }
    box.scrollIntoView({ block: 'nearest' });
    casesLayer.locate(c);
  }));
  if (hot && hot.areas.length) main.append(hotTable(hot.areas));
}

// Every open case within reach, newest first, a page of 500 at a time up to MAX_CASES.
async function openCases() {
  const list = [];
  let before = null;
  for (;;) {
    const qs = new URLSearchParams({ status: OPEN, limit: String(PAGE) });
    if (before) qs.set('before_id', String(before));
    const page = await api('GET', `/api/v1/cases?${qs}`);
    list.push(...page);
    if (page.length < PAGE || list.length >= MAX_CASES) return { list, more: page.length === PAGE };
    before = page[page.length - 1].id;
  }
}

// The hotspot grids of the last HOT_DAYS days, or null when the caller may not see figures.
async function hotspots() {
  const from = iso(new Date(Date.now() - (HOT_DAYS - 1) * DAY));
  const to = iso(new Date(Date.now() + DAY));
  try {
    return await api('GET', `/api/v1/stats/hotspots?from=${from}&to=${to}&limit=100`);
  } catch (err) {
    if (err.status === 403) return null;
    throw err;
  }
}

// A labelled checkbox that switches a layer.
function toggle(label, checked, onchange) {
  const input = h('input', { type: 'checkbox', checked, onchange: (ev) => onchange(ev.target.checked) });
  if (typeof label === 'string' && label.startsWith('未结案件')) input.dataset.layer = 'cases';
  return h('label', { class: 'check' }, input, ' ', label);
}

function swatch(color) {
  const s = h('span', { class: 'swatch', 'aria-hidden': 'true' });
  s.style.backgroundColor = color; /* CSSOM, allowed under the style-src policy */
  return s;
}

// The areas: districts with a label (while the district is large enough on screen to hold it),
// streets and grids thinner with their name on hover.
function areasLayer(L, map, fc) {
  const order = { district: 0, street: 1, grid: 2 };
  const features = (fc.features || []).filter((f) => f.geometry)
    .sort((a, b) => (order[a.properties.kind] ?? 3) - (order[b.properties.kind] ?? 3));
  const districts = [];
  const group = L.geoJSON({ type: 'FeatureCollection', features }, {
    style: (f) => AREA_STYLE[f.properties.kind] || AREA_STYLE.grid,
    onEachFeature: (f, layer) => {
      const p = f.properties;
      if (p.kind === 'district') {
        districts.push(layer);
        layer.bindTooltip(h('span', {}, p.name), { permanent: true, direction: 'center', className: 'wm-area-label', pane: 'labels' });
      } else {
        layer.bindTooltip(h('span', {}, `${p.name}（${KIND[p.kind] || p.kind}）`), { sticky: true });
      }
    },
  });
  const fit = () => {
    for (const layer of districts) {
      const b = layer.getBounds();
      const size = map.project(b.getSouthEast()).subtract(map.project(b.getNorthWest()));
      const room = size.x > 70 && size.y > 36;
      if (room && !layer.isTooltipOpen()) layer.openTooltip();
      else if (!room && layer.isTooltipOpen()) layer.closeTooltip();
    }
  };
  group.on('add', () => { map.whenReady(fit); map.on('zoomend', fit); });
  group.on('remove', () => map.off('zoomend', fit));
  return group;
}

// The cases as markers grouped on a CELL-pixel grid, drawn again at every zoom. A group shows
// its count; clicking it zooms in (or lists its cases at the last zoom). locate(c) shows one
// case's marker and opens its popup.
function clusterLayer(L, map, cases) {
  const group = L.layerGroup();
  const holder = new Map(); /* case code -> the marker showing it now */
  const draw = () => {
    group.clearLayers();
    holder.clear();
    const z = map.getZoom();
    const cells = new Map();
    for (const c of cases) {
      const p = map.project([c.lat, c.long], z);
      const key = `${Math.floor(p.x / CELL)}:${Math.floor(p.y / CELL)}`;
      if (!cells.has(key)) cells.set(key, []);
      cells.get(key).push(c);
    }
    for (const list of cells.values()) {
      const at = [list.reduce((s, c) => s + c.lat, 0) / list.length, list.reduce((s, c) => s + c.long, 0) / list.length];
      const m = list.length === 1 ? single(L, list[0], at) : cluster(L, map, list, at);
      for (const c of list) holder.set(c.code, m);
      group.addLayer(m);
    }
  };
  group.on('add', () => { draw(); map.on('zoomend', draw); });
  group.on('remove', () => map.off('zoomend', draw));
  group.locate = (c) => {
    map.setView([c.lat, c.long], Math.max(map.getZoom(), MAX_ZOOM - 2), { animate: false });
    draw();
    const m = holder.get(c.code);
    if (m) m.showList ? m.showList() : m.openPopup();
    // keyboard and screen reader users land on the popup's link
    map.getContainer().querySelector('.leaflet-popup-content a')?.focus({ preventScroll: true });
  };
  return group;
}

function single(L, c, at) {
  const m = L.marker(at, {
    icon: L.divIcon({ className: `wm-case alert${c.alert ?? 0}`, html: h('span', { 'aria-hidden': 'true' }, c.alert === 2 ? '!' : ''), iconSize: [24, 24] }),
    title: `案件 ${c.code}：${c.service_name}，${STATUS[c.status] || c.status}`,
    keyboard: true,
  });
  m.bindPopup(() => casePopup([c]), { maxWidth: 280 });
  return m;
}

function cluster(L, map, list, at) {
  const n = list.length;
  const size = n < 10 ? 32 : n < 100 ? 40 : 48;
  const m = L.marker(at, {
    icon: L.divIcon({ className: 'wm-cluster', html: h('span', {}, String(n)), iconSize: [size, size] }),
    title: `${n} 件案件，点击放大`,
    keyboard: true,
  });
  const b = L.latLngBounds(list.map((c) => [c.lat, c.long]));
  m.showList = () => L.popup({ maxWidth: 300, maxHeight: 260 }).setLatLng(at).setContent(casePopup(list)).openOn(map);
  const open = () => {
    const same = b.getNorthEast().equals(b.getSouthWest());
    if (same || map.getZoom() >= map.getMaxZoom()) m.showList();
    else map.fitBounds(b, { padding: [40, 40], maxZoom: MAX_ZOOM });
  };
  m.on('click', open);
  m.on('keypress', (ev) => { if (ev.originalEvent.key === 'Enter') open(); });
  return m;
}

// A popup's content: each case a link to its page, its category, stage and alert.
function casePopup(list) {
  return h('div', { class: 'wm-popup' }, list.length > 1 ? h('p', {}, h('strong', {}, `${list.length} 件案件`)) : null,
    h('ul', {}, list.slice(0, 30).map((c) => h('li', {},
      h('a', { href: `#/case/${encodeURIComponent(c.code)}` }, `案件 ${c.code}`), h('br'),
      `${c.service_name} · ${STATUS[c.status] || c.status} `, alertBadge(c.alert),
      list.length === 1 && (c.address || c.description) ? h('p', {}, c.address || c.description) : null))),
    list.length > 30 ? h('p', { class: 'muted' }, `另有 ${list.length - 30} 件，请放大地图`) : null);
}

// A grid's centre: the middle of its outline's bounding box.
function centre(geometry) {
  const pts = [];
  const walk = (a) => (typeof a[0] === 'number' ? pts.push(a) : a.forEach(walk));
  walk(geometry.coordinates);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  return [(Math.min(...ys) + Math.max(...ys)) / 2, (Math.min(...xs) + Math.max(...xs)) / 2];
}

// Hotspot grids: a circle at each grid's centre, its area growing with the count, the count
// written on it.
function hotspotLayer(L, fc, rows) {
  const byId = new Map((fc.features || []).map((f) => [f.id, f]));
  const group = L.layerGroup();
  for (const r of rows) {
    const f = byId.get(r.area_id);
    if (!f || !f.geometry || !r.cases) continue;
    L.circleMarker(centre(f.geometry), {
      radius: 10 + 6 * Math.sqrt(r.cases), color: '#a4161a', weight: 2, fillColor: '#e5383b', fillOpacity: 0.3, interactive: true,
    }).bindTooltip(h('span', {}, `${r.name}：${r.cases} 件（未结 ${r.open} 件）`), { direction: 'top' })
      .addTo(group);
    L.marker(centre(f.geometry), {
      icon: L.divIcon({ className: 'wm-hot-count', html: h('span', {}, String(r.cases)), iconSize: [28, 20] }),
      interactive: false, keyboard: false,
    }).addTo(group);
  }
  return group;
}

// One layer per site type (only the types with located sites), each in its colour.
function sitesByType(L, features) {
  const types = new Map();
  for (const f of features) {
    if (!f.geometry || f.geometry.type !== 'Point') continue;
    const p = f.properties;
    if (!types.has(p.type)) types.set(p.type, { name: p.type_name || p.type, list: [] });
    types.get(p.type).list.push(f);
  }
  return [...types.values()].map((t, i) => {
    const color = PALETTE[i % PALETTE.length];
    const layer = L.layerGroup(t.list.map((f) => {
      const p = f.properties;
      const [lng, lat] = f.geometry.coordinates;
      return L.circleMarker([lat, lng], { radius: 7, color: '#fff', weight: 2, fillColor: color, fillOpacity: 0.95 })
        .bindPopup(() => h('div', { class: 'wm-popup' }, h('p', {}, h('strong', {}, p.name), ` （${p.code}）`),
          h('p', {}, `类型：${p.type_name || p.type}${p.active === false ? '（已停用）' : ''}`),
          p.address ? h('p', {}, p.address) : null,
          h('p', {}, `所在区域：${p.area_name || '—'}`), h('p', {}, `包保单位：${p.unit_name || '—'}`)));
    }));
    return { name: t.name, count: t.list.length, color, layer };
  });
}

// The open cases as a table, each with a button that shows it on the map.
function caseTable(cases, nLocated, locate) {
  const n = cases.list.length;
  const note = `共 ${n} 件${cases.more ? `（仅显示最新的 ${n} 件）` : ''}${n > nLocated ? `，其中 ${n - nLocated} 件没有位置` : ''}`;
  return [
    h('h2', { id: 'map-cases' }, '未结案件'),
    h('p', { class: 'muted' }, note),
    h('div', { class: 'scroll map-list' }, h('table', { class: 'cases' },
      h('caption', {}, `未结案件（${n} 件）`),
      h('thead', {}, h('tr', {}, ['编号', '类别', '状态', '区域', '预警', '地图'].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, n ? cases.list.map((c) => h('tr', {},
        h('td', {}, h('a', { href: `#/case/${encodeURIComponent(c.code)}` }, c.code)),
        h('td', {}, c.service_name),
        h('td', {}, STATUS[c.status] || c.status),
        h('td', {}, c.area_name || '—'),
        h('td', {}, alertBadge(c.alert)),
        h('td', {}, c.lat !== null && c.lat !== undefined
          ? h('button', { type: 'button', class: 'small', 'aria-label': `定位 ${c.code}（在地图上查看）`, onclick: () => locate(c) }, '定位')
          : h('span', { class: 'muted' }, '无位置')))) : h('tr', {}, h('td', { colspan: 6 }, '没有未结案件'))))),
  ];
}

// The hotspot figures as a table too.
function hotTable(rows) {
  return h('section', { class: 'card' }, h('h2', {}, `热点网格（近 ${HOT_DAYS} 天上报）`),
    h('details', {}, h('summary', {}, '数据表'),
      h('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': '案件列表' }, h('table', {},
        h('caption', {}, '热点网格'),
        h('thead', {}, h('tr', {}, ['网格', '上报', '未结'].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, rows.map((r) => h('tr', {}, h('td', {}, r.name), h('td', {}, r.cases), h('td', {}, r.open))))))));
}

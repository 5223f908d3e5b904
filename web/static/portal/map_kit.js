// What the portal's two maps share (问题地图 and the place picker of 我要反映): Leaflet
// (window.L, loaded by a tag in the page) over the city's district and street outlines from
// /api/v1/public/areas, and over the city's own tiles when the server shows them to the
// public (`serve --tile-url … --tile-public`: the page then holds #wm-tiles) — no tiles from
// anyone else —, light on old phones (canvas outlines, no fades), Chinese control labels, and
// a link past the map for keyboard users.
export const CITY = [38.914, 121.6147];

const STYLE = {
  district: { color: '#8a0f19', weight: 2.5, fillColor: '#b3121f', fillOpacity: 0.03 },
  street: { color: '#5b6470', weight: 1, dashArray: '4 4', fill: false },
};

// A map in box (its aria-label says what it is and where its text alternative is).
export function newMap(L, box, label) {
  box.setAttribute('role', 'region');
  box.setAttribute('aria-label', label);
  const map = L.map(box, {
    zoomControl: false, attributionControl: false, preferCanvas: true, fadeAnimation: false,
    markerZoomAnimation: false, minZoom: 7, maxZoom: 18,
  });
  L.control.zoom({ zoomInTitle: '放大', zoomOutTitle: '缩小' }).addTo(map);
  const tiles = document.getElementById('wm-tiles');
  if (tiles?.dataset.url) {
    // Leaflet writes the credit line as markup: it goes in as text
    const credit = document.createElement('span');
    credit.textContent = tiles.dataset.attribution || '';
    L.control.attribution({ prefix: false }).addTo(map);
    L.tileLayer(tiles.dataset.url, { maxZoom: 18, attribution: credit.innerHTML }).addTo(map);
  }
  map.on('popupopen', (ev) => {
    const close = ev.popup.getElement()?.querySelector('.leaflet-popup-close-button');
    if (close) close.setAttribute('aria-label', '关闭');
  });
  return map;
}

// The districts (named) and streets; resolves the GeoJSON layer, or null when they could
// not be read (the map still works, on a blank ground).
export async function drawAreas(L, map, { labels = true } = {}) {
  let fc;
  try {
    const res = await fetch('/api/v1/public/areas');
    if (!res.ok) return null;
    fc = await res.json();
  } catch {
    return null;
  }
  // District names sit above the outlines but below the markers, so they never hide one.
  if (labels && !map.getPane('labels')) map.createPane('labels').style.zIndex = '450';
  const layer = L.geoJSON(fc, {
    interactive: false,
    style: (f) => STYLE[f.properties.kind] || STYLE.street,
    onEachFeature: (f, l) => {
      if (labels && f.properties.kind === 'district') {
        const name = document.createElement('span');
        name.textContent = f.properties.name;
        l.bindTooltip(name, { permanent: true, direction: 'center', className: 'map-label', pane: 'labels' });
      }
    },
  });
  return layer.addTo(map);
}

// The bounds of the area with this code in the areas layer, or null.
export function areaBounds(layer, code) {
  let found = null;
  layer?.eachLayer((l) => { if (l.feature?.properties.code === code) found = l.getBounds(); });
  return found;
}

// "跳过地图": a link to the element after the map, placed before it.
export function skipLink(target, text = '跳过地图') {
  const a = document.createElement('a');
  a.href = `#${target.id}`;
  a.className = 'skip-map';
  a.textContent = text;
  return a;
}

// An element with a class and text (never markup from data).
export function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

// 我要反映, when JavaScript is on: a box above the category list that narrows it to the
// categories whose name, group or keywords hold what is typed (井盖, 垃圾, 路灯…); with one
// left it is chosen. Under 问题地点 a small map (and 使用我的位置): a tap sets the point,
// sent as lat/long in hidden inputs made only then (after a mistake the server writes them
// back and the point is shown again). Without JavaScript the page is the same form, the
// list's own type-ahead works and the place is the text field. No markup is built from what
// is typed.
import { CITY, drawAreas, el, newMap, skipLink } from './map_kit.js';

const select = document.getElementById('service_code');
if (select) {
  const box = document.createElement('input');
  box.type = 'search';
  box.id = 'category-filter';
  box.placeholder = '输入关键词筛选，如：井盖、垃圾、路灯';
  box.setAttribute('aria-label', '筛选问题类别');
  box.setAttribute('aria-controls', 'service_code');
  const count = document.createElement('p');
  count.className = 'hint';
  count.setAttribute('role', 'status');
  select.before(box, count);
  const options = [...select.querySelectorAll('option')].filter((o) => o.value);
  box.addEventListener('input', () => {
    const q = box.value.trim().toLowerCase();
    let shown = 0;
    let last = null;
    for (const o of options) {
      const hay = `${o.textContent} ${o.parentElement.label || ''} ${o.dataset.keywords || ''}`.toLowerCase();
      o.hidden = q !== '' && !hay.includes(q);
      if (!o.hidden) { shown++; last = o; }
    }
    for (const g of select.querySelectorAll('optgroup')) g.hidden = ![...g.children].some((o) => !o.hidden);
    count.textContent = q ? `找到 ${shown} 个类别` : '';
    if (shown === 1) last.selected = true;
  });
}

const address = document.getElementById('address_string');
if (address && window.L) picker(address, window.L);

function picker(input, L) {
  const form = input.form;
  const wrap = el('div', 'field picker');
  const hint = el('p', 'hint', '也可以在地图上点一下问题所在的位置（可不选）。键盘：方向键移动地图，回车选择地图中心。');
  const box = el('div', 'picker-map');
  box.id = 'place-map';
  const locate = el('button', '', '使用我的位置');
  locate.type = 'button';
  const clear = el('button', '', '清除地图位置');
  clear.type = 'button';
  clear.hidden = true;
  const status = el('p', 'hint');
  status.setAttribute('role', 'status');
  const buttons = el('p', 'actions');
  buttons.append(locate, clear);
  const next = document.getElementById('media');
  wrap.append(hint, ...(next ? [skipLink(next)] : []), box, buttons, status);
  input.closest('.field').after(wrap);

  const map = newMap(L, box, '问题位置地图：点一下选择问题所在位置，可不选；也可以只填写上方的地点文字。');
  map.setView(CITY, 13);
  drawAreas(L, map);
  let marker = null;
  const hidden = (name) => form.querySelector(`input[type="hidden"][name="${name}"]`);
  const choose = (at, why) => {
    const lat = Number(at.lat.toFixed(6));
    const lng = Number(at.lng.toFixed(6));
    if (!marker) marker = L.marker([lat, lng], { icon: L.divIcon({ className: 'map-pin', iconSize: [22, 22] }), interactive: false, keyboard: false }).addTo(map);
    marker.setLatLng([lat, lng]);
    for (const [name, v] of [['lat', lat], ['long', lng]]) {
      let h = hidden(name);
      if (!h) {
        h = el('input');
        h.type = 'hidden';
        h.name = name;
        form.append(h);
      }
      h.value = String(v);
    }
    status.textContent = `${why}：纬度 ${lat}，经度 ${lng}。地点文字可不填。`;
    clear.hidden = false;
  };
  map.on('click', (ev) => choose(ev.latlng, '已在地图上选择位置'));
  box.addEventListener('keydown', (ev) => {
    if (ev.target === box && ev.key === 'Enter') {
      ev.preventDefault();
      choose(map.getCenter(), '已选择地图中心的位置');
    }
  });
  clear.addEventListener('click', () => {
    marker?.remove();
    marker = null;
    hidden('lat')?.remove();
    hidden('long')?.remove();
    clear.hidden = true;
    status.textContent = '已清除地图位置。';
  });
  if ('geolocation' in navigator) {
    locate.addEventListener('click', () => {
      status.textContent = '正在获取您的位置…';
      navigator.geolocation.getCurrentPosition((pos) => {
        const at = L.latLng(pos.coords.latitude, pos.coords.longitude);
        map.setView(at, 16);
        choose(at, '已使用您的位置');
      }, () => {
        status.textContent = '无法获取您的位置，请在地图上点选，或填写地点文字。';
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  } else {
    locate.hidden = true;
  }
  // kept by the server after a mistake
  const lat = Number(hidden('lat')?.value);
  const lng = Number(hidden('long')?.value);
  if (hidden('lat') && Number.isFinite(lat) && Number.isFinite(lng)) {
    map.setView([lat, lng], 16);
    choose(L.latLng(lat, lng), '已选择的位置');
  }
}

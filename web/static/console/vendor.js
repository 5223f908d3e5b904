// Vendor scripts (copied from npm by scripts/deps.sh into /static/vendor/), loaded on demand
// so pages that do not chart or map do not pay for them.
const loaded = new Map();

export function script(src) {
  if (!loaded.has(src))
    loaded.set(src, new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = src;
      s.onload = resolve;
      s.onerror = () => reject(new Error(`无法加载 ${src}`));
      document.head.append(s);
    }));
  return loaded.get(src);
}

export async function echarts() {
  await script('/static/vendor/echarts.common.min.js');
  return window.echarts;
}

// A stylesheet, once (resolves when it has loaded).
function stylesheet(href) {
  if (!loaded.has(href))
    loaded.set(href, new Promise((resolve, reject) => {
      const l = document.createElement('link');
      l.rel = 'stylesheet';
      l.href = href;
      l.onload = resolve;
      l.onerror = () => reject(new Error(`无法加载 ${href}`));
      document.head.append(l);
    }));
  return loaded.get(href);
}

// Leaflet (the map page): its stylesheet and script, then window.L.
export async function leaflet() {
  await Promise.all([stylesheet('/static/vendor/leaflet.css'), script('/static/vendor/leaflet.js')]);
  return window.L;
}

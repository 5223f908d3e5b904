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
  await script('/static/vendor/echarts.min.js');
  return window.echarts;
}

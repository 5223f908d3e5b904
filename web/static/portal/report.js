// 我要反映, when JavaScript is on: a box above the category list that narrows it to the
// categories whose name, group or keywords hold what is typed (井盖, 垃圾, 路灯…); with one
// left it is chosen. Without JavaScript the page is the same form, and the list's own
// type-ahead works. No markup is built from what is typed.
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

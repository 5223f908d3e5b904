// 数据看板: the workflow figures per district, the daily trend, 红黑榜, the simulated evaluation
// score across rounds and the action plan's progress. Every chart is also a table (screen
// readers, printing) with a CSV download.
import { api } from '../api.js';
import { h, pct, table } from '../dom.js';
import { echarts } from '../vendor.js';

const DAY = 86400 * 1000;
const iso = (d) => new Date(d.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10);

export async function render(main, r) {
  const to = r.query.get('to') || iso(new Date());
  const from = r.query.get('from') || iso(new Date(Date.now() - 29 * DAY));
  const period = `from=${from}&to=${to}`;
  main.append(h('h1', {}, '数据看板'),
    h('form', { class: 'toolbar', onsubmit: (ev) => {
      ev.preventDefault();
      const f = new FormData(ev.target);
      location.hash = `#/dashboard?from=${f.get('from')}&to=${f.get('to')}`;
    } },
    h('label', {}, '从 ', h('input', { type: 'date', name: 'from', value: from })),
    h('label', {}, '到 ', h('input', { type: 'date', name: 'to', value: to })),
    h('button', { type: 'submit' }, '查看')));

  const [byDistrict, trend, ranking, scores, plans] = await Promise.all([
    api('GET', `/api/v1/stats?group=district&${period}`),
    api('GET', `/api/v1/stats/trend?${period}`),
    api('GET', `/api/v1/stats/ranking?top=5&${period}`),
    api('GET', '/api/v1/scores/trend'),
    api('GET', '/api/v1/plans'),
  ]);
  const ec = await echarts().catch(() => null);

  const rows = byDistrict.rows.filter((x) => x.code);
  section(main, ec, '各区案件办理', `/api/v1/stats?group=district&${period}&format=csv`,
    {
      tooltip: {}, legend: {}, grid: { containLabel: true },
      xAxis: { type: 'category', data: rows.map((x) => x.label) }, yAxis: { type: 'value' },
      series: [
        { name: '上报', type: 'bar', data: rows.map((x) => x.reported) },
        { name: '结案', type: 'bar', data: rows.map((x) => x.place_closed) },
        { name: '当前超期', type: 'bar', data: rows.map((x) => x.overdue_now) },
      ],
    },
    table('各区案件办理', ['区域', '上报', '立案率', '按期处置率', '结案率', '当前超期', '综合得分'],
      rows.map((x) => [x.label, x.reported, pct(x.register_rate), pct(x.handle_ontime_rate), pct(x.close_rate), x.overdue_now, x.score ?? '—'])));

  section(main, ec, '每日趋势', `/api/v1/stats/trend?${period}&format=csv`,
    {
      tooltip: { trigger: 'axis' }, legend: {}, grid: { containLabel: true },
      xAxis: { type: 'category', data: trend.rows.map((x) => x.date) }, yAxis: { type: 'value' },
      series: [
        { name: '上报', type: 'line', data: trend.rows.map((x) => x.reported) },
        { name: '结案', type: 'line', data: trend.rows.map((x) => x.closed) },
        { name: '超期', type: 'line', data: trend.rows.map((x) => x.overdue) },
      ],
    },
    table('每日趋势', ['日期', '上报', '结案', '超期'], trend.rows.map((x) => [x.date, x.reported, x.closed, x.overdue])));

  main.append(h('section', { class: 'card' }, h('h2', {}, '红黑榜'),
    h('div', { class: 'two' },
      table('红榜（综合得分前五）', ['名次', '单位', '得分'], ranking.red.map((x, i) => [i + 1, x.label, x.score])),
      table('黑榜（综合得分后五）', ['名次', '单位', '得分'], ranking.black.map((x, i) => [i + 1, x.label, x.score])))));

  if (scores.length)
    section(main, ec, '模拟测评得分', null,
      {
        tooltip: { trigger: 'axis' }, grid: { containLabel: true },
        xAxis: { type: 'category', data: scores.map((x) => x.name) }, yAxis: { type: 'value', min: 0, max: 100 },
        series: [{ name: '得分', type: 'line', data: scores.map((x) => x.score) }],
      },
      table('模拟测评得分', ['轮次', '得分', '失分'], scores.map((x) => [x.name, x.score ?? '—', x.lost])));

  // 失分最多的测评项目 of the latest round with inspections: where the city loses points
  const rounds = (await api('GET', '/api/v1/rounds')).filter((x) => x.inspected > 0);
  if (rounds.length) {
    const items = await api('GET', `/api/v1/rounds/${rounds[0].id}/scores?group=item`);
    const weak = items.rows.filter((x) => x.lost > 0).slice(0, 10);
    main.append(h('section', { class: 'card' }, h('h2', {}, `失分最多的测评项目（${rounds[0].name}）`),
      weak.length
        ? table('失分最多的测评项目', ['测评项目', '失分', '不合格', '得分'],
          weak.map((x) => [`${x.key} ${x.label}`, x.lost, x.failed, x.score ?? '—']))
        : h('p', {}, '本轮没有失分项目。'),
      h('p', {}, h('a', { href: `/api/v1/rounds/${rounds[0].id}/scores?group=item&format=csv`, download: '' }, '下载 CSV'))));
  }

  // 各单位 figures (the units that case work was attributed to), best composite score first
  const byUnit = await api('GET', `/api/v1/stats?group=unit&${period}`);
  const units = byUnit.rows.filter((x) => x.code).sort((a, b) => (b.score ?? -1) - (a.score ?? -1));
  main.append(h('section', { class: 'card' }, h('h2', {}, '各单位办理情况'),
    h('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': '各单位办理情况' }, table('各单位办理情况', ['单位', '派遣', '按期处置率', '结案', '当前超期', '综合得分'],
      units.map((x) => [x.label, x.dispatched, pct(x.handle_ontime_rate), x.closed, x.overdue_now, x.score ?? '—']))),
    h('p', {}, h('a', { href: `/api/v1/stats?group=unit&${period}&format=csv`, download: '' }, '下载 CSV'))));

  if (plans.length) {
    const p = plans[0];
    const prog = await api('GET', `/api/v1/plans/${p.id}/progress?group=task`);
    section(main, ec, `行动方案推进：${p.title}`, `/api/v1/plans/${p.id}/progress?group=unit&format=csv`,
      {
        tooltip: {}, grid: { containLabel: true },
        xAxis: { type: 'value', max: 100 }, yAxis: { type: 'category', data: prog.rows.map((x) => x.label) },
        series: [{ name: '平均进度', type: 'bar', data: prog.rows.map((x) => x.progress) }],
      },
      table('重点任务推进', ['重点任务', '子任务', '已销号', '逾期', '平均进度'],
        prog.rows.map((x) => [x.label, x.tasks, x.done, x.overdue, x.progress ?? '—'])));
  }
}

// A chart (when ECharts loaded) above its table, with the CSV of the same figures.
function section(main, ec, title, csv, option, tbl) {
  const box = h('div', { class: 'chart', role: 'img', 'aria-label': `${title}图表，数据见下表` });
  main.append(h('section', { class: 'card' }, h('h2', {}, title), box,
    h('details', {}, h('summary', {}, '数据表'), tbl),
    csv ? h('p', {}, h('a', { href: csv, download: '' }, '下载 CSV')) : null));
  if (ec) {
    const chart = ec.init(box, null, { renderer: 'canvas' });
    chart.setOption({ animation: false, ...option });
    new ResizeObserver(() => chart.resize()).observe(box);
  }
}

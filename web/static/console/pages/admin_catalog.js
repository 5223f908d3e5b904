// 系统管理 tabs for what the office keeps as data: the category catalogue (事件/部件 小类, their
// stage limits, default unit, on or off) and the sites (点位) inspectors visit. Both edit through
// the API the CLI's imports also feed; every change is audited by the server.
import { api } from '../api.js';
import { h, clear, toast, field } from '../dom.js';
import { form, listBox, rowMove, grid, td, input, select, opt, unitOptions, areaOptions } from './admin_kit.js';

const KIND = { event: '事件', part: '部件' };

// Minutes as the office says them: 工作日 of 8 hours, hours, minutes.
function minutes(m) {
  if (m % 480 === 0) return `${m / 480} 个工作日`;
  if (m % 60 === 0) return `${m / 60} 小时`;
  return `${m} 分钟`;
}

// ---------------------------------------------------------------- categories

export async function categories(sec) {
  const unitList = await api('GET', '/api/v1/units');
  const box = listBox();
  const dialog = h('dialog', { class: 'edit', 'aria-labelledby': 'cat-edit-title' });
  const shownKind = select({ 'aria-label': '显示的类型' }, [opt('', '事件和部件'), opt('event', '事件'), opt('part', '部件')]);
  const shownWord = input({ type: 'search', 'aria-label': '按名称或代码筛选', placeholder: '名称或代码', maxlength: 50 });
  let list = [];

  const limits = (c = {}) => ({
    register_minutes: input({ type: 'number', min: 1, max: 120000, step: 1, required: true, value: c.register_minutes ?? 60 }),
    handle_minutes: input({ type: 'number', min: 1, max: 120000, step: 1, required: true, value: c.handle_minutes ?? 480 }),
    verify_minutes: input({ type: 'number', min: 1, max: 120000, step: 1, required: true, value: c.verify_minutes ?? 120 }),
  });
  const limitFields = (l) => [field('立案时限（工作分钟）', l.register_minutes), field('处置时限（工作分钟）', l.handle_minutes),
    field('核查时限（工作分钟）', l.verify_minutes)];
  const unitPicker = (selected) => select({}, [opt('0', '无（按派遣规则）'), unitOptions(unitList, { selected })]);

  const edit = (c) => {
    const name = input({ value: c.name, required: true, maxlength: 120 });
    const description = h('textarea', { required: true, maxlength: 1000, rows: 3 }, c.description);
    const keywords = input({ value: c.keywords, maxlength: 1000 });
    const unit = unitPicker(c.default_unit_id);
    const urgent = h('input', { type: 'checkbox', checked: c.urgent });
    const l = limits(c);
    const f = form(`修改类别：${c.service_code} ${c.name}`, [field('名称', name), field('说明', description),
      field('关键词（逗号分隔，群众上报时匹配）', keywords), field('默认责任单位', unit), ...limitFields(l),
      h('label', { class: 'choice' }, urgent, '急要件（按自然时间计时）')], '保存', async () => {
      const body = {
        name: name.value.trim(), description: description.value.trim(), keywords: keywords.value.trim(),
        default_unit_id: Number(unit.value), urgent: urgent.checked ? 'true' : 'false',
      };
      for (const [k, el] of Object.entries(l)) body[k] = Number(el.value);
      await api('PATCH', `/api/v1/categories/${encodeURIComponent(c.service_code)}`, body);
      dialog.close();
      toast(`已保存 ${c.service_code} ${body.name}`);
      await draw();
    });
    f.querySelector('h3').id = 'cat-edit-title';
    f.querySelector('.actions').append(' ', h('button', { type: 'button', onclick: () => dialog.close() }, '取消'));
    clear(dialog, f);
    dialog.showModal();
  };

  const redraw = () => {
    const word = shownWord.value.trim();
    const rows = list.filter((c) => (!shownKind.value || c.kind === shownKind.value) &&
      (!word || c.name.includes(word) || c.service_code.includes(word.toUpperCase()) || c.group_name.includes(word)));
    clear(box.body, grid(`类别（显示 ${rows.length} 个，共 ${list.length} 个）`,
      ['代码', '类型', '大类', '小类', '默认责任单位', '立案/处置/核查时限', '急要件', '状态', '操作'],
      rows.map((c) => h('tr', {},
        td(c.service_code), td(KIND[c.kind] || c.kind), td(c.group_name), td(c.name), td(c.default_unit_name || '—'),
        td(`${minutes(c.register_minutes)} / ${minutes(c.handle_minutes)} / ${minutes(c.verify_minutes)}`),
        td(c.urgent ? '是' : '否'),
        td(c.active ? h('span', { class: 'badge alert0' }, '启用') : h('span', { class: 'badge alert2' }, '已停用')),
        td(h('div', { class: 'row-actions' },
          h('button', { type: 'button', 'aria-label': `修改类别 ${c.service_code}`, onclick: () => edit(c) }, '修改'),
          h('button', { type: 'button', 'aria-label': `${c.active ? '停用' : '启用'}类别 ${c.service_code}`, onclick: () => rowMove(box, async () => {
            if (c.active && !confirm(`停用类别 ${c.service_code} ${c.name}？停用后群众和工作人员不能再按此类别上报，已有案件照常办理。`)) return;
            await api('PATCH', `/api/v1/categories/${encodeURIComponent(c.service_code)}`, { active: c.active ? 'false' : 'true' });
            toast(`已${c.active ? '停用' : '启用'} ${c.service_code}`);
            await draw();
          }) }, c.active ? '停用' : '启用')))))));
  };
  const draw = async () => {
    list = await api('GET', '/api/v1/categories');
    redraw();
  };
  shownKind.addEventListener('change', redraw);
  shownWord.addEventListener('input', redraw);

  const kind = select({ required: true }, Object.entries(KIND).map(([k, v]) => opt(k, v)));
  const code = input({ required: true, pattern: '[0-9]{4}', maxlength: 4, inputmode: 'numeric', placeholder: '如 0199' });
  const groupName = input({ maxlength: 60, placeholder: '新大类时必填' });
  const name = input({ required: true, maxlength: 120 });
  const description = h('textarea', { required: true, maxlength: 1000, rows: 3 });
  const keywords = input({ maxlength: 1000 });
  const unit = unitPicker(null);
  const urgent = h('input', { type: 'checkbox' });
  const l = limits();
  const add = form('新增类别', [field('类型', kind), field('代码（大类 2 位 + 小类 2 位）', code), field('大类名称', groupName),
    field('小类名称', name), field('说明', description), field('关键词（逗号分隔）', keywords), field('默认责任单位', unit),
    ...limitFields(l), h('label', { class: 'choice' }, urgent, '急要件（按自然时间计时）')], '新增类别', async (f) => {
    const body = {
      kind: kind.value, code: code.value.trim(), name: name.value.trim(), description: description.value.trim(),
      keywords: keywords.value.trim(), default_unit_id: Number(unit.value), urgent: urgent.checked ? 'true' : 'false',
    };
    if (groupName.value.trim()) body.group_name = groupName.value.trim();
    for (const [k, el] of Object.entries(l)) body[k] = Number(el.value);
    const c = await api('POST', '/api/v1/categories', body);
    f.reset();
    toast(`已新增 ${c.service_code} ${c.name}`);
    await draw();
  });
  sec.append(h('p', { class: 'muted' }, '时限按工作时间计（每个工作日 8 小时，480 分钟），急要件按自然时间计。修改时限只影响之后开始的办理环节。'),
    h('div', { class: 'filters' }, shownKind, shownWord), box.el, add, dialog);
  await draw();
}

// ---------------------------------------------------------------- sites

const PAGE = 50;

// A site as POST /api/v1/sites takes it (a save replaces the whole site), with changes.
function siteBody(s, change) {
  const body = { code: s.code, name: s.name, type: s.type, address: s.address || '', active: s.active ? 'true' : 'false' };
  if (s.unit_id) body.unit_id = s.unit_id;
  if (s.area_id) body.area_id = s.area_id;
  if (s.lat !== null && s.lat !== undefined && s.long !== null && s.long !== undefined) {
    body.lat = s.lat;
    body.long = s.long;
  }
  return { ...body, ...change };
}

export async function sites(sec) {
  const [unitList, areas, types] = await Promise.all([
    api('GET', '/api/v1/units'), api('GET', '/api/v1/areas'), api('GET', '/api/v1/site-types'),
  ]);
  const typeName = new Map(types.map((t) => [t.code, t.name]));
  const box = listBox();
  const dialog = h('dialog', { class: 'edit', 'aria-labelledby': 'site-edit-title' });
  const filterType = select({ 'aria-label': '点位类型' }, [opt('', '全部类型'), types.map((t) => opt(t.code, t.name))]);
  const filterWord = input({ type: 'search', 'aria-label': '按名称、代码或地址查找', placeholder: '名称、代码或地址', maxlength: 100 });
  const pager = h('div', { class: 'pager' });
  let offset = 0;

  // The fields of one site, filled from s (a new site when s is empty).
  const siteForm = (s, title, submitLabel, done) => {
    const code = input({ required: true, maxlength: 64, value: s.code ?? '', readonly: !!s.code });
    const name = input({ required: true, maxlength: 600, value: s.name ?? '' });
    const type = select({ required: true }, types.map((t) => opt(t.code, t.name, t.code === s.type)));
    const unit = select({}, [opt('', '无'), unitOptions(unitList, { selected: s.unit_id ?? null })]);
    const area = select({}, [opt('', '按坐标自动确定'), areaOptions(areas)]);
    if (s.area_id) area.value = String(s.area_id);
    const lat = input({ type: 'number', step: 'any', min: -90, max: 90, value: s.lat ?? '' });
    const long = input({ type: 'number', step: 'any', min: -180, max: 180, value: s.long ?? '' });
    const address = input({ maxlength: 1500, value: s.address ?? '' });
    const here = h('button', { type: 'button', onclick: () => navigator.geolocation?.getCurrentPosition(
      (p) => { lat.value = p.coords.latitude.toFixed(6); long.value = p.coords.longitude.toFixed(6); },
      () => toast('无法获取当前位置')) }, '使用当前位置');
    return form(title, [field('点位代码', code), field('名称', name), field('类型', type), field('包保单位（检查发现的问题派给它）', unit),
      field('所在区域', area), field('纬度', lat), field('经度', long), h('div', { class: 'actions' }, here), field('地址', address)],
    submitLabel, async (f) => {
      // A save replaces the whole site: every field is sent, its state too.
      const body = {
        code: code.value.trim(), name: name.value.trim(), type: type.value, address: address.value.trim(),
        active: s.active === false ? 'false' : 'true',
      };
      if (unit.value) body.unit_id = Number(unit.value);
      if (area.value) body.area_id = Number(area.value);
      if (lat.value !== '' || long.value !== '') {
        if (lat.value === '' || long.value === '') throw new Error('纬度和经度需同时填写');
        body.lat = Number(lat.value);
        body.long = Number(long.value);
      }
      const saved = await api('POST', '/api/v1/sites', body);
      await done(saved, f);
    });
  };

  const edit = (s) => {
    const f = siteForm(s, `修改点位：${s.code} ${s.name}`, '保存', async (saved) => {
      dialog.close();
      toast(`已保存 ${saved.code} ${saved.name}`);
      await draw();
    });
    f.querySelector('h3').id = 'site-edit-title';
    f.querySelector('.actions:last-of-type').append(' ', h('button', { type: 'button', onclick: () => dialog.close() }, '取消'));
    clear(dialog, f);
    dialog.showModal();
  };

  const draw = async () => {
    const qs = new URLSearchParams({ limit: String(PAGE + 1), offset: String(offset) });
    if (filterType.value) qs.set('type', filterType.value);
    if (filterWord.value.trim()) qs.set('q', filterWord.value.trim());
    const got = await api('GET', `/api/v1/sites?${qs}`);
    const list = got.slice(0, PAGE);
    clear(box.body, grid(`点位（第 ${offset + 1}–${offset + list.length} 个）`, ['代码', '名称', '类型', '所在区域', '包保单位', '地址', '状态', '操作'],
      list.map((s) => h('tr', {},
        td(s.code), td(s.name), td(s.type_name || typeName.get(s.type) || s.type), td(s.area_name || '—'), td(s.unit_name || '—'),
        h('td', { class: 'desc' }, s.address || '—'),
        td(s.active ? '启用' : h('span', { class: 'badge alert2' }, '已停用')),
        td(h('div', { class: 'row-actions' },
          h('button', { type: 'button', 'aria-label': `修改点位 ${s.code}`, onclick: () => edit(s) }, '修改'),
          h('button', { type: 'button', 'aria-label': `${s.active ? '停用' : '启用'}点位 ${s.code}`, onclick: () => rowMove(box, async () => {
            if (s.active && !confirm(`停用点位 ${s.code} ${s.name}？新的检查轮次将不再抽取它。`)) return;
            await api('POST', '/api/v1/sites', siteBody(s, { active: s.active ? 'false' : 'true' }));
            toast(`已${s.active ? '停用' : '启用'} ${s.code}`);
            await draw();
          }) }, s.active ? '停用' : '启用'))))), '没有符合条件的点位'));
    clear(pager,
      h('button', { type: 'button', disabled: offset === 0, onclick: () => rowMove(box, async () => { offset = Math.max(0, offset - PAGE); await draw(); }) }, '上一页'),
      ' ',
      h('button', { type: 'button', disabled: got.length <= PAGE, onclick: () => rowMove(box, async () => { offset += PAGE; await draw(); }) }, '下一页'));
  };
  const refilter = () => rowMove(box, async () => { offset = 0; await draw(); });
  filterType.addEventListener('change', refilter);
  filterWord.addEventListener('change', refilter);

  const add = siteForm({}, '新增点位', '新增点位', async (saved, f) => {
    f.reset();
    toast(`已新增 ${saved.code} ${saved.name}`);
    await draw();
  });
  sec.append(h('p', { class: 'muted' }, '点位也可用命令行批量导入和导出（wenming import sites / export sites）。停用的点位保留历史检查记录。'),
    h('div', { class: 'filters' }, filterType, filterWord), box.el, pager, add, dialog);
  await draw();
}

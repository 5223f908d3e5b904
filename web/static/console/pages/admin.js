// 系统管理 for admins and the office: users, units, categories, routing rules, sites, standard
// versions, inspection rounds, api keys and the audit trail, one tab each (#/admin?tab=…). Users, api keys and the
// audit trail are the admins' (the server refuses anyone else); the office has the rest. Every
// form shows the API's error beside it; a new password or key is shown once, never again.
import { api, has } from '../api.js';
import { h, clear, time, day, ROLE, toast, field } from '../dom.js';
import {
  form, listBox, rowMove, grid, td, input, select, opt, unitOptions, unitTree, areaOptions,
} from './admin_kit.js';
import { categories, sites } from './admin_catalog.js';

const TABS = [
  ['users', '用户', ['admin'], users],
  ['units', '单位', ['admin', 'office'], units],
  ['categories', '问题类别', ['admin', 'office'], categories],
  ['routing', '派遣规则', ['admin', 'office'], routing],
  ['sites', '点位', ['admin', 'office'], sites],
  ['standards', '测评体系', ['admin', 'office'], standards],
  ['rounds', '检查轮次', ['admin', 'office'], rounds],
  ['keys', '接口密钥', ['admin'], keys],
  ['audit', '审计日志', ['admin'], audit],
];
const UNIT_KIND = {
  committee: '文明委', office: '办公室', department: '部门', district: '区', county: '县', county_city: '县级市',
  zone: '功能区', street: '街道', town: '乡镇', community: '社区', village: '村', enterprise: '企业', school: '学校',
  utility: '公共服务单位',
};
const ROUND_KIND = { supervision: '督查', simulation: '模拟测评' };
const SAMPLE = { all: '全部点位', per_stratum: '每类每区抽取若干', share: '每类每区按比例抽取' };

export async function render(main, r) {
  if (!has('admin', 'office')) throw new Error('系统管理仅限系统管理员和文明办使用，您的账号没有权限。');
  const mine = TABS.filter(([, , roles]) => has(...roles));
  const tab = r.query.get('tab') || mine[0][0];
  const current = mine.find(([t]) => t === tab);
  if (!current) {
    const known = TABS.find(([t]) => t === tab);
    throw new Error(known ? `“${known[1]}”仅限系统管理员使用。` : '没有这个管理功能。');
  }
  main.append(h('h1', {}, '系统管理'),
    h('nav', { class: 'tabs', 'aria-label': '管理功能' }, h('ul', {}, mine.map(([t, label]) =>
      h('li', {}, h('a', { href: `#/admin?tab=${t}`, 'aria-current': t === tab ? 'page' : false }, label))))));
  const sec = h('section', { 'aria-labelledby': 'admin-title' }, h('h2', { id: 'admin-title' }, current[1]));
  main.append(sec);
  await current[3](sec);
}

// A random password of 16 characters from an alphabet without look-alikes.
function newPassword() {
  const abc = 'ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => abc[b % abc.length]).join('');
}

// A secret shown this once, with a button to copy it.
function once(box, text, secret) {
  const code = h('code', {}, secret);
  clear(box, h('div', { class: 'once' },
    h('p', {}, text, '（只显示这一次，离开本页后无法再查看）'),
    h('p', {}, code, ' ',
      h('button', { type: 'button', onclick: async () => {
        try { await navigator.clipboard.writeText(secret); toast('已复制'); } catch { toast('无法复制，请手动选择复制'); }
      } }, '复制'))));
}

// ---------------------------------------------------------------- users

async function users(sec) {
  const unitList = await api('GET', '/api/v1/units');
  const shown = h('div', { role: 'status' });
  const box = listBox();
  const draw = async () => {
    const list = await api('GET', '/api/v1/users');
    clear(box.body, grid(`用户账号（${list.length} 个）`, ['登录名', '姓名', '所属单位', '角色', '状态', '双因素', '操作'],
      list.map((u) => h('tr', {},
        td(u.login), td(u.name), td(u.unit_name || unitList.find((x) => x.id === u.unit_id)?.name || '—'),
        td(u.roles.map((x) => ROLE[x] || x).join('、')),
        td(!u.active ? h('span', { class: 'badge alert2' }, '已停用')
          : u.locked_until * 1000 > Date.now() ? h('span', { class: 'badge alert1' }, `锁定至 ${time(u.locked_until)}`)
            : h('span', { class: 'badge alert0' }, '启用')),
        td(u.totp ? '已启用' : '未启用'),
        td(h('div', { class: 'row-actions' },
          h('button', { type: 'button', 'aria-label': `${u.active ? '停用' : '启用'} ${u.login}`, onclick: () => rowMove(box, async () => {
            if (u.active && !confirm(`停用账号 ${u.login}？停用后无法登录。`)) return;
            await api('PATCH', `/api/v1/users/${u.id}`, { active: !u.active });
            toast(`已${u.active ? '停用' : '启用'} ${u.login}`);
            await draw();
          }) }, u.active ? '停用' : '启用'),
          h('button', { type: 'button', 'aria-label': `重置密码：${u.login}`, onclick: () => rowMove(box, async () => {
            if (!confirm(`为 ${u.login} 重置密码？其所有登录会话将被结束。`)) return;
            const pw = newPassword();
            await api('POST', `/api/v1/users/${u.id}/password`, { password: pw });
            once(shown, `已为 ${u.login} 设置新密码：`, pw);
          }) }, '重置密码')))))));
  };

  const login = input({ name: 'login', required: true, maxlength: 64, autocomplete: 'off' });
  const name = input({ name: 'name', required: true, maxlength: 128, autocomplete: 'off' });
  const unit = select({ name: 'unit_id', required: true }, [opt('', '请选择'), unitOptions(unitList)]);
  const roles = h('fieldset', {}, h('legend', {}, '角色（至少一个）'),
    Object.entries(ROLE).map(([k, v]) => h('label', { class: 'check' }, input({ type: 'checkbox', name: 'roles', value: k }), ` ${v}`)));
  const password = input({ name: 'password', type: 'text', minlength: 10, maxlength: 256, autocomplete: 'new-password' });
  const add = form('新增用户', [field('登录名', login), field('姓名', name), field('所属单位', unit), roles,
    field('初始密码（留空则自动生成）', password)], '新增用户', async (f) => {
    const picked = [...f.querySelectorAll('input[name="roles"]:checked')].map((x) => x.value);
    if (!picked.length) throw new Error('请至少选择一个角色');
    const pw = password.value || newPassword();
    const u = await api('POST', '/api/v1/users', {
      login: login.value.trim(), name: name.value.trim(), unit_id: Number(unit.value), roles: picked, password: pw,
    });
    f.reset();
    once(shown, `已新增用户 ${u.login}，初始密码：`, pw);
    await draw();
  });
  sec.append(shown, box.el, add);
  await draw();
}

// ---------------------------------------------------------------- units

async function units(sec) {
  const box = listBox();
  let list = [];
  const dialog = h('dialog', { class: 'edit', 'aria-labelledby': 'unit-edit-title' });
  const edit = (u) => {
    const fields = {
      contact: input({ value: u.contact, maxlength: 128 }), phone: input({ value: u.phone, maxlength: 64, type: 'tel' }),
      email: input({ value: u.email, maxlength: 254, type: 'email' }), address: input({ value: u.address, maxlength: 500 }),
    };
    const f = form(`修改联系方式：${u.name}`, [field('联系人', fields.contact), field('电话', fields.phone),
      field('电子邮箱', fields.email), field('地址', fields.address)], '保存', async () => {
      const body = Object.fromEntries(Object.entries(fields).map(([k, el]) => [k, el.value.trim()]));
      await api('PATCH', `/api/v1/units/${u.id}`, body);
      dialog.close();
      toast(`已保存 ${u.name}`);
      await draw();
    });
    f.querySelector('h3').id = 'unit-edit-title';
    f.querySelector('.actions').append(' ', h('button', { type: 'button', onclick: () => dialog.close() }, '取消'));
    clear(dialog, f);
    dialog.showModal();
  };
  const draw = async () => {
    list = await api('GET', '/api/v1/units');
    clear(box.body, grid(`单位（${list.length} 个，按上下级缩进）`, ['代码', '名称', '类型', '联系人', '电话', '状态', '操作'],
      unitTree(list).map(([u, d]) => h('tr', {},
        td(u.code),
        h('td', { class: d ? `indent${Math.min(d, 6)}` : false }, d ? h('span', { 'aria-hidden': 'true' }, '└ ') : null, u.name,
          d ? h('span', { class: 'muted' }, `（第 ${d + 1} 级）`) : null),
        td(UNIT_KIND[u.kind] || u.kind), td(u.contact || '—'), td(u.phone || '—'),
        td(u.active ? '启用' : '已撤销'),
        td(h('button', { type: 'button', 'aria-label': `修改联系方式：${u.name}`, onclick: () => edit(u) }, '修改联系方式'))))));
    clear(parent, opt('', '请选择'), unitOptions(list));
  };
  const code = input({ required: true, maxlength: 32 });
  const name = input({ required: true, maxlength: 200 });
  const kind = select({ required: true }, Object.entries(UNIT_KIND).map(([k, v]) => opt(k, v)));
  const parent = select({ required: true });
  const contact = input({ maxlength: 128 });
  const phone = input({ maxlength: 64, type: 'tel' });
  const add = form('新增单位', [field('单位代码', code), field('名称', name), field('类型', kind), field('上级单位', parent),
    field('联系人', contact), field('电话', phone)], '新增单位', async (f) => {
    const u = await api('POST', '/api/v1/units', {
      code: code.value.trim(), name: name.value.trim(), kind: kind.value, parent_id: Number(parent.value),
      contact: contact.value.trim(), phone: phone.value.trim(),
    });
    f.reset();
    toast(`已新增 ${u.name}`);
    await draw();
  });
  sec.append(box.el, add, upload('导入单位（CSV）', '/api/v1/units/import', '.csv,text/csv', draw),
    upload('导入区域（GeoJSON）', '/api/v1/areas/import', '.geojson,.json,application/geo+json,application/json', draw),
    dialog);
  await draw();
}

// A file imported whole by the server (as `wenming import units|areas`): 先检查 checks only;
// every error of the file is shown as FILE:LINE next to the form.
function upload(title, path, accept, after) {
  const file = input({ type: 'file', accept, required: true });
  const dry = h('input', { type: 'checkbox', checked: true });
  return form(title, [field('文件', file), h('label', { class: 'choice' }, dry, '只检查，不导入')], '上传', async () => {
    const fd = new FormData();
    fd.set('file', file.files[0]);
    if (dry.checked) fd.set('dry_run', 'true');
    const res = await api('POST', path, fd);
    toast(res.dry_run ? `检查通过：${res.rows} 行，可以导入` : `已导入：新增 ${res.inserted}，更新 ${res.updated}`);
    if (!res.dry_run) await after();
  });
}

// ---------------------------------------------------------------- routing rules

async function routing(sec) {
  const [unitList, areas] = await Promise.all([api('GET', '/api/v1/units'), api('GET', '/api/v1/areas')]);
  const areaName = new Map(areas.features.map((f) => [f.id, f.properties.name]));
  const box = listBox();
  const draw = async () => {
    const list = await api('GET', '/api/v1/routing-rules');
    clear(box.body, grid(`派遣规则（${list.length} 条，启用的在前）`, ['编号', '类别', '区域', '责任单位', '优先级', '状态', '备注', '操作'],
      list.map((x) => h('tr', {},
        td(x.id), td(x.category === '*' ? '任意类别' : x.category),
        td(x.area_id ? `${areaName.get(x.area_id) || ''}（${x.area_code}）` : '任意区域'),
        td(x.unit_name), td(x.priority), td(x.active ? '启用' : '已停用'), h('td', { class: 'desc' }, x.note || '—'),
        td(x.active ? h('button', { type: 'button', 'aria-label': `停用规则 ${x.id}`, onclick: () => rowMove(box, async () => {
          if (!confirm(`停用规则 ${x.id}？`)) return;
          await api('DELETE', `/api/v1/routing-rules/${x.id}`);
          toast(`已停用规则 ${x.id}`);
          await draw();
        }) }, '停用') : '—')))));
  };
  const category = input({ maxlength: 15, autocomplete: 'off' });
  const area = select({}, [opt('0', '任意区域'), areaOptions(areas)]);
  const unit = select({ required: true }, [opt('', '请选择'), unitOptions(unitList)]);
  const priority = input({ type: 'number', value: '0', min: -1000000, max: 1000000, step: 1 });
  const note = input({ maxlength: 1500 });
  const add = form('新增派遣规则', [field('类别（小类如 E0102，大类如 E01，留空为任意）', category), field('区域', area),
    field('责任单位', unit), field('优先级（同等具体时高者优先）', priority), field('备注', note)], '新增规则', async (f) => {
    const body = { unit_id: Number(unit.value), area_id: Number(area.value), priority: Number(priority.value || 0) };
    if (category.value.trim()) body.category = category.value.trim();
    if (note.value.trim()) body.note = note.value.trim();
    const x = await api('POST', '/api/v1/routing-rules', body);
    f.reset();
    toast(`已新增规则 ${x.id}`);
    await draw();
  });
  sec.append(box.el, add);
  await draw();
}

// ---------------------------------------------------------------- standards

async function standards(sec) {
  const box = listBox();
  const draw = (list) => clear(box.body, grid('测评体系版本（新版本在前）', ['版本', '名称', '导入时间', '项目/内容/标准', '分值', '状态', '操作'],
    list.map((v) => h('tr', {},
      td(v.code), td(v.name), td(time(v.imported_at)), td(`${v.projects} / ${v.contents} / ${v.items}`), td(v.points),
      td(v.active ? h('span', { class: 'badge alert0' }, '当前启用') : '未启用'),
      td(v.active ? '—' : h('button', { type: 'button', 'aria-label': `启用版本 ${v.code}`, onclick: () => rowMove(box, async () => {
        if (!confirm(`启用测评体系 ${v.code}？新建的检查轮次将使用该版本。`)) return;
        draw(await api('POST', `/api/v1/standards/${encodeURIComponent(v.code)}/activate`));
        toast(`已启用 ${v.code}`);
      }) }, '启用'))))));
  sec.append(h('p', { class: 'muted' }, '新版本用命令行导入（wenming standards import）；此处选择新建检查轮次使用的版本，已有轮次不受影响。'), box.el);
  draw(await api('GET', '/api/v1/standards'));
}

// ---------------------------------------------------------------- rounds

async function rounds(sec) {
  const [areas, types, inspectorList] = await Promise.all([
    api('GET', '/api/v1/areas'), api('GET', '/api/v1/site-types'), api('GET', '/api/v1/inspectors'),
  ]);
  const box = listBox();
  const draw = async () => {
    const list = await api('GET', '/api/v1/rounds');
    clear(box.body, grid(`检查轮次（${list.length} 轮，新的在前）`, ['名称', '类型', '体系版本', '起止日期', '点位（已检查/抽取）', '状态', '操作'],
      list.map((x) => h('tr', {},
        td(x.name), td(ROUND_KIND[x.kind] || x.kind), td(x.version), td(`${day(x.starts_at)} 至 ${day(x.ends_at)}`),
        td(`${x.inspected} / ${x.sites}`), td(x.status === 'open' ? '进行中' : '已结束'),
        td(x.status === 'open' ? h('button', { type: 'button', 'aria-label': `结束轮次 ${x.name}`, onclick: () => rowMove(box, async () => {
          if (!confirm(`结束轮次“${x.name}”？结束后不能再提交检查和问卷。`)) return;
          await api('POST', `/api/v1/rounds/${x.id}/close`);
          toast(`已结束 ${x.name}`);
          await draw();
        }) }, '结束') : '—'))), '还没有检查轮次'));
  };
  const name = input({ required: true, maxlength: 200 });
  const kind = select({}, Object.entries(ROUND_KIND).map(([k, v]) => opt(k, v)));
  const from = input({ type: 'date', required: true });
  const to = input({ type: 'date', required: true });
  const scope = select({ multiple: true, size: 6 }, areaOptions(areas, { codes: true }));
  const siteTypes = select({ multiple: true, size: 6 }, types.map((t) => opt(t.code, t.name)));
  const sample = select({}, Object.entries(SAMPLE).map(([k, v]) => opt(k, v)));
  const n = input({ type: 'number', min: 1, max: 10000, step: 1, value: '2' });
  const share = input({ type: 'number', min: 0.001, max: 1, step: 0.001, value: '0.2' });
  const seed = input({ type: 'number', min: 0, step: 1 });
  const inspectors = h('fieldset', {}, h('legend', {}, '检查人员'), inspectorList.length
    ? inspectorList.map((u) => h('label', { class: 'check' }, input({ type: 'checkbox', name: 'inspectors', value: u.id }),
      ` ${u.name}（${u.login}，${u.unit_name}）`))
    : h('p', { class: 'muted' }, '还没有启用的监督员账号'));
  const nField = field('每类每区抽取数量', n);
  const shareField = field('抽取比例（0.001–1）', share);
  const sync = () => { nField.hidden = sample.value !== 'per_stratum'; shareField.hidden = sample.value !== 'share'; };
  sample.addEventListener('change', sync);
  sync();
  const add = form('新建检查轮次', [field('名称', name), field('类型', kind), field('开始日期', from), field('结束日期（含当天）', to),
    field('范围（可多选，不选为全市）', scope), field('点位类型（可多选，不选为全部）', siteTypes),
    field('抽样方式', sample), nField, shareField, field('随机种子（可留空，相同种子抽到相同点位）', seed), inspectors], '新建并抽取点位', async (f) => {
    if (to.value < from.value) throw new Error('结束日期不能早于开始日期');
    const picked = (sel) => [...sel.selectedOptions].map((o) => o.value);
    const body = {
      name: name.value.trim(), kind: kind.value, starts_at: from.value, ends_at: `${to.value}T23:59:59+08:00`,
      sample: sample.value,
    };
    if (picked(scope).length) body.areas = picked(scope);
    if (picked(siteTypes).length) body.site_types = picked(siteTypes);
    if (sample.value === 'per_stratum') body.sample_n = Number(n.value);
    if (sample.value === 'share') body.sample_share = Number(share.value);
    if (seed.value !== '') body.seed = Number(seed.value);
    const ids = [...f.querySelectorAll('input[name="inspectors"]:checked')].map((x) => x.value);
    if (ids.length) body.inspectors = ids;
    const x = await api('POST', '/api/v1/rounds', body);
    f.reset();
    sync();
    toast(`已新建“${x.name}”，抽取 ${x.sites?.length ?? 0} 个点位`);
    await draw();
  });
  sec.append(box.el, add);
  await draw();
}

// ---------------------------------------------------------------- api keys

async function keys(sec) {
  const shown = h('div', { role: 'status' });
  const box = listBox();
  const draw = async () => {
    const list = await api('GET', '/api/v1/apikeys');
    clear(box.body, grid(`Open311 接口密钥（${list.length} 个，不显示密钥本身）`, ['编号', '名称', '服务范围', '创建时间', '状态', '操作'],
      list.map((k) => h('tr', {},
        td(k.id), td(k.name), td(k.services === '*' ? '全部' : k.services), td(time(k.created_at)),
        td(k.revoked_at ? h('span', { class: 'badge alert2' }, `已吊销（${time(k.revoked_at)}）`) : h('span', { class: 'badge alert0' }, '有效')),
        td(k.revoked_at ? '—' : h('button', { type: 'button', 'aria-label': `吊销密钥 ${k.name}（${k.id}）`, onclick: () => rowMove(box, async () => {
          if (!confirm(`吊销密钥“${k.name}”？使用它的系统将无法再上报。`)) return;
          await api('DELETE', `/api/v1/apikeys/${k.id}`);
          toast(`已吊销 ${k.name}`);
          await draw();
        }) }, '吊销'))))));
  };
  const name = input({ required: true, maxlength: 100, autocomplete: 'off' });
  const services = input({ maxlength: 3000, autocomplete: 'off' });
  const add = form('新建接口密钥', [field('名称（给谁用）', name), field('服务范围（类别代码，逗号分隔，留空为全部）', services)], '新建密钥', async (f) => {
    const body = { name: name.value.trim() };
    const list = services.value.split(/[,，\s]+/).filter(Boolean);
    if (list.length) body.services = list;
    const k = await api('POST', '/api/v1/apikeys', body);
    f.reset();
    once(shown, `已新建密钥“${k.name}”：`, k.api_key);
    await draw();
  });
  sec.append(shown, box.el, add);
  await draw();
}

// ---------------------------------------------------------------- audit

async function audit(sec) {
  const people = await api('GET', '/api/v1/users').catch(() => []);
  const logins = new Map(people.map((u) => [`user:${u.id}`, u.login]));
  const result = h('p', { role: 'status' });
  const verify = h('button', { type: 'button', onclick: async () => {
    verify.disabled = true;
    clear(result, '正在校验…');
    try {
      const v = await api('GET', '/api/v1/audit/verify');
      clear(result, v.intact
        ? h('span', { class: 'result-ok' }, `✓ 哈希链完整：已校验 ${v.records} 条记录，未发现篡改。`)
        : h('span', { class: 'result-bad' }, `✗ 哈希链已断开：第 ${v.broken_id} 条记录被修改或删除（共校验 ${v.records} 条）${v.reason ? `：${v.reason}` : ''}`));
    } catch (err) {
      clear(result, h('span', { class: 'error' }, `校验失败：${err.message}`));
    } finally {
      verify.disabled = false;
    }
  } }, '校验哈希链');

  const box = listBox();
  const rows = h('tbody');
  const more = h('button', { type: 'button' }, '更早的记录');
  let filter = {};
  let last = null;
  const row = (a) => h('tr', {},
    td(a.id), td(time(a.at)), td(logins.has(a.actor) ? `${logins.get(a.actor)}（${a.actor}）` : a.actor), td(a.ip || '—'),
    td(a.action), td(a.object || '—'),
    h('td', { class: 'summary' }, a.summary && typeof a.summary === 'object' && Object.keys(a.summary).length
      ? JSON.stringify(a.summary) : (typeof a.summary === 'string' && a.summary) || '—'));
  const load = async (reset) => {
    const qs = new URLSearchParams({ limit: '50', ...filter });
    if (!reset && last) qs.set('before_id', String(last));
    const list = await api('GET', `/api/v1/audit?${qs}`);
    if (reset) clear(rows);
    rows.append(...list.map(row));
    if (reset && !list.length) rows.append(h('tr', {}, h('td', { colspan: 7 }, '没有记录')));
    last = list.length ? list[list.length - 1].id : last;
    more.hidden = list.length < 50;
  };
  more.addEventListener('click', () => rowMove(box, () => load(false)));
  clear(box.body, h('table', {}, h('caption', {}, '审计记录（最新的在前）'),
    h('thead', {}, h('tr', {}, ['编号', '时间', '操作人', '来源地址', '操作', '对象', '内容'].map((c) => h('th', { scope: 'col' }, c)))), rows));

  const action = input({ maxlength: 64, autocomplete: 'off' });
  const actor = input({ maxlength: 64, autocomplete: 'off' });
  const search = form('筛选', [field('操作（前缀，如 user. 或 login.fail）', action), field('操作人（如 user:3、cli、anon）', actor)], '筛选', async () => {
    filter = {};
    if (action.value.trim()) filter.action = action.value.trim();
    if (actor.value.trim()) filter.actor = actor.value.trim();
    last = null;
    await load(true);
  });
  sec.append(h('div', { class: 'card' }, h('h3', {}, '防篡改校验'),
    h('p', { class: 'muted' }, '每条审计记录都包含上一条的哈希值；校验会重新计算全部记录的哈希链。'), verify, result),
  search, box.el, h('div', { class: 'pager' }, more));
  await load(true);
}

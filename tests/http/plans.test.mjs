// The action plan (issue 6, part 6): the demo plan with its task tree and overdue tasks; the
// office issues a plan and tasks (lead unit, co-units, items, milestones); a co-unit reports
// without a percent, the lead unit with one and with attachments; 销号 asked, returned with a
// reason, asked again and accepted; figures per unit and key task (JSON and CSV); refusals:
// handlers cannot issue (403), units outside the task cannot report (403), a co-unit cannot
// give the percent (403), a stale version (409), a return without a reason (422). Runs on
// SQLite and PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, startServer } from './lib/server.mjs';
import { addUser, loginOk, staffReq, sql } from './lib/staff.mjs';
import { postMultipart } from './lib/http.mjs';
import { png } from './lib/images.mjs';

let srv;
const who = {};
let plan; // the plan made in test 2
let sub; // its sub-task 1.1

before(async () => {
  srv = await startServer();
  const people = {
    office: ['O-WMB', 'office'],
    cgj: ['D-CGJ', 'handler'], // 城管局: the lead unit
    zjj: ['D-ZJJ', 'handler'], // 住建局: a co-unit
    xg: ['210203', 'handler'], // 西岗区: neither
    leader: ['C-WMW', 'leader'],
  };
  for (const [login, [unit, roles]] of Object.entries(people))
    who[login] = await loginOk(srv, login, await addUser(srv, login, unit, roles));
});
after(async () => { await srv?.stop(); });

const json = (r) => JSON.parse(r.text);
const get = (login, p) => staffReq(srv, 'GET', p, { cookie: who[login].cookie });
const post = (login, p, body) => staffReq(srv, 'POST', p, { cookie: who[login].cookie, csrf: who[login].csrf, body });
const upload = (login, name, type, data) => postMultipart(srv.base, '/api/v1/media',
  [{ name: 'file', filename: name, type, data }], { headers: { Cookie: who[login].cookie, 'X-CSRF-Token': who[login].csrf } });

test('the demo plan: key tasks and sub-tasks, figures, overdue tasks in red', async () => {
  const list = await get('leader', '/api/v1/plans');
  assert.equal(list.status, 200, list.text);
  const demo = json(list)[0];
  assert.match(demo.title, /行动方案/);
  assert.ok(demo.figures.tasks >= 30, JSON.stringify(demo.figures));
  const tree = json(await get('leader', `/api/v1/plans/${demo.id}`));
  assert.ok(tree.tasks.length >= 8);
  assert.ok(tree.tasks.every((t) => t.children.length > 0 && t.lead.code));
  const leaf = tree.tasks[0].children[0];
  assert.ok(leaf.items.length >= 0 && Array.isArray(leaf.co_units));
  const overdue = json(await get('office', `/api/v1/tasks?plan=${demo.id}&overdue=true`));
  assert.ok(overdue.length >= 1, 'the demo has overdue tasks');
  assert.ok(overdue.every((t) => t.overdue && t.alert === 2));
  // a handler sees only the tasks its unit leads or helps with
  const mine = json(await get('cgj', '/api/v1/tasks'));
  const cgj = sql(srv.db, "SELECT id FROM unit WHERE code = 'D-CGJ'");
  assert.ok(mine.length > 0);
  assert.ok(mine.every((t) => t.lead.id === Number(cgj) || t.co_units.some((u) => u.id === Number(cgj))));
  const csv = await get('office', `/api/v1/tasks?plan=${demo.id}&format=csv`);
  assert.equal(csv.status, 200);
  assert.ok(csv.text.startsWith('id,code,title,kind,status,progress,due_at,overdue,'), csv.text.slice(0, 80));
});

test('the office issues a plan and its tasks; handlers cannot', async () => {
  const body = { code: 'T-2026', title: '测试行动方案', issuer: 'O-WMB', starts_at: '2026-11-01', ends_at: '2027-12-31' };
  assert.equal((await post('cgj', '/api/v1/plans', body)).status, 403);
  const r = await post('office', '/api/v1/plans', body);
  assert.equal(r.status, 201, r.text);
  plan = json(r);
  assert.equal(plan.issuer.code, 'O-WMB');
  assert.equal((await post('office', '/api/v1/plans', body)).status, 409);
  assert.equal((await post('office', '/api/v1/plans', { ...body, code: 'T-X', ends_at: '2026-01-01' })).status, 422);

  const key = { code: '1', title: '市容环境整治', lead_unit: 'D-CGJ', starts_at: '2026-11-01', due_at: '2027-10-31' };
  assert.equal((await post('cgj', `/api/v1/plans/${plan.id}/tasks`, key)).status, 403);
  const k = await post('office', `/api/v1/plans/${plan.id}/tasks`, key);
  assert.equal(k.status, 201, k.text);
  const item = sql(srv.db, "SELECT n.code FROM standard_node n JOIN standard_version v ON v.id = n.version_id WHERE v.active = 1 AND n.kind = 'item' ORDER BY n.code LIMIT 1");
  const s = await post('office', `/api/v1/plans/${plan.id}/tasks`, {
    code: '1.1', parent_code: '1', title: '背街小巷环境整治', kind: 'hard', lead_unit: 'D-CGJ', co_units: ['D-ZJJ'],
    starts_at: '2026-11-01', due_at: '2027-03-31T23:59:59+08:00', items: [item], milestones: ['2026-12-15 完成摸底排查', '2027-02-28 完成整治'],
  });
  assert.equal(s.status, 201, s.text);
  sub = json(s);
  assert.equal(sub.plan.code, 'T-2026');
  assert.deepEqual(sub.co_units.map((u) => u.code), ['D-ZJJ']);
  assert.deepEqual(sub.items.map((i) => i.code), [item]);
  assert.equal(sub.milestones.length, 2);
  assert.equal(sub.status, 'pending');
  for (const [bad, status] of [[{ lead_unit: 'NOPE' }, 422], [{ parent_code: '9' }, 422], [{ due_at: '2028-01-01' }, 422],
    [{ items: ['Z9.9.9'] }, 422], [{ milestones: ['明天 完成'] }, 400], [{ code: '1.1' }, 409], [{ co_units: ['D-CGJ'] }, 422]]) {
    const b = await post('office', `/api/v1/plans/${plan.id}/tasks`, {
      code: '1.2', parent_code: '1', title: '坏任务', lead_unit: 'D-CGJ', starts_at: '2026-11-02', due_at: '2027-01-01', ...bad,
    });
    assert.equal(b.status, status, `${JSON.stringify(bad)}: ${b.text}`);
  }
  // 延期: a new deadline is an edit on the timeline
  const ed = await post('office', `/api/v1/tasks/${sub.id}`, { due_at: '2027-04-30T23:59:59+08:00' });
  assert.equal(ed.status, 200, ed.text);
  assert.equal(json(ed).timeline.at(-1).note, '调整完成时限（延期）');
  assert.equal((await post('cgj', `/api/v1/tasks/${sub.id}`, { title: 'x' })).status, 403);
});

test('reports, 销号 asked, returned and accepted; figures follow', async () => {
  const path = `/api/v1/tasks/${sub.id}`;
  // who may do what
  assert.deepEqual(json(await get('cgj', path)).actions, ['report', 'submit']);
  assert.deepEqual(json(await get('zjj', path)).actions, ['report']);
  assert.deepEqual(json(await get('xg', path)).actions, []);
  assert.equal((await post('xg', `${path}/reports`, { note: '越权' })).status, 403);
  assert.equal((await post('zjj', `${path}/reports`, { note: '配合完成管线排查', progress: 50 })).status, 403);
  const co = await post('zjj', `${path}/reports`, { note: '配合完成管线排查' });
  assert.equal(co.status, 201, co.text);
  assert.equal(json(co).status, 'active', 'a report starts the task');
  assert.equal(json(co).timeline.at(-1).unit.code, 'D-ZJJ');

  const photo = (await upload('cgj', 'after.png', 'image/png', png(3, 3, 71))).json();
  const doc = (await upload('cgj', 'plan.pdf', 'application/pdf', Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'))).json();
  const ms = sub.milestones[0].id;
  const lead = await post('cgj', `${path}/reports`, { note: '完成摸底排查，整治过半', progress: 60, milestone_id: ms, attachments: [photo.name, doc.url] });
  assert.equal(lead.status, 201, lead.text);
  let t = json(lead);
  assert.equal(t.progress, 60);
  assert.ok(t.milestones.find((m) => m.id === ms).done_at);
  assert.deepEqual(t.timeline.at(-1).attachments.map((a) => [a.url, a.mime]), [[photo.url, 'image/png'], [doc.url, 'application/pdf']]);
  assert.equal((await post('cgj', `${path}/reports`, { note: '再报', milestone_id: ms })).status, 422, 'a milestone is reached once');
  assert.equal((await post('cgj', `${path}/reports`, { note: '假附件', attachments: ['f'.repeat(64) + '.pdf'] })).status, 422);
  // the key task shows its sub-task's progress
  const tree = json(await get('office', `/api/v1/plans/${plan.id}`));
  assert.equal(tree.tasks[0].progress, 60);

  // 销号
  t = json(await get('cgj', path));
  const sent = await post('cgj', `${path}/actions`, { action: 'submit', version: t.version });
  assert.equal(sent.status, 200, sent.text);
  t = json(sent);
  assert.equal(t.status, 'submitted');
  assert.equal(t.progress, 100);
  assert.equal((await post('cgj', `${path}/actions`, { action: 'accept' })).status, 403, 'not its own work');
  assert.equal((await post('office', `${path}/actions`, { action: 'return' })).status, 422, 'a return says why');
  const back = await post('office', `${path}/actions`, { action: 'return', note: '佐证材料不全' });
  assert.equal(back.status, 200, back.text);
  assert.equal(json(back).status, 'active');
  t = json(await post('cgj', `${path}/actions`, { action: 'submit' }));
  assert.equal((await post('office', `${path}/actions`, { action: 'accept', version: t.version - 1 })).status, 409);
  const ok = await post('office', `${path}/actions`, { action: 'accept', version: t.version });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(json(ok).status, 'done');
  assert.deepEqual(json(ok).actions, ['reopen']);
  assert.deepEqual(json(ok).timeline.map((x) => x.action),
    ['create', 'edit', 'report', 'report', 'submit', 'return', 'submit', 'accept']);
  assert.equal(sql(srv.db, "SELECT COUNT(*) FROM audit_log WHERE action IN ('task.submit', 'task.accept', 'task.return', 'task.report')"), '6');

  // figures: one leaf, done on time
  const byUnit = json(await get('leader', `/api/v1/plans/${plan.id}/progress`));
  assert.equal(byUnit.total.tasks, 1);
  assert.equal(byUnit.total.done, 1);
  assert.equal(byUnit.total.completion_rate, 1);
  assert.deepEqual(byUnit.rows.map((r) => r.key), ['D-CGJ']);
  const byTask = json(await get('leader', `/api/v1/plans/${plan.id}/progress?group=task`));
  assert.deepEqual(byTask.rows.map((r) => [r.key, r.done]), [['1', 1]]);
  const csv = await get('leader', `/api/v1/plans/${plan.id}/progress?format=csv`);
  assert.equal(csv.status, 200);
  assert.ok(csv.text.startsWith('key,label,tasks,pending,active,submitted,done,'), csv.text);
  assert.equal((await get('leader', '/api/v1/plans/999999/progress')).status, 404);
});

test('wenming import plan: FILE:LINE errors and nothing imported, then a good file', async () => {
  const head = 'code,parent_code,title,kind,lead_unit,co_units,starts_on,due_on,items,milestones,description\n';
  const bad = path.join(srv.dir, 'bad-plan.csv');
  writeFileSync(bad, head
    + '1,,重点任务,hard,D-CGJ,,2026-12-01,2027-12-31,,,\n'
    + '1.1,1,单位不存在,soft,NOPE,,2026-12-01,2027-06-30,,,\n'
    + '1.2,1,里程碑错误,soft,D-CGJ,,2026-12-01,2027-06-30,,明年 完成,\n'
    + '1.3,7,父任务不存在,hard,D-CGJ,,2026-12-01,2027-06-30,,,\n');
  const r = await runCli(['import', 'plan', bad, '--code', 'CLI-1', '--title', '命令行方案', '--db', srv.db]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /bad-plan\.csv:3: .*no lead unit "NOPE"/);
  assert.match(r.stderr, /bad-plan\.csv:4: .*a milestone is/);
  assert.match(r.stderr, /bad-plan\.csv:5: .*parent 7 is not on an earlier line/);
  assert.equal(sql(srv.db, "SELECT COUNT(*) FROM plan WHERE code = 'CLI-1'"), '0');
  const good = path.join(srv.dir, 'plan.csv');
  writeFileSync(good, head
    + '1,,重点任务,hard,D-CGJ,,2026-12-01,2027-12-31,,,\n'
    + '1.1,1,子任务,soft,D-CGJ,D-ZJJ;D-JTJ,2026-12-01,2027-06-30,,2027-03-01 完成方案,说明\n');
  const ok = await runCli(['import', 'plan', good, '--code', 'CLI-1', '--title', '命令行方案', '--issuer', 'O-WMB', '--db', srv.db]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /2 tasks imported/);
  const p = json(await get('office', '/api/v1/plans')).find((x) => x.code === 'CLI-1');
  assert.equal(p.title, '命令行方案');
  assert.equal(p.figures.tasks, 1);
  const again = await runCli(['import', 'plan', good, '--code', 'CLI-1', '--db', srv.db]);
  assert.equal(again.code, 1, 'tasks are edited, not imported again');
});

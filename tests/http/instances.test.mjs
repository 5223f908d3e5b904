// Two server processes on one database (issue 3, several instances): POSTs interleaved on
// both, every acknowledged one is there exactly once with a unique tracking code and token,
// and each instance sees the other's writes within its 1 s response cache. Runs on both
// stores (two processes on one SQLite file work too, through its file lock).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createInstance, startServer, runCli } from './lib/server.mjs';
import { get, postForm, sleep } from './lib/http.mjs';
import { V2, DALIAN, catalogue, isOk, countRequests, TRACKING_RE, keyed } from './lib/open311.mjs';

test('two instances on one database: interleaved POSTs, no duplicate codes, shared reads', { timeout: 90000 }, async () => {
  const inst = await createInstance({ demo: false });
  const a = await startServer({ instance: inst });
  const b = await startServer({ instance: inst });
  try {
    const cat = await catalogue(a);
    const N = 600;
    const acked = [];
    let next = 0;
    const worker = async () => {
      while (next < N) {
        const n = next++;
        const srv = n % 2 ? b : a;
        const res = await postForm(srv.base, `${V2}/requests.json`, {
          api_key: inst.apiKey, service_code: cat.plain, lat: DALIAN.lat, long: DALIAN.long,
          description: `instances #${n}`,
        });
        assert.ok(isOk(res.status), `POST #${n} to ${n % 2 ? 'b' : 'a'}: ${res.status} ${res.text.slice(0, 300)}`);
        const x = res.json()[0];
        assert.match(x.service_request_id, TRACKING_RE);
        acked.push({ id: x.service_request_id, token: x.token, n });
      }
    };
    await Promise.all(Array.from({ length: 24 }, worker));
    assert.equal(acked.length, N);
    assert.equal(new Set(acked.map((x) => x.id)).size, N, 'tracking codes are unique across instances');
    assert.equal(new Set(acked.map((x) => x.token)).size, N, 'tokens are unique across instances');

    await sleep(1100); // past the 1 s response cache of public reads
    assert.equal(await countRequests(a), N, 'a counts every request');
    assert.equal(await countRequests(b), N, 'b counts every request');
    // Each request is readable, as sent, on the instance that did not take it.
    for (const x of acked.filter((_, i) => i % 20 === 0)) {
      const other = x.n % 2 ? a : b;
      const r = await get(other.base, `${V2}/requests/${x.id}.json?${keyed(a)}`);
      assert.equal(r.status, 200, `${x.id} on the other instance`);
      assert.equal(r.json()[0].description, `instances #${x.n}`);
      const t = await get(other.base, `${V2}/tokens/${encodeURIComponent(x.token)}.json`);
      assert.equal(t.status, 200);
      assert.equal(t.json()[0].service_request_id, x.id);
    }
  } finally {
    await a.stop();
    await b.stop();
  }
});

// Background jobs with two instances: each pass of a job runs exactly once (job_run's unique
// key; on PostgreSQL also the job's advisory lock), passes follow each other without gaps,
// and the media sweep removes an hour-old photo file no case refers to (shared media dir).
test('two instances: each background job pass runs once, the media sweep removes orphans', { timeout: 60000 }, async () => {
  const inst = await createInstance({ demo: false });
  const media = path.join(inst.dir, 'media');
  const shard = path.join(media, 'ab');
  fs.mkdirSync(shard, { recursive: true });
  const orphan = path.join(shard, `ab${'0'.repeat(62)}.jpg`);
  const young = path.join(shard, `ab${'1'.repeat(62)}.jpg`);
  fs.writeFileSync(orphan, 'x');
  fs.writeFileSync(young, 'x');
  const hourAgo = new Date(Date.now() - 2 * 3600 * 1000);
  fs.utimesSync(orphan, hourAgo, hourAgo);
  const args = ['--job-period', '1', '--media', media];
  const a = await startServer({ instance: inst, args });
  const b = await startServer({ instance: inst, args });
  try {
    await sleep(3500);
  } finally {
    await a.stop();
    await b.stop();
  }
  const out = await runCli(['jobs', '--db', inst.db, '--limit', '1000']);
  assert.equal(out.code, 0, out.stderr);
  const rows = out.stdout.trim().split('\n').map((l) => l.split('\t'))
    .filter((r) => r[0] === 'media_sweep');
  assert.ok(rows.length >= 3, `at least three one-second passes in 3.5 s:\n${out.stdout}`);
  const passes = rows.map((r) => Number(r[1])).sort((x, y) => x - y);
  assert.equal(new Set(passes).size, passes.length, 'no pass ran twice');
  assert.equal(passes.at(-1) - passes[0] + 1, passes.length, `no pass skipped: ${passes}`);
  for (const r of rows) assert.equal(r[5], 'ok', r.join(' '));
  assert.ok(rows.some((r) => /^1 orphan files removed/.test(r[6])), rows.map((r) => r[6]).join('\n'));
  assert.ok(!fs.existsSync(orphan), 'the hour-old orphan is gone');
  assert.ok(fs.existsSync(young), 'a fresh file is kept (its case may be committing)');
});

// Staff moves and the escalation job across two instances on one database: two dispatchers on
// different instances dispatch the same case at the same version (one 200, one 409, one
// dispatch on the timeline), and an overdue case is escalated exactly once although both
// instances run the job every second.
test('two instances: a dispatch race loses cleanly, an escalation happens once', { timeout: 60000 }, async () => {
  const { addUser, loginOk, staffReq, sql } = await import('./lib/staff.mjs');
  const { fileRequest } = await import('./lib/open311.mjs');
  const inst = await createInstance({ demo: true });
  const pw = {
    d1: await addUser(inst, 'd1', 'O-WMB', 'dispatcher'),
    d2: await addUser(inst, 'd2', 'O-WMB', 'dispatcher'),
    zs: await addUser(inst, 'zs', '210202', 'handler'),
  };
  const args = ['--job-period', '1'];
  const a = await startServer({ instance: inst, args });
  const b = await startServer({ instance: inst, args });
  try {
    const d1 = await loginOk(a, 'd1', pw.d1);
    const d2 = await loginOk(b, 'd2', pw.d2);
    const zs = await loginOk(b, 'zs', pw.zs);
    const units = {};
    for (const u of (await staffReq(a, 'GET', '/api/v1/units', { cookie: d1.cookie })).json()) units[u.code] = u.id;
    const act = (srv, who, code, action, version, extra = {}) => staffReq(srv, 'POST', `/api/v1/cases/${code}/actions`,
      { cookie: who.cookie, csrf: who.csrf, body: { action, version, ...extra } });

    const { id: code } = await fileRequest(a, { lat: 38.91, long: 121.66, description: 'race' });
    const reg = await act(a, d1, code, 'register', 1);
    assert.equal(reg.status, 200, reg.text);
    const v = reg.json().version;
    const [r1, r2] = await Promise.all([
      act(a, d1, code, 'dispatch', v, { unit_id: units['210202'] }),
      act(b, d2, code, 'dispatch', v, { unit_id: units['210203'] }),
    ]);
    assert.deepEqual([r1.status, r2.status].sort(), [200, 409], `${r1.text} / ${r2.text}`);
    const tl = (await staffReq(b, 'GET', `/api/v1/cases/${code}/timeline`, { cookie: d2.cookie })).json();
    assert.equal(tl.filter((e) => e.action === 'dispatch').length, 1);

    // Make it overdue behind the servers' backs; both run the escalation job every second.
    const due = Math.floor(Date.now() / 1000) - 60;
    sql(inst.db, `UPDATE cases SET unit_id = ${units['210202']}, stage_started_at = ${due - 3600}, expected_at = ${due} WHERE code = '${code}'`);
    let events = [];
    for (let i = 0; i < 40 && events.length === 0; i++) {
      await sleep(250);
      events = (await staffReq(a, 'GET', `/api/v1/cases/${code}/timeline`, { cookie: d1.cookie })).json()
        .filter((e) => e.action === 'escalate');
    }
    await sleep(2500); // several more passes on both instances
    events = (await staffReq(a, 'GET', `/api/v1/cases/${code}/timeline`, { cookie: d1.cookie })).json()
      .filter((e) => e.action === 'escalate');
    assert.equal(events.length, 1, `escalated exactly once: ${JSON.stringify(events)}`);
    assert.match(events[0].note, /红灯/);
    const notes = (await staffReq(b, 'GET', '/api/v1/notifications', { cookie: zs.cookie })).json();
    assert.equal(notes.filter((n) => n.case_code === code).length, 1, JSON.stringify(notes));
    const c = (await staffReq(b, 'GET', `/api/v1/cases/${code}`, { cookie: d2.cookie })).json();
    assert.equal(c.alert, 2);
    assert.equal(c.supervise_level, 1);
    const read = await staffReq(b, 'POST', `/api/v1/notifications/${notes[0].id}/read`, { cookie: zs.cookie, csrf: zs.csrf });
    assert.equal(read.status, 204, read.text);
    const unread = (await staffReq(a, 'GET', '/api/v1/notifications?unread=true', { cookie: zs.cookie })).json();
    assert.equal(unread.filter((n) => n.case_code === code).length, 0);
  } finally {
    await a.stop();
    await b.stop();
  }
});

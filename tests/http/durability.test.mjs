// Acknowledged means durable: ~1500 concurrent POSTs (32 in flight), kill -9 of the server
// mid-run, restart on the same database: every request that got a 200/201 with an id is there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { get, postForm, pool } from './lib/http.mjs';
import { V2, DALIAN, catalogue, isOk, fileRequest, TRACKING_RE, keyed } from './lib/open311.mjs';

const TOTAL = 1500;
const IN_FLIGHT = 32;
const KILL_AFTER = 500; // acknowledged requests before kill -9

test('every acknowledged POST survives kill -9 and a restart', { timeout: 90000 }, async () => {
  const srv = await startServer({ demo: false });
  const cat = await catalogue(srv);
  const acked = [];        // {id, token, n}
  let inFlight = 0;
  let inFlightAtKill = -1;
  let killed = false;
  let killing = null;
  let failures = 0;
  let next = 0;
  const worker = async () => {
    while (next < TOTAL && !killed) {
      const n = next++;
      inFlight++;
      try {
        const res = await postForm(srv.base, `${V2}/requests.json`, {
          api_key: srv.apiKey, service_code: cat.plain,
          lat: (DALIAN.lat + (n % 100) * 1e-4).toFixed(6), long: (DALIAN.long + Math.floor(n / 100) * 1e-4).toFixed(6),
          description: `durability #${n}`,
        });
        if (isOk(res.status)) {
          const body = res.json();
          acked.push({ id: body[0].service_request_id, token: body[0].token, n });
        } else {
          failures++;
          if (!killed) assert.fail(`POST #${n} before the kill: ${res.status} ${res.text.slice(0, 200)}`);
        }
      } catch (e) {
        if (!killed) throw new Error(`POST #${n} failed before the kill: ${e.message}\n${srv.stderr().slice(-2000)}`);
        failures++;
      } finally {
        inFlight--;
      }
      if (!killed && acked.length >= KILL_AFTER) {
        killed = true;
        inFlightAtKill = inFlight;
        killing = srv.kill9();
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  assert.ok(killed, `the server was killed mid-run (acked ${acked.length} of ${TOTAL})`);
  const exit = await killing;
  assert.equal(exit.signal, 'SIGKILL', 'died by SIGKILL');
  assert.ok(inFlightAtKill > 0, `requests were in flight at the kill (${inFlightAtKill})`);
  assert.ok(acked.length >= KILL_AFTER && acked.length < TOTAL, `acked ${acked.length}`);
  assert.equal(new Set(acked.map((a) => a.id)).size, acked.length, 'acknowledged ids are unique');

  // Restart on the same database.
  const again = await startServer({ instance: { dir: srv.dir, db: srv.db, apiKey: srv.apiKey } });
  try {
    const missing = [];
    const wrong = [];
    await pool(acked, 16, async (a) => {
      const r = await get(again.base, `${V2}/requests/${a.id}.json?${keyed(srv)}`);
      if (r.status !== 200) { missing.push(`${a.id} (#${a.n}): ${r.status}`); return; }
      const x = r.json()[0];
      if (x.service_request_id !== a.id || x.description !== `durability #${a.n}`) wrong.push(`${a.id}: ${JSON.stringify(x).slice(0, 200)}`);
    });
    assert.deepEqual(missing, [], `acknowledged requests missing after kill -9 (${missing.length} of ${acked.length})`);
    assert.deepEqual(wrong, [], 'acknowledged requests come back as sent');
    // tokens survive too (a sample)
    for (const a of acked.slice(0, 20)) {
      const r = await get(again.base, `${V2}/tokens/${encodeURIComponent(a.token)}.json`);
      assert.equal(r.status, 200);
      assert.equal(r.json()[0].service_request_id, a.id);
    }
    // The restarted server takes new requests, with fresh ids.
    const old = new Set(acked.map((a) => a.id));
    for (let i = 0; i < 20; i++) {
      const { id } = await fileRequest(again, { description: `after restart ${i}` });
      assert.match(id, TRACKING_RE);
      assert.ok(!old.has(id), `new id ${id} is not an old one`);
    }
  } finally {
    await again.stop();
  }
});

test('SIGTERM under load: exit 0, and every acknowledged POST is there after restart', { timeout: 60000 }, async () => {
  const srv = await startServer({ demo: false });
  const cat = await catalogue(srv);
  const acked = [];
  let stopping = null;
  let next = 0;
  const N = 400;
  const worker = async () => {
    while (next < N) {
      const n = next++;
      try {
        const res = await postForm(srv.base, `${V2}/requests.json`, {
          api_key: srv.apiKey, service_code: cat.plain, lat: DALIAN.lat, long: DALIAN.long, description: `sigterm #${n}`,
        });
        if (isOk(res.status)) acked.push({ id: res.json()[0].service_request_id, n });
        else if (!stopping) assert.fail(`POST #${n}: ${res.status} ${res.text.slice(0, 200)}`);
      } catch (e) {
        if (!stopping) throw e;
        if (!srv.alive) break;
      }
      if (!stopping && acked.length >= 100) stopping = srv.stop(); // asserts exit code 0
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  assert.ok(stopping, 'SIGTERM was sent mid-run');
  await stopping;
  const again = await startServer({ instance: { dir: srv.dir, db: srv.db, apiKey: srv.apiKey } });
  try {
    const missing = [];
    await pool(acked, 16, async (a) => {
      const r = await get(again.base, `${V2}/requests/${a.id}.json?${keyed(srv)}`);
      if (r.status !== 200 || r.json()[0].description !== `sigterm #${a.n}`) missing.push(`${a.id}: ${r.status}`);
    });
    assert.deepEqual(missing, [], `acknowledged before SIGTERM but missing (${missing.length} of ${acked.length})`);
  } finally {
    await again.stop();
  }
});

// The reference-data cache (src/store/refcache.c) across processes: an api key created by the
// CLI works at once on two running instances (a miss rechecks the database), and a revoked
// key is refused by both within the cache's one-second check, then stays refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createInstance, startServer, runCli } from './lib/server.mjs';
import { postForm, sleep } from './lib/http.mjs';
import { V2, DALIAN, catalogue } from './lib/open311.mjs';

const CHECK_MS = 1000; // REFCACHE_CHECK_MS

test('a new key works at once on both instances; a revoked key is refused within a second', { timeout: 60000 }, async () => {
  const inst = await createInstance({ demo: false });
  const a = await startServer({ instance: inst });
  const b = await startServer({ instance: inst });
  try {
    const cat = await catalogue(a);
    const post = (srv, key, n) => postForm(srv.base, `${V2}/requests.json`, {
      api_key: key, service_code: cat.plain, lat: DALIAN.lat, long: DALIAN.long, description: `refdata ${n}`,
    });
    // Both instances load their cache with the first key.
    assert.equal((await post(a, inst.apiKey, 1)).status, 201);
    assert.equal((await post(b, inst.apiKey, 2)).status, 201);

    const made = await runCli(['apikey', 'create', 'fresh', '--db', inst.db]);
    assert.equal(made.code, 0, made.stderr);
    const fresh = made.stdout.trim();
    assert.equal((await post(a, fresh, 3)).status, 201, 'the new key on a, right away');
    assert.equal((await post(b, fresh, 4)).status, 201, 'the new key on b, right away');

    const list = await runCli(['apikey', 'list', '--db', inst.db]);
    const row = list.stdout.split('\n').find((l) => l.split('\t')[1] === 'fresh');
    assert.ok(row, list.stdout);
    const id = row.split('\t')[0];
    const revoked = await runCli(['apikey', 'revoke', id, '--db', inst.db]);
    assert.equal(revoked.code, 0, revoked.stderr);
    const again = await runCli(['apikey', 'revoke', id, '--db', inst.db]);
    assert.equal(again.code, 1, 'revoking twice says there is no active key');
    assert.match(again.stderr, /no active key/);
    const bad = await runCli(['apikey', 'revoke', 'x1', '--db', inst.db]);
    assert.equal(bad.code, 2);

    const t0 = Date.now();
    for (const [srv, name] of [[a, 'a'], [b, 'b']]) {
      let status;
      while ((status = (await post(srv, fresh, 5)).status) === 201) {
        assert.ok(Date.now() - t0 < CHECK_MS + 1500, `${name} still takes the revoked key after ${Date.now() - t0} ms`);
        await sleep(50);
      }
      assert.equal(status, 403, `${name} refuses the revoked key`);
    }
    await sleep(CHECK_MS + 100);
    for (const srv of [a, b]) {
      assert.equal((await post(srv, fresh, 6)).status, 403, 'and keeps refusing it');
      assert.equal((await post(srv, inst.apiKey, 7)).status, 201, 'the other key still works');
    }
  } finally {
    await a.stop();
    await b.stop();
  }
});

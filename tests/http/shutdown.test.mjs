// Regression: clients that hang up while their POST waits for the group commit (as wrk does
// at the end of a run) must not keep SIGTERM from stopping the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer } from './lib/server.mjs';
import { formEncode, sleep } from './lib/http.mjs';
import { V2, DALIAN, catalogue } from './lib/open311.mjs';

test('SIGTERM stops the server after clients left with POSTs parked', { timeout: 60000 }, async () => {
  const srv = await startServer({ demo: false });
  const cat = await catalogue(srv);
  const port = Number(new URL(srv.base).port);
  for (let round = 0; round < 5; round++) {
    const sockets = [];
    for (let i = 0; i < 48; i++) {
      const body = formEncode({
        api_key: srv.apiKey, service_code: cat.plain,
        lat: DALIAN.lat.toFixed(6), long: DALIAN.long.toFixed(6), description: `gone #${round}.${i}`,
      });
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => {});
      s.write(`POST ${V2}/requests.json HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      s.end(); // request and end of stream together
      sockets.push(s);
    }
    await sleep(20);
    for (const s of sockets) s.destroy();
  }
  await sleep(300);
  const t0 = Date.now();
  await srv.stop({ timeout: 10000 }); // throws unless the exit code is 0 (SIGKILL after 10 s)
  assert.ok(Date.now() - t0 < 10000, 'stopped promptly');
});

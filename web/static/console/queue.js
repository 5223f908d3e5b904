// Finished inspections waiting to be sent, kept in the browser (IndexedDB, photos as Blobs) so
// that an inspector without signal loses nothing: each is sent when the browser is online —
// its photos first (POST /api/v1/media, by content, so a retry stores nothing twice), then the
// inspection with its client id (a resubmission is recognised by the server, never doubled).
import { api, ApiError } from './api.js';

const DB = 'wenming-console', STORE = 'inspections';

function open() {
  return new Promise((resolve, reject) => {
    const rq = indexedDB.open(DB, 1);
    rq.onupgradeneeded = () => rq.result.createObjectStore(STORE, { keyPath: 'client_id' });
    rq.onsuccess = () => resolve(rq.result);
    rq.onerror = () => reject(rq.error);
  });
}

async function tx(mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const out = fn(t.objectStore(STORE));
    t.oncomplete = () => { db.close(); resolve(out?.result ?? out); };
    t.onerror = () => { db.close(); reject(t.error); };
  });
}

export const put = (item) => tx('readwrite', (s) => s.put(item));
export const remove = (id) => tx('readwrite', (s) => s.delete(id));
export const all = () => tx('readonly', (s) => s.getAll());

// A client id the server accepts (8–64 of [A-Za-z0-9_-]), also without a secure context.
export function clientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

let flushing = null;

// Sends what waits; resolves {sent, failed, waiting}. A network failure leaves an item
// waiting; a refusal (4xx) marks it failed with the reason, for the inspector to see.
export function flush() {
  if (!flushing) flushing = run().finally(() => { flushing = null; });
  return flushing;
}

async function run() {
  let sent = 0, failed = 0, waiting = 0;
  for (const item of await all()) {
    if (item.error) { failed++; continue; }
    try {
      const body = { ...item.body };
      for (const [key, blobs] of Object.entries(item.photos || {})) {
        const names = [];
        for (const b of blobs) {
          const fd = new FormData();
          fd.set('file', b, 'photo.jpg');
          names.push((await api('POST', '/api/v1/media', fd)).name);
        }
        body[key] = names;
      }
      await api('POST', '/api/v1/inspections', body);
      await remove(item.client_id);
      sent++;
    } catch (err) {
      if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 429) {
        await put({ ...item, error: err.message });
        failed++;
      } else {
        waiting++;
      }
    }
  }
  return { sent, failed, waiting };
}

window.addEventListener('online', () => { flush(); });

// The console's service worker (registered by app.js for the /console page). The page, its
// modules and styles come from the network when there is one (their ETags make that a cheap
// revalidation) and from the last copy when there is none, so an inspector can open the
// console in the street without signal. What an inspector reads before going out — the session,
// the rounds and their sites' checklists, the site types — is kept the same way. Every other
// API call and every write goes to the network untouched; the inspection queue (queue.js)
// keeps what is written offline. Logging out deletes the kept API answers (app.js).
const SHELL = 'wenming-shell-v1';
const DATA = 'wenming-data-v1';
const PRECACHE = [
  '/console', '/static/console/app.js', '/static/console/api.js', '/static/console/dom.js',
  '/static/console/queue.js', '/static/console/app.css', '/static/console/pages/login.js',
  '/static/console/pages/inspect.js',
];
const KEEP_API = /^\/api\/v1\/(session|site-types|rounds|rounds\/\d+|rounds\/\d+\/sites\/[^/]+)$/;

self.addEventListener('install', (ev) => {
  ev.waitUntil(caches.open(SHELL).then((c) => c.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (ev) => {
  ev.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n !== SHELL && n !== DATA).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (ev) => {
  const rq = ev.request;
  if (rq.method !== 'GET') return;
  const url = new URL(rq.url);
  if (url.origin !== self.location.origin) return;
  const shell = url.pathname === '/console' || url.pathname.startsWith('/static/');
  if (!shell && !KEEP_API.test(url.pathname)) return;
  ev.respondWith(networkFirst(rq, shell ? SHELL : DATA));
});

async function networkFirst(rq, name) {
  try {
    const res = await fetch(rq);
    if (res.ok) {
      const copy = res.clone();
      caches.open(name).then((c) => c.put(rq, copy)).catch(() => {});
    }
    return res;
  } catch (err) {
    const hit = await caches.match(rq, { cacheName: name });
    if (hit) return hit;
    throw err;
  }
}

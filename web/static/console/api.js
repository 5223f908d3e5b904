// The staff JSON API: the session cookie travels by itself, the CSRF token in a header; errors
// are Open311-shaped ([{code, description}]) and become ApiError.
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export const session = { user: null, csrf: null };

// Reference data (categories, areas, units, site types), read once per page load; any change
// made through the console (a call other than GET) drops the copies, so the next read is fresh.
const refs = new Map();
export function ref(path) {
  if (!refs.has(path)) refs.set(path, api('GET', path).catch((err) => { refs.delete(path); throw err; }));
  return refs.get(path);
}

export async function api(method, path, body, { raw = false } = {}) {
  if (method !== 'GET') refs.clear();
  const headers = { Accept: 'application/json' };
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && session.csrf) headers['X-CSRF-Token'] = session.csrf;
  const res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  if (raw) return res;
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) {
    const msg = Array.isArray(data) && data[0]?.description ? data[0].description : `HTTP ${res.status}`;
    if (res.status === 401 && !path.startsWith('/api/v1/session')) {
      // the session ran out: the console (app.js) keeps the page's writing and goes to 登录
      const user = session.user?.id ?? null;
      session.user = null;
      window.dispatchEvent(new CustomEvent('wm-session-lost', { detail: { user } }));
    }
    throw new ApiError(res.status, msg);
  }
  return data;
}

export const has = (...roles) => !!session.user && roles.some((r) => session.user.roles.includes(r));

// HTTP helpers: fetch wrappers, a multipart builder, a raw-socket client (for bytes fetch will
// not send: raw 0xFF, duplicate or truncated bodies, lying Content-Length), XML parsing and the
// Open311 error-shape assertion.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

// ---------------------------------------------------------------- fetch

// One request with fetch. Resolves {status, headers, body (Buffer), text, json()}.
// fetch sends Accept-Encoding itself and decompresses: use rawHttp to see the wire.
export async function req(base, method, path, { body, headers = {}, timeout = 30000 } = {}) {
  const res = await fetch(base + path, {
    method,
    body,
    headers,
    redirect: 'manual',
    signal: AbortSignal.timeout(timeout),
  });
  const buf = Buffer.from(await res.arrayBuffer());
  const text = buf.toString('utf8');
  return {
    status: res.status,
    headers: res.headers,
    body: buf,
    text,
    json() {
      try {
        return JSON.parse(text);
      } catch (e) {
        throw new Error(`${method} ${path}: body is not JSON (${e.message}): ${text.slice(0, 500)}`);
      }
    },
  };
}

export const get = (base, path, opts) => req(base, 'GET', path, opts);

// Encodes fields as application/x-www-form-urlencoded. fields: object or array of [k, v];
// an array value repeats the key. Values are percent-encoded as UTF-8 (RFC 3986 style).
export function formEncode(fields) {
  const pairs = Array.isArray(fields) ? fields : Object.entries(fields);
  const out = [];
  for (const [k, v] of pairs) {
    if (v === undefined || v === null) continue;
    const vals = Array.isArray(v) ? v : [v];
    for (const one of vals) out.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(one))}`);
  }
  return out.join('&');
}

export function postForm(base, path, fields, { headers = {}, raw = null } = {}) {
  return req(base, 'POST', path, {
    body: raw ?? formEncode(fields),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
  });
}

// ---------------------------------------------------------------- multipart

// parts: [{name, value}] for fields (string or Buffer), [{name, filename, type, data}] for files.
// Returns {body: Buffer, contentType}. `closing: false` leaves the final boundary off.
export function multipart(parts, { boundary = '----wenmingTest' + randomBytes(8).toString('hex'), closing = true } = {}) {
  const chunks = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if (p.filename !== undefined) {
      chunks.push(Buffer.from(
        `Content-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\n` +
        `Content-Type: ${p.type ?? 'application/octet-stream'}\r\n\r\n`));
      chunks.push(Buffer.from(p.data));
    } else {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${p.name}"\r\n\r\n`));
      chunks.push(Buffer.isBuffer(p.value) ? p.value : Buffer.from(String(p.value), 'utf8'));
    }
    chunks.push(Buffer.from('\r\n'));
  }
  if (closing) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

// Turns {k: v} / [[k, v]] fields (array values repeat) into multipart field parts.
export function fieldParts(fields) {
  const pairs = Array.isArray(fields) ? fields : Object.entries(fields);
  const parts = [];
  for (const [k, v] of pairs) {
    if (v === undefined || v === null) continue;
    for (const one of Array.isArray(v) ? v : [v]) parts.push({ name: k, value: one });
  }
  return parts;
}

export function postMultipart(base, path, parts, opts = {}) {
  const { body, contentType } = multipart(parts, opts);
  return req(base, 'POST', path, { body, headers: { 'Content-Type': contentType, ...(opts.headers ?? {}) } });
}

// ---------------------------------------------------------------- raw socket

function parseHead(buf) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!m) throw new Error(`not an HTTP response: ${JSON.stringify(lines[0])}`);
  const headers = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  return { status: Number(m[1]), headers, bodyStart: end + 4 };
}

function dechunk(buf) {
  const out = [];
  let i = 0;
  for (;;) {
    const nl = buf.indexOf('\r\n', i);
    if (nl < 0) return null;
    const size = parseInt(buf.subarray(i, nl).toString('latin1'), 16);
    if (Number.isNaN(size)) throw new Error('bad chunk size');
    if (size === 0) return Buffer.concat(out);
    if (buf.length < nl + 2 + size + 2) return null;
    out.push(buf.subarray(nl + 2, nl + 2 + size));
    i = nl + 2 + size + 2;
  }
}

// Sends bytes on a fresh connection and reads one response.
//   data: Buffer | string | array of them (written in order, `gapMs` apart)
//   write: async (socket) => {...} instead of data, for streaming (errors such as EPIPE after
//          the server answered early are ignored)
//   head: the request was HEAD (no body follows the headers)
//   end: half-close after writing (default false)
// Resolves {status, headers (lower-case keys), body: Buffer, closed} as soon as the response is
// complete; {status: 0, closed: true} when the server closed without answering.
export function rawHttp(port, data, { write = null, head = false, timeout = 15000, gapMs = 0, end = false, host = '127.0.0.1' } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host });
    let buf = Buffer.alloc(0);
    let done = false;
    let parsed = null;
    const finish = (val, err) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err); else resolve(val);
    };
    const timer = setTimeout(() => finish(null, new Error(`raw request timed out after ${timeout} ms; got ${buf.length} bytes: ${buf.subarray(0, 300).toString('latin1')}`)), timeout);
    const check = (closed) => {
      try {
        if (!parsed) parsed = parseHead(buf);
        if (!parsed) {
          if (closed) finish({ status: 0, headers: {}, body: buf, closed: true });
          return;
        }
        if (parsed.status >= 100 && parsed.status < 200) { // interim: drop it and read on
          buf = buf.subarray(parsed.bodyStart);
          parsed = null;
          return check(closed);
        }
        const rest = buf.subarray(parsed.bodyStart);
        const { status, headers } = parsed;
        if (head || status === 204 || status === 304) return finish({ status, headers, body: Buffer.alloc(0), closed });
        if ((headers['transfer-encoding'] ?? '').toLowerCase().includes('chunked')) {
          const body = dechunk(rest);
          if (body) return finish({ status, headers, body, closed });
        } else if (headers['content-length'] !== undefined) {
          const n = Number(headers['content-length']);
          if (rest.length >= n) return finish({ status, headers, body: rest.subarray(0, n), closed });
        } else if (closed) {
          return finish({ status, headers, body: rest, closed });
        }
        if (closed) finish({ status, headers, body: rest, closed, truncated: true });
      } catch (e) {
        finish(null, e);
      }
    };
    sock.on('data', (d) => { buf = Buffer.concat([buf, d]); check(false); });
    sock.on('end', () => check(true));
    sock.on('close', () => check(true));
    sock.on('error', (e) => {
      // The server may answer and close while we are still sending (413, 400 early).
      if (['EPIPE', 'ECONNRESET'].includes(e.code)) check(true);
      else finish(null, e);
    });
    sock.on('connect', async () => {
      try {
        if (write) {
          await write(sock, () => done || parsed !== null);
        } else {
          const list = Array.isArray(data) ? data : [data];
          for (let i = 0; i < list.length; i++) {
            if (done) break;
            if (i > 0 && gapMs) await new Promise((r) => setTimeout(r, gapMs));
            if (!sock.destroyed) sock.write(list[i]);
          }
        }
        if (end && !sock.destroyed) sock.end();
      } catch (e) {
        if (!['EPIPE', 'ECONNRESET', 'ERR_STREAM_DESTROYED'].includes(e.code)) finish(null, e);
      }
    });
  });
}

// Builds a raw request head. body: Buffer|string (Content-Length added unless given in headers
// or `noLength`).
export function rawRequest(method, path, { headers = {}, body = null, host = '127.0.0.1', noLength = false } = {}) {
  const b = body == null ? null : Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1');
  const h = { Host: host, Connection: 'close', ...headers };
  if (b && !noLength && !Object.keys(h).some((k) => k.toLowerCase() === 'content-length')) h['Content-Length'] = String(b.length);
  const head = `${method} ${path} HTTP/1.1\r\n` + Object.entries(h).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
  return b ? Buffer.concat([Buffer.from(head, 'latin1'), b]) : Buffer.from(head, 'latin1');
}

// ---------------------------------------------------------------- XML

const ARRAYS = new Set(['request', 'service', 'error', 'attribute', 'value', 'endpoint', 'format']);
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,   // keep every value a string
  trimValues: false,
  processEntities: true,
  isArray: (name) => ARRAYS.has(name),
});

// Validates and parses an XML document. Element values are strings; empty elements are ''.
export function parseXml(text) {
  const v = XMLValidator.validate(text);
  if (v !== true) throw new Error(`XML does not validate: ${JSON.stringify(v.err)}\n${text.slice(0, 800)}`);
  return parser.parse(text);
}

// Root element name of an XML document (after the declaration).
export function xmlRoot(text) {
  const m = /^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<([A-Za-z_][\w.-]*)/.exec(text);
  return m ? m[1] : null;
}

// ---------------------------------------------------------------- assertions

export function contentType(res) {
  return (res.headers.get ? res.headers.get('content-type') : res.headers['content-type']) ?? '';
}

// Asserts an Open311 error: HTTP status in `statuses` (a number or a list), the body's shape in
// the given format, and that each error's code equals the HTTP status. Returns the errors.
export function assertError(res, statuses, format = 'json', what = '') {
  const want = Array.isArray(statuses) ? statuses : [statuses];
  const text = Buffer.isBuffer(res.body) ? res.body.toString('utf8') : res.text;
  assert.ok(want.includes(res.status), `${what}: expected status ${want.join(' or ')}, got ${res.status}: ${text.slice(0, 300)}`);
  const ct = contentType(res);
  let errors;
  if (format === 'xml') {
    assert.match(ct, /xml/, `${what}: XML error needs an XML Content-Type, got ${ct}`);
    assert.equal(xmlRoot(text), 'errors', `${what}: root element: ${text.slice(0, 300)}`);
    const doc = parseXml(text);
    errors = doc.errors?.error;
    assert.ok(Array.isArray(errors) && errors.length >= 1, `${what}: <errors><error> expected: ${text.slice(0, 300)}`);
    for (const e of errors) {
      assert.equal(e.code, String(res.status), `${what}: <code> equals the HTTP status`);
      assert.ok(typeof e.description === 'string' && e.description.trim().length > 0, `${what}: <description> non-empty`);
    }
  } else {
    assert.match(ct, /^application\/json/, `${what}: JSON error needs application/json, got ${ct}`);
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      assert.fail(`${what}: error body is not JSON: ${text.slice(0, 300)}`);
    }
    assert.ok(Array.isArray(body) && body.length >= 1, `${what}: error body is [{code, description}]: ${text.slice(0, 300)}`);
    for (const e of body) {
      assert.equal(e.code, res.status, `${what}: code equals the HTTP status: ${text.slice(0, 300)}`);
      assert.ok(typeof e.description === 'string' && e.description.trim().length > 0, `${what}: description non-empty`);
    }
    errors = body;
  }
  return errors;
}

// Runs async fn over items with at most `limit` in flight; resolves results in order.
export async function pool(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return out;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

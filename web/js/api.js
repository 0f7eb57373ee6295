// HTTP access to the service: the read API key comes from the URL fragment (#key=... anywhere in the
// fragment, e.g. /dashboard/#key=abc or #/users?key=abc) or a prompt, and is kept in localStorage.
const KEY = 'affinity.readKey';
const WRITE_KEY = 'affinity.writeKey';

/** Takes `key=` out of the fragment into localStorage; returns the cleaned route fragment. */
export function captureKeyFromHash() {
  const hash = location.hash.replace(/^#/, '');
  const m = /(?:^|[?&/])key=([^&]+)/.exec(hash);
  if (!m) return;
  localStorage.setItem(KEY, decodeURIComponent(m[1]));
  const cleaned = hash.replace(/[?&]?key=[^&]+/, '').replace(/^\/?$/, '/');
  history.replaceState(null, '', '#' + (cleaned.startsWith('/') ? cleaned : '/' + cleaned));
}

export function readKey() {
  return localStorage.getItem(KEY);
}

export function askKey(kind = 'read') {
  const storeKey = kind === 'write' ? WRITE_KEY : KEY;
  const v = prompt(`API key with the ${kind} scope:`, localStorage.getItem(storeKey) || '');
  if (v !== null && v.trim()) localStorage.setItem(storeKey, v.trim());
  return localStorage.getItem(storeKey);
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function call(method, path, body, key) {
  const headers = { accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const e = data && data.error ? data.error : { code: 'E_HTTP', message: `${res.status} ${res.statusText}` };
    throw new ApiError(res.status, e.code, e.message);
  }
  return data;
}

/** GET with the read key; on 401 asks for a key once and retries. */
export async function get(path) {
  try {
    return await call('GET', path, undefined, readKey());
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      const k = askKey('read');
      if (k) return call('GET', path, undefined, k);
    }
    throw e;
  }
}

/** A write (POST): uses the write key kept in localStorage, asking for it when there is none. */
export async function post(path, body) {
  let k = localStorage.getItem(WRITE_KEY) || askKey('write');
  try {
    return await call('POST', path, body, k);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
      k = askKey('write');
      if (k) return call('POST', path, body, k);
    }
    throw e;
  }
}

export const enc = encodeURIComponent;

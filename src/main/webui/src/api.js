// The console's HTTP client: a bearer token from sign-in, and every failure as a sentence.
const KEY = 'callsup.console.token';

export class ApiError extends Error {
  constructor(message, status, type) { super(message); this.status = status; this.type = type; }
}

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: (t) => sessionStorage.setItem(KEY, t),
  clear: () => sessionStorage.removeItem(KEY),
};

/** Problem Details (RFC 9457) to words: the title, then the detail and any field errors. */
export async function problemOf(response) {
  let body = null;
  try { body = await response.json(); } catch (_) { /* not JSON: fall back to the status line */ }
  if (!body || typeof body !== 'object') {
    return new ApiError(`The service answered ${response.status} ${response.statusText}`.trim(), response.status);
  }
  const parts = [body.title || `Error ${response.status}`];
  if (body.detail) parts.push(body.detail);
  for (const e of body.errors || body.violations || []) {
    if (e && (e.field || e.message)) parts.push(`${e.field ?? ''} ${e.message ?? ''}`.trim());
  }
  return new ApiError(parts.join(': '), response.status, body.type);
}

export async function api(method, path, body, extraHeaders = {}) {
  const headers = { Accept: 'application/json', ...extraHeaders };
  const t = token.get();
  if (t && !headers.Authorization) headers.Authorization = `Bearer ${t}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError('The service cannot be reached. Check the network and try again.', 0);
  }
  if (!response.ok) throw await problemOf(response);
  return response.status === 204 ? null : response.json();
}

export async function signIn(username, password) {
  const basic = btoa(String.fromCharCode(...new TextEncoder().encode(`${username}:${password}`)));
  const signed = await api('POST', '/api/v1/console/sign-in', undefined, { Authorization: `Basic ${basic}` });
  token.set(signed.token);
  return signed.me;
}

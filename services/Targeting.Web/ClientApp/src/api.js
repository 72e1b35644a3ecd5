// Calls the web's JSON routes (gRPC JSON transcoding of targeting.web.v1.WebGateway).

const TOKEN_KEY = 'targeting.token';

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** The roles and subject in a JWT's payload (for display only: the services check the token). */
export function describeToken(token) {
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    const roles = [].concat(payload.role || []);
    return { subject: payload.sub || '', roles, expires: payload.exp ? new Date(payload.exp * 1000) : null };
  } catch {
    return null;
  }
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.code;
    this.violations = (body?.details || []).flatMap((d) => d.fieldViolations || []);
  }
}

function headers(json) {
  const h = { Accept: 'application/json' };
  if (json) h['Content-Type'] = 'application/json';
  const token = getToken();
  if (token) h.Authorization = `Bearer ${token}`;
  return h;
}

async function fail(response) {
  let body = null;
  try { body = await response.json(); } catch { /* not JSON */ }
  throw new ApiError(response.status, body);
}

export async function get(path) {
  const response = await fetch(path, { headers: headers(false) });
  if (!response.ok) await fail(response);
  return response.json();
}

export async function post(path, body) {
  const response = await fetch(path, { method: 'POST', headers: headers(true), body: JSON.stringify(body) });
  if (!response.ok) await fail(response);
  return response.json();
}

/** A server-streaming rpc: the messages, which transcoding writes one JSON object per line. */
export async function postStream(path, body) {
  const response = await fetch(path, { method: 'POST', headers: headers(true), body: JSON.stringify(body) });
  if (!response.ok) await fail(response);
  const text = await response.text();
  const messages = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    const message = JSON.parse(trimmed);
    if (message && message.code !== undefined && message.message !== undefined && Object.keys(message).every((k) => ['code', 'message', 'details'].includes(k))) {
      throw new ApiError(500, message); // an error after the first message
    }
    messages.push(message);
  }
  return messages;
}

/** The first instant of a London month "YYYY-MM", as an RFC 3339 UTC string. */
export function londonMonthStart(month) {
  const [y, m] = month.split('-').map(Number);
  const utcMidnight = Date.UTC(y, m - 1, 1);
  const offset = isBritishSummerTime(y, m - 1) ? 3600_000 : 0;
  return new Date(utcMidnight - offset).toISOString().replace('.000Z', 'Z');
}

// 00:00 London time on the 1st is in summer time (UTC+1) for April to October: the clocks change
// on the last Sundays of March and October.
function isBritishSummerTime(year, month) {
  return month >= 3 && month <= 9;
}

export function nextMonth(month) {
  const [y, m] = month.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

export function escapeHtml(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

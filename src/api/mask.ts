// Secrets never leave the server: values under secret-looking keys, and passwords inside URLs, are
// replaced before a document is sent (issue 10, security).
const SECRET_KEY = /token|secret|password|passwd|api[_-]?key|credential|private[_-]?key/i;
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi;

export const MASK = '***';

/** A copy of `value` with secret values masked; plain data only (what JSON can hold). */
export function maskSecrets<T>(value: T): Record<string, unknown> & T {
  return mask(value, null) as Record<string, unknown> & T;
}

function mask(value: unknown, key: string | null): unknown {
  if (key !== null && SECRET_KEY.test(key) && value !== null && typeof value !== 'object') return MASK;
  if (typeof value === 'string') return value.replace(URL_PASSWORD, `$1${MASK}@`);
  if (Array.isArray(value)) return value.map((item) => mask(item, null));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v, k)]));
  }
  return value;
}

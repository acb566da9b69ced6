// Who may call the API (DESIGN §9, issue 10): a loopback bind is open to this machine; any other bind
// refuses to start without PENGUIN_API_TOKEN, and whenever a token is set every route but health needs
// `Authorization: Bearer <token>`, compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';

export const TOKEN_ENV = 'PENGUIN_API_TOKEN';

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare === '::1') return true;
  if (bare.startsWith('::ffff:')) return isLoopback(bare.slice('::ffff:'.length));
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/** Refuses a non-loopback bind without a token, in one sentence saying what to do. */
export function assertBindAllowed(host: string, token: string | undefined): void {
  if (isLoopback(host) || (token !== undefined && token !== '')) return;
  throw new UsageError(
    `binding to ${host} exposes the API beyond this machine; set ${TOKEN_ENV} (clients then send Authorization: Bearer <token>) or bind to 127.0.0.1`,
  );
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * Whether the Authorization header carries the token. Both sides are hashed first, so the compare is
 * constant-time whatever the lengths.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const given = match?.[1] ?? '';
  const equal = timingSafeEqual(digest(given), digest(token));
  return equal && given !== '';
}

// Short random ids for tasks and projects. 8 base32 characters give 40 bits: collisions in one
// workspace are vanishingly rare, and the UNIQUE primary key turns one into an error, never a merge.
import { randomBytes } from 'node:crypto';

// Crockford-style alphabet without i, l, o, u: ids are read aloud and typed by hand.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

function randomBase32(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  // 256 is a multiple of 32, so `byte % 32` is uniform.
  for (const byte of bytes) out += ALPHABET[byte % 32];
  return out;
}

/** A new task id: `t-` and 8 random base32 characters. */
export function newTaskId(): string {
  return `t-${randomBase32(8)}`;
}

/** A new project id: `p-` and 8 random base32 characters. */
export function newProjectId(): string {
  return `p-${randomBase32(8)}`;
}

// Short random ids for tasks and projects. 8 base32 characters give 40 bits: collisions in one
// workspace are vanishingly rare, and the UNIQUE primary key turns one into an error, never a merge.
import { randomBytes } from 'node:crypto';

// Crockford-style alphabet without i, l, o, u: ids are read aloud and typed by hand.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

// Random bytes are drawn in blocks: one call per id costs more than the rest of an insert, and a
// first sync creates thousands of tasks at once.
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

function randomBase32(length: number): string {
  if (poolOffset + length > pool.length) {
    pool = randomBytes(POOL_SIZE);
    poolOffset = 0;
  }
  let out = '';
  // 256 is a multiple of 32, so `byte % 32` is uniform.
  for (let i = 0; i < length; i++) out += ALPHABET[(pool[poolOffset + i] as number) % 32];
  poolOffset += length;
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

// newTaskId, the key tasks and projects are stored under: short, distinct, base32.
import { describe, expect, it } from 'vitest';
import { newTaskId } from '../../src/project/ids.js';

describe('newTaskId', () => {
  it('gives short, distinct, base32 ids', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => newTaskId()));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(/^t-[0-9a-hjkmnp-tv-z]{8}$/);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';

test('NOTE-2 AC1 a title becomes a lower-case slug with dashes', async () => {
  const { slugify } = await import('../src/slug.mjs');
  assert.equal(slugify('  Hello, World! '), 'hello-world');
});

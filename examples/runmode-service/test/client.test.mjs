import assert from 'node:assert/strict';
import { test } from 'node:test';

test('NOTE-5 AC1 the client knows the fields the schema publishes', async () => {
  const { fieldsOf } = await import('../src/client.mjs');
  assert.deepEqual(fieldsOf(), ['id', 'title', 'body', 'slug']);
});

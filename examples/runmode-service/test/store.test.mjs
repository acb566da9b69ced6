import assert from 'node:assert/strict';
import { test } from 'node:test';

test('NOTE-1 AC1 the store keeps notes in the order added', async () => {
  const { createStore } = await import('../src/store.mjs');
  const store = createStore();
  store.add('One', 'a');
  store.add('Two', 'b');
  assert.deepEqual(
    store.list().map((n) => [n.id, n.title]),
    [
      [1, 'One'],
      [2, 'Two'],
    ],
  );
});

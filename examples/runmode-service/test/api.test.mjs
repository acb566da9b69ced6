import assert from 'node:assert/strict';
import { test } from 'node:test';

test('NOTE-3 AC1 POST /notes answers the note with its slug', async () => {
  const { createApp } = await import('../src/server.mjs');
  const server = createApp().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const url = `http://127.0.0.1:${server.address().port}/notes`;
    const res = await fetch(url, {
      method: 'POST',
      body: JSON.stringify({ title: 'Buy Milk', body: '2 l' }),
    });
    assert.equal(res.status, 201);
    assert.deepEqual(await res.json(), { id: 1, title: 'Buy Milk', body: '2 l', slug: 'buy-milk' });
  } finally {
    server.close();
  }
});

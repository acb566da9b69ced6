import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withServer } from './helpers.mjs';

test('GREET-2 AC1 greets by name', async () => {
  const { createApp } = await import('../src/app.mjs');
  await withServer(createApp, async (base) => {
    const res = await fetch(`${base}/greet?name=Ada`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { greeting: 'Hello, Ada!' });
  });
});

test('GREET-2 AC2 a missing name answers 400', async () => {
  const { createApp } = await import('../src/app.mjs');
  await withServer(createApp, async (base) => {
    const res = await fetch(`${base}/greet`);
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: 'name is required' });
  });
});

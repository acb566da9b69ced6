import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withServer } from './helpers.mjs';

test('GREET-1 AC1 health answers 200 with status ok', async () => {
  const { createApp } = await import('../src/app.mjs');
  await withServer(createApp, async (base) => {
    const res = await fetch(`${base}/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });
});

test('GREET-1 AC2 port comes from PORT', async () => {
  const { portFromEnv } = await import('../src/app.mjs');
  assert.equal(portFromEnv({ PORT: '18999' }), 18999);
  assert.throws(() => portFromEnv({ PORT: 'abc' }));
});

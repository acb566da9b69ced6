// Who may call the API: a token makes every route but health need `Authorization: Bearer`; a
// non-loopback bind refuses to start without one; CORS only for the origin given; secrets masked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBindAllowed, bearerMatches, isLoopback } from '../../src/api/auth.js';
import { createServer } from '../../src/api/server.js';
import { MASK, maskSecrets } from '../../src/api/mask.js';
import { UsageError } from '../../src/errors.js';
import { fixtureWorkspace, startApi, type TestApi } from './helpers.js';

const TOKEN = 's3cret-token-for-tests';

describe('with a token', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi({ token: TOKEN });
  });
  afterAll(async () => {
    await api.close();
  });

  it('refuses a request without the token or with a wrong one (401), accepts the right one', async () => {
    const none = await api.request('GET', '/tasks');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(none.body).toMatchObject({ error: { code: 'unauthorized' } });
    const wrong = await api.request('GET', '/tasks', { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    const basic = await api.request('GET', '/tasks', { headers: { authorization: `Basic ${TOKEN}` } });
    expect(basic.status).toBe(401);
    const right = await api.request('GET', '/tasks', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(right.status).toBe(200);
  });

  it('leaves health open, and guards the event stream and the OpenAPI document', async () => {
    expect((await api.request('GET', '/orchestration/health')).status).toBe(200);
    expect((await api.request('GET', '/events')).status).toBe(401);
    expect((await api.request('GET', '/openapi.json')).status).toBe(401);
    expect((await api.request('POST', '/workflows', { body: { task: 'API-1' } })).status).toBe(401);
  });
});

describe('binding', () => {
  it('refuses a non-loopback address without a token, in one sentence naming the variable', async () => {
    const { ws } = await fixtureWorkspace();
    try {
      await expect(createServer(ws, { host: '0.0.0.0', port: 0 })).rejects.toThrow(UsageError);
      await expect(createServer(ws, { host: '0.0.0.0', port: 0 })).rejects.toThrow(/PENGUIN_API_TOKEN/);
    } finally {
      ws.close();
    }
    expect(() => assertBindAllowed('10.0.0.5', undefined)).toThrow(UsageError);
    expect(() => assertBindAllowed('10.0.0.5', '')).toThrow(UsageError);
    expect(() => assertBindAllowed('10.0.0.5', TOKEN)).not.toThrow();
  });

  it('a port in use is one sentence (exit 2 in the CLI), not an internal error', async () => {
    const api = await startApi();
    const second = await createServer(api.ws, { port: portOf(api) });
    try {
      await expect(second.listen()).rejects.toThrow(UsageError);
      await expect(second.listen()).rejects.toThrow(/port is in use/);
    } finally {
      await second.close();
      await api.close();
    }
  });

  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) {
      expect(isLoopback(host)).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.2', 'example.com', '127.0.0.1.example.com']) {
      expect(isLoopback(host)).toBe(false);
    }
  });

  it('compares bearer tokens exactly', () => {
    expect(bearerMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(undefined, TOKEN)).toBe(false);
    expect(bearerMatches('Bearer ', TOKEN)).toBe(false);
    expect(bearerMatches(`Bearer ${TOKEN.slice(0, -1)}`, TOKEN)).toBe(false);
  });
});

describe('CORS', () => {
  let api: TestApi;
  let plain: TestApi;
  beforeAll(async () => {
    api = await startApi({ cors: 'https://dash.example' });
    plain = await startApi();
  });
  afterAll(async () => {
    await api.close();
    await plain.close();
  });

  it('answers the origin given, and no one without --cors', async () => {
    const headers = { origin: 'https://dash.example' };
    const allowed = await api.request('GET', '/tasks', { headers });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://dash.example');
    const none = await plain.request('GET', '/tasks', { headers });
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('maskSecrets', () => {
  it('masks values under secret-looking keys and passwords in URLs, and nothing else', () => {
    const masked = maskSecrets({
      address: 'postgres://penguin:hunter2@db:5432/x',
      api_key: 'abc',
      nested: { Token: 'xyz', list: [{ password: 'p' }], timeout: 5 },
      namespace: 'penguin',
    });
    expect(masked).toEqual({
      address: `postgres://penguin:${MASK}@db:5432/x`,
      api_key: MASK,
      nested: { Token: MASK, list: [{ password: MASK }], timeout: 5 },
      namespace: 'penguin',
    });
  });
});

function portOf(api: TestApi): number {
  const address = api.server.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening');
  return address.port;
}

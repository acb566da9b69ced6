// A real API server on an ephemeral loopback port over a scratch copy of test/fixtures/api (a real
// SQLite store, the real ITUV executor with a scripted agent), plus small HTTP and SSE clients built
// on Node's fetch. Every API test talks to the server over real HTTP.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer, type ApiServer, type ServerOptions } from '../../src/api/server.js';
import { loadBlueprint } from '../../src/blueprint/load.js';
import { resolveBlueprintSources } from '../../src/blueprint/sources.js';
import { initWorkspace } from '../../src/config/workspace.js';
import { syncBlueprints } from '../../src/project/sync.js';
import { openWorkspace, type Workspace } from '../../src/project/workspace.js';

export const API_FIXTURE = resolve(import.meta.dirname, '../fixtures/api');

/** Copies the fixture to a scratch directory, initialises and syncs it. */
export async function fixtureWorkspace(fixture = API_FIXTURE): Promise<{ dir: string; ws: Workspace }> {
  const dir = mkdtempSync(join(tmpdir(), 'penguin-api-'));
  cpSync(fixture, dir, { recursive: true });
  initWorkspace(dir);
  const ws = openWorkspace({ cwd: dir });
  const sources = resolveBlueprintSources(ws.paths.root, ws.config.blueprints.sources);
  await syncBlueprints(ws.store, sources.map(loadBlueprint), { workspaceRoot: ws.paths.root });
  return { dir, ws };
}

export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface TestApi {
  dir: string;
  ws: Workspace;
  server: ApiServer;
  /** `http://127.0.0.1:<port>/api/v1` */
  base: string;
  request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options?: { body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<Reply<T>>;
  close(): Promise<void>;
}

export async function startApi(options: ServerOptions = {}, fixture?: string): Promise<TestApi> {
  const { dir, ws } = await fixtureWorkspace(fixture);
  const server = await createServer(ws, { port: 0, ...options });
  const { url } = await server.listen();
  const base = `${url}/api/v1`;
  return {
    dir,
    ws,
    server,
    base,
    async request<T>(
      method: string,
      path: string,
      opts: { body?: unknown; raw?: string; headers?: Record<string, string> } = {},
    ): Promise<Reply<T>> {
      const hasBody = opts.body !== undefined || opts.raw !== undefined;
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...opts.headers },
        ...(hasBody ? { body: opts.raw ?? JSON.stringify(opts.body) } : {}),
      });
      const text = await response.text();
      let body: unknown = text;
      if ((response.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
      return { status: response.status, headers: response.headers, body: body as T, text };
    },
    async close() {
      await server.close();
      ws.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One SSE frame: its fields, or `comment` for a `:` line. */
export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
  comment?: string;
}

export interface SseClient {
  status: number;
  frames: SseFrame[];
  /** Frames carrying an event (id and data). */
  events(): { seq: number; type: string; workflow_id?: string }[];
  waitFor(what: string, check: (client: SseClient) => boolean, timeoutMs?: number): Promise<void>;
  /** Drops the connection, as a network failure would. */
  close(): void;
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
}

/** Opens `url` as an event stream and parses frames as they arrive. */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const frames: SseFrame[] = [];
  const listeners = new Set<() => void>();
  let buffer = '';
  const parse = (chunk: string): void => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const frame: SseFrame = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) frame.comment = line.slice(1).trim();
        else {
          const colon = line.indexOf(':');
          const key = line.slice(0, colon) as keyof SseFrame;
          frame[key] = line.slice(colon + 1).replace(/^ /, '');
        }
      }
      frames.push(frame);
    }
    for (const listener of listeners) listener();
  };
  const ended = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        parse(decoder.decode(chunk, { stream: true }));
      }
    } catch {
      // Aborted by close().
    }
  })();
  const client: SseClient = {
    status: response.status,
    frames,
    events: () =>
      frames
        .filter((f) => f.id !== undefined && f.data !== undefined)
        .map((f) => JSON.parse(f.data ?? '{}') as { seq: number; type: string; workflow_id?: string }),
    waitFor: (what, check, timeoutMs = 30_000) =>
      new Promise((resolvePromise, reject) => {
        if (check(client)) return resolvePromise();
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(frames.slice(-5))}`));
        }, timeoutMs);
        const listener = (): void => {
          if (!check(client)) return;
          clearTimeout(timer);
          listeners.delete(listener);
          resolvePromise();
        };
        listeners.add(listener);
      }),
    close: () => controller.abort(),
    ended,
  };
  return client;
}

/** Polls `check` until it returns a value, or throws after `timeoutMs` (a safety bound, not a timing). */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

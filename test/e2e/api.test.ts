// `penguin serve` end to end, through the built CLI: a workflow started with an HTTP request is run by
// the server while its phases stream over SSE; another terminal pauses it with the CLI and writes the
// same workspace meanwhile; it is resumed over HTTP and runs to completion; TERM stops the server
// cleanly, handing its running workflow back, and a new server finishes it. Every party is a separate real process sharing only the workspace's SQLite database.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServeStartedSchema, type ServeStarted } from '../../src/contracts/api.js';
import { WorkflowStatusSchema, type WorkflowStatus } from '../../src/contracts/workflow.js';
import { openSse } from '../api/helpers.js';
import { assertBuilt, assertJsonContract, FIXTURES, runJson, syncedWorkspace, tempDir } from './run-cli.js';
import { spawnCli, waitUntil, type BackgroundCli } from './spawn-cli.js';

let dir: string;
let server: BackgroundCli;
let base: string;
let handedBack: string;

/** The address `serve --json` printed, once it has. */
function started(cli: BackgroundCli): ServeStarted | undefined {
  try {
    return ServeStartedSchema.parse(JSON.parse(cli.stdout()));
  } catch {
    if (!cli.alive()) throw new Error(`penguin serve exited: ${cli.stderr()}`);
    return undefined;
  }
}

beforeAll(async () => {
  assertBuilt();
  dir = syncedWorkspace(join(FIXTURES, 'e2e-slow'), tempDir('penguin-e2e-api-'));
  server = spawnCli(['serve', '--port', '0', '--json'], { cwd: dir });
  const printed = await waitUntil('serve to print its address', () => started(server));
  assertJsonContract(['serve', '--json'], server.stdout());
  base = `${printed.url}/api/v1`;
});

afterAll(async () => {
  await server.kill();
  rmSync(dir, { recursive: true, force: true });
});

async function http(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${base}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, json: await response.json() };
}

describe('penguin serve', () => {
  it('runs a workflow started over HTTP, streams it, is paused from the CLI and resumed over HTTP', async () => {
    const sse = await openSse(`${base}/events`);
    const started = await http('POST', '/workflows', { task: 'S-1' });
    expect(started.status).toBe(201);
    const { id } = WorkflowStatusSchema.parse(started.json);

    await sse.waitFor('IMPLEMENT to start', (c) =>
      c.events().some((e) => e.type === 'workflow.phase_started'),
    );
    // Another terminal: pause with the CLI (a stored signal the server's host applies).
    const pause = runJson<WorkflowStatus>(['workflow', 'pause', id], { cwd: dir });
    expect(pause.status, pause.stderr).toBe(0);
    await sse.waitFor('the pause', (c) => c.events().some((e) => e.type === 'workflow.paused'));
    const paused = WorkflowStatusSchema.parse((await http('GET', `/workflows/${id}`)).json);
    expect(paused.state).toBe('paused');
    expect(paused.phases.every((p) => p.outcome !== null)).toBe(true);

    // The same workspace written by the CLI and the API at once: feedback from one, a read from the other.
    const feedback = runJson<WorkflowStatus>(['workflow', 'feedback', id, 'check the argument types'], {
      cwd: dir,
    });
    expect(feedback.status, feedback.stderr).toBe(0);
    const list = runJson<{ tasks: unknown[] }>(['task', 'list'], { cwd: dir });
    expect(list.status).toBe(0);

    expect((await http('POST', `/workflows/${id}/resume`)).status).toBe(200);
    await sse.waitFor(
      'the run to complete',
      (c) => c.events().some((e) => e.type === 'workflow.completed'),
      90_000,
    );
    sse.close();

    const events = sse.events().filter((e) => e.workflow_id === id);
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    const types = events.map((e) => e.type);
    expect(types.indexOf('workflow.paused')).toBeLessThan(types.indexOf('workflow.resumed'));
    expect(types).toContain('workflow.feedback');
    const final = WorkflowStatusSchema.parse((await http('GET', `/workflows/${id}`)).json);
    expect(final).toMatchObject({ state: 'completed', progress: 100 });
  }, 120_000);

  it('stops on TERM with a phase running: exit 0, the run handed back at once, one document on stdout', async () => {
    expect((await http('POST', '/tasks/S-1/reopen')).status).toBe(200);
    const sse = await openSse(`${base}/events`);
    const started = await http('POST', '/workflows', { task: 'S-1' });
    const { id } = WorkflowStatusSchema.parse(started.json);
    await sse.waitFor('IMPLEMENT to start', (c) =>
      c.events().some((e) => e.type === 'workflow.phase_started' && e.workflow_id === id),
    );
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    await sse.ended;
    expect(exit, server.stderr()).toEqual({ code: 0, signal: null });
    expect(() => ServeStartedSchema.parse(JSON.parse(server.stdout()))).not.toThrow();
    // Given back, not left to a lease: any host may take it over now.
    const after = runJson<WorkflowStatus>(['workflow', 'status', id], { cwd: dir });
    expect(after.json.owner).toBeNull();
    expect(['pending', 'running']).toContain(after.json.state);
    handedBack = id;
  }, 60_000);

  it('a new server takes the handed-back run over and finishes it', async () => {
    server = spawnCli(['serve', '--port', '0', '--json'], { cwd: dir });
    const printed = await waitUntil('serve to print its address', () => started(server));
    base = `${printed.url}/api/v1`;
    const done = await waitUntil(
      'the run to complete',
      () => {
        const status = runJson<WorkflowStatus>(['workflow', 'status', handedBack], { cwd: dir }).json;
        return status.state === 'completed' ? status : undefined;
      },
      90_000,
      500,
    );
    expect(done.progress).toBe(100);
  }, 120_000);
});

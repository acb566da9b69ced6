// GET /events over real HTTP: a run's phases stream live; a client that drops its connection and
// comes back with Last-Event-ID gets every event it missed once, in order (checked against the log);
// filters narrow the stream; heartbeats keep an idle stream open; closing the server ends streams.
import { resolveTask } from '../../src/project/resolve.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowListSchema, WorkflowStatusSchema } from '../../src/contracts/workflow.js';
import { eventually, openSse, startApi, type SseClient, type TestApi } from './helpers.js';

let api: TestApi;
beforeAll(async () => {
  api = await startApi({ heartbeatMs: 50, eventPollMs: 20 });
});
afterAll(async () => {
  await api.close();
});

const hasEvent =
  (type: string, after = 0) =>
  (client: SseClient) =>
    client.events().some((e) => e.type === type && e.seq > after);

describe('GET /events', () => {
  let workflowId: string;

  it('streams a run started over HTTP, phase by phase', async () => {
    const sse = await openSse(`${api.base}/events`);
    expect(sse.status).toBe(200);
    const started = await api.request('POST', '/workflows', { body: { task: 'API-1' } });
    workflowId = WorkflowStatusSchema.parse(started.body).id;
    await sse.waitFor('workflow.waiting_input', hasEvent('workflow.waiting_input'));
    sse.close();
    const phases = sse
      .events()
      .filter((e) => e.type === 'workflow.phase_started')
      .map((e) => (e as { phase?: string }).phase);
    expect(phases).toEqual(['implement', 'test', 'use', 'verify']);
    expect(sse.events().every((e) => e.workflow_id === workflowId || e.workflow_id === undefined)).toBe(true);
  }, 60_000);

  it('resumes after a dropped connection from Last-Event-ID: no gap, no duplicate, in order', async () => {
    const first = await openSse(`${api.base}/events?after=0`);
    await first.waitFor('a few events', (c) => c.events().length >= 3);
    first.close();
    await first.ended;
    const seen = first.events();
    const lastId = String(seen.at(-1)?.seq);

    // While disconnected, the run goes round again: these events are missed and must come back.
    await api.request('POST', `/workflows/${workflowId}/feedback`, { body: { text: 'again' } });
    const lastSeq = await waitForLogQuiet();

    const second = await openSse(`${api.base}/events`, { 'last-event-id': lastId });
    await second.waitFor('the rest of the log', (c) => c.events().some((e) => e.seq === lastSeq));
    second.close();
    const seqs = [...seen, ...second.events()].map((e) => e.seq);
    const logged = (await api.server.service.events.readFrom(0, undefined, 100_000)).map((e) => e.seq);
    expect(seqs).toEqual(logged.filter((seq) => seq <= lastSeq));
    expect(new Set(seqs).size).toBe(seqs.length);
  }, 60_000);

  it('filters by workflow, task, project and type: exactly the matching events of the log', async () => {
    const log = await api.server.service.events.readFrom(0, undefined, 100_000);
    const taskId = (await resolveTask(api.ws.store, 'API-1')).id;
    const [project] = await api.ws.store.projects.list();
    const cases: [string, (e: (typeof log)[number]) => boolean][] = [
      [
        'type=workflow.phase_started,workflow.feedback',
        (e) => ['workflow.phase_started', 'workflow.feedback'].includes(e.type),
      ],
      ['task=API-1&project=API', (e) => e.task_id === taskId],
      [`workflow=${workflowId}`, (e) => e.workflow_id === workflowId],
      ['project=API', (e) => e.project_id === project?.id],
    ];
    for (const [query, matches] of cases) {
      const expected = log.filter(matches).map((e) => e.seq);
      expect(expected.length).toBeGreaterThan(0);
      const sse = await openSse(`${api.base}/events?after=0&${query}`);
      await sse.waitFor(query, (c) => c.events().length >= expected.length);
      sse.close();
      expect(sse.events().map((e) => e.seq)).toEqual(expected);
    }
  });

  it('sends heartbeat comments on an idle stream', async () => {
    const sse = await openSse(`${api.base}/events`);
    await sse.waitFor('a heartbeat', (c) => c.frames.some((f) => f.comment === 'heartbeat'));
    sse.close();
  });

  it('refuses bad filters and a bad Last-Event-ID before streaming', async () => {
    const type = await api.request('GET', '/events?type=workflow.exploded');
    expect(type.status).toBe(400);
    expect(type.body).toMatchObject({ error: { code: 'invalid_request' } });
    const id = await api.request('GET', '/events', { headers: { 'last-event-id': 'yesterday' } });
    expect(id.status).toBe(400);
    expect((await api.request('GET', '/events?workflow=wf-nope')).status).toBe(404);
    expect((await api.request('GET', '/events?project=NOPE')).status).toBe(404);
  });
});

describe('closing the server', () => {
  it('ends open event streams instead of waiting for them', async () => {
    const other = await startApi({ heartbeatMs: 50 });
    const sse = await openSse(`${other.base}/events`);
    await other.close();
    await sse.ended;
    expect(sse.status).toBe(200);
  });
});

/** Waits until the run has gone round again and waits for a human, then returns the log's last seq. */
async function waitForLogQuiet(): Promise<number> {
  await eventually('the run to wait again', async () => {
    const { workflows } = WorkflowListSchema.parse((await api.request('GET', '/workflows')).body);
    return workflows.every((w) => w.state === 'waiting_input' && w.phases.length > 4) ? true : undefined;
  });
  return api.server.service.events.lastSeq();
}

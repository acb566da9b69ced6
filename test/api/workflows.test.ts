// Workflows over real HTTP, hosted by the server itself: a run started with POST /workflows runs to
// VERIFY (which waits for a human: criterion 2 has no evidence), is steered with the signal routes,
// and completes with POST /tasks/{task}/verify and an override. Its artifacts are listed and
// downloaded; a file swapped for a symlink is refused.
import { rmSync, symlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactListSchema } from '../../src/contracts/api.js';
import { TaskShowSchema } from '../../src/contracts/views.js';
import {
  VerifyAnswerSchema,
  WorkflowListSchema,
  WorkflowStatusSchema,
  type WorkflowStatus,
} from '../../src/contracts/workflow.js';
import { eventually, startApi, type TestApi } from './helpers.js';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

async function status(id: string): Promise<WorkflowStatus> {
  return WorkflowStatusSchema.parse((await api.request('GET', `/workflows/${id}`)).body);
}

const settledIn = (id: string, state: WorkflowStatus['state']) =>
  eventually(`workflow ${id} ${state}`, async () => {
    const current = await status(id);
    return current.state === state ? current : undefined;
  });

describe('a workflow started over HTTP', () => {
  let id: string;

  it('is started (201) and run by the server to the human wait at VERIFY', async () => {
    const started = await api.request('POST', '/workflows', { body: { task: 'API-1', project: 'API' } });
    expect(started.status).toBe(201);
    const queued = WorkflowStatusSchema.parse(started.body);
    id = queued.id;
    expect(queued).toMatchObject({ blueprint_id: 'API-1' });
    // The server hosts: it takes the run in the start's own commit, so it is running (or queued
    // when the server is at its limit of runs at once), never past its first phase yet.
    expect(['pending', 'running']).toContain(queued.state);
    expect(queued.phases.every((p) => p.phase === 'implement' && p.outcome === null)).toBe(true);
    const waiting = await settledIn(id, 'waiting_input');
    expect(waiting.phases.map((p) => `${p.phase}:${p.outcome}`)).toEqual([
      'implement:passed',
      'test:passed',
      'use:passed',
      'verify:gate_failed',
    ]);
    const again = await api.request('POST', '/workflows', { body: { task: 'API-1' } });
    expect(again.status).toBe(409);
    // Its start event says it came from the HTTP API, not a command.
    const startEvent = (await api.server.service.events.readFrom(0, { workflow_id: id }, 1000)).find(
      (e) => e.type === 'workflow.started',
    );
    expect(startEvent?.data).toMatchObject({ origin: 'api' });
  }, 60_000);

  it('is listed with filters', async () => {
    const waiting = WorkflowListSchema.parse(
      (await api.request('GET', '/workflows?status=waiting_input,paused')).body,
    );
    expect(waiting.workflows.map((w) => w.id)).toEqual([id]);
    const done = WorkflowListSchema.parse(
      (await api.request('GET', '/workflows?project=API&status=completed')).body,
    );
    expect(done.workflows).toEqual([]);
  });

  it('lists its artifacts and downloads one; a symlink in its place is refused', async () => {
    const list = ArtifactListSchema.parse((await api.request('GET', `/artifacts?workflow=${id}`)).body);
    expect(list.artifacts.length).toBeGreaterThan(0);
    const byTask = ArtifactListSchema.parse((await api.request('GET', '/artifacts?task=API-1')).body);
    expect(byTask.artifacts.map((a) => a.id)).toEqual(list.artifacts.map((a) => a.id));
    const [first] = list.artifacts;
    if (first === undefined) throw new Error('no artifact');
    const download = await api.request('GET', `/artifacts/${first.id}/content`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.byteLength(download.text)).toBe(first.size);

    const file = api.server.service.artifacts.absolutePath(first);
    rmSync(file);
    symlinkSync('/etc/passwd', file);
    const refused = await api.request('GET', `/artifacts/${first.id}/content`);
    expect(refused.status).toBe(409);
    expect(refused.text).not.toContain('root:');
    expect((await api.request('GET', '/artifacts/no-such-id/content')).status).toBe(404);
    expect((await api.request('GET', '/artifacts?workflow=wf-nope')).status).toBe(404);
  });

  it('takes feedback and the generic signal; pause leaves a waiting run waiting, resume runs it again', async () => {
    /** Waits until the run has gone round again (more phase records) and waits for a human again. */
    const roundAgain = async (before: number): Promise<WorkflowStatus> =>
      await eventually('another round', async () => {
        const current = await status(id);
        return current.phases.length > before && current.state === 'waiting_input' ? current : undefined;
      });
    let before = (await status(id)).phases.length;
    const fed = await api.request('POST', `/workflows/${id}/feedback`, {
      body: { text: 'cover criterion 2' },
    });
    expect(fed.status).toBe(200);
    before = (await roundAgain(before)).phases.length;

    const noText = await api.request('POST', `/workflows/${id}/signal`, {
      body: { name: 'inject_feedback' },
    });
    expect(noText.status).toBe(400);
    const viaSignal = await api.request('POST', `/workflows/${id}/signal`, {
      body: { name: 'inject_feedback', text: 'and again' },
    });
    expect(viaSignal.status).toBe(200);
    before = (await roundAgain(before)).phases.length;

    // Waiting for a human is a stop of its own: a pause changes nothing.
    const paused = await api.request('POST', `/workflows/${id}/pause`);
    expect(WorkflowStatusSchema.parse(paused.body).state).toBe('waiting_input');
    expect((await api.request('POST', `/workflows/${id}/resume`)).status).toBe(200);
    await roundAgain(before);
  }, 90_000);

  it('completes through VERIFY again with an override, and task show has the evidence', async () => {
    const verified = await api.request('POST', '/tasks/API-1/verify', {
      body: { override: { criterion: 2, why: 'checked by hand' } },
    });
    expect(verified.status).toBe(200);
    const answer = VerifyAnswerSchema.parse(verified.body);
    expect(answer.verify.passed).toBe(true);
    expect(answer.task).toMatchObject({ status: 'completed', phase: 'done' });
    expect((await status(id)).state).toBe('completed');
    const shown = TaskShowSchema.parse((await api.request('GET', '/tasks/API-1')).body);
    expect(shown.evidence?.passed).toBe(true);
    // A finished run takes no more signals.
    expect((await api.request('POST', `/workflows/${id}/pause`)).status).toBe(409);
  }, 60_000);

  it('a cancelled run is cancelled', async () => {
    await api.request('POST', '/tasks/API-2/reopen');
    const started = WorkflowStatusSchema.parse(
      (await api.request('POST', '/workflows', { body: { task: 'API-2' } })).body,
    );
    const cancelled = await api.request('POST', `/workflows/${started.id}/cancel`);
    expect(cancelled.status).toBe(200);
    await settledIn(started.id, 'cancelled');
  }, 60_000);
});

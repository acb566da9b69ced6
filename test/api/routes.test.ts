// The read and edit routes over real HTTP: projects, tasks, frontier, graph, blueprints, status,
// orchestration config and health, lifecycle moves and dependency edits, and the OpenAPI document.
// Each answer is checked against the contract schema the CLI prints with.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectListSchema } from '../../src/contracts/api.js';
import { LintReportSchema } from '../../src/contracts/blueprint.js';
import { GraphDocumentSchema } from '../../src/contracts/cli.js';
import {
  DriftViewSchema,
  FrontierViewSchema,
  LifecycleMoveSchema,
  SyncReportSchema,
  TaskListSchema,
  TaskShowSchema,
  WorkspaceStatusSchema,
} from '../../src/contracts/views.js';
import { startApi, type TestApi } from './helpers.js';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

describe('read routes', () => {
  it('lists projects and tasks, with filters', async () => {
    const projects = await api.request('GET', '/projects');
    expect(projects.status).toBe(200);
    expect(ProjectListSchema.parse(projects.body).projects.map((p) => p.key)).toEqual(['API']);

    const tasks = TaskListSchema.parse((await api.request('GET', '/tasks?project=API')).body);
    expect(tasks.tasks.map((t) => t.blueprint_id)).toEqual(['API-1', 'API-2', 'API-3']);
    const active = await api.request('GET', '/tasks?status=completed');
    expect(TaskListSchema.parse(active.body).tasks).toEqual([]);
  });

  it('shows one task with its dependencies, history and (no) evidence', async () => {
    const shown = await api.request('GET', '/tasks/API-3');
    expect(shown.status).toBe(200);
    const task = TaskShowSchema.parse(shown.body);
    expect(task.dependencies.upstream.map((d) => d.blueprint_id)).toEqual(['API-2']);
    expect(task.evidence).toBeNull();
    // By task id as well as by blueprint id.
    expect((await api.request('GET', `/tasks/${task.id}`)).status).toBe(200);
  });

  it('answers the frontier in order with the blocked task and its reason', async () => {
    const frontier = FrontierViewSchema.parse((await api.request('GET', '/frontier')).body);
    expect(frontier.ready.map((t) => t.blueprint_id)).toEqual(['API-1', 'API-2']);
    expect(frontier.blocked).toEqual([
      expect.objectContaining({
        blueprint_id: 'API-3',
        blockers: [expect.objectContaining({ blueprint_id: 'API-2' })],
      }),
    ]);
  });

  it('exports the graph as a JSON object, DOT and mermaid text', async () => {
    const json = GraphDocumentSchema.parse((await api.request('GET', '/graph?format=json')).body);
    expect(typeof json.graph).toBe('object');
    const dot = GraphDocumentSchema.parse((await api.request('GET', '/graph?format=dot')).body);
    expect(dot.graph).toMatch(/^digraph/);
    const mermaid = GraphDocumentSchema.parse((await api.request('GET', '/graph?format=mermaid')).body);
    expect(mermaid.graph).toMatch(/^graph TD/);
    const bad = await api.request('GET', '/graph?format=png');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_request', field: 'query.format' } });
  });

  it('reports status, orchestration config and health', async () => {
    const status = WorkspaceStatusSchema.parse((await api.request('GET', '/status')).body);
    expect(status.projects[0]).toMatchObject({ key: 'API', tasks: 3 });
    const config = await api.request<{ backend: string; runmode: { ituv: { max_iterations: number } } }>(
      'GET',
      '/orchestration/config',
    );
    expect(config.body.backend).toBe('native');
    expect(config.body.runmode.ituv.max_iterations).toBe(1);
    const health = await api.request('GET', '/orchestration/health');
    expect(health.body).toMatchObject({ ok: true, backend: 'native' });
  });

  it('lints a posted blueprint under the name given, syncs, and reports drift', async () => {
    const lint = await api.request('POST', '/blueprints/lint', {
      body: { format: 'markdown', content: '# Empty\n', name: 'draft.md' },
    });
    expect(lint.status).toBe(200);
    const report = LintReportSchema.parse(lint.body);
    expect(report.ok).toBe(false);
    expect(report.files[0]?.file).toBe('draft.md');
    expect(report.files[0]?.diagnostics[0]).toMatchObject({ file: 'draft.md', severity: 'error' });

    const sync = SyncReportSchema.parse((await api.request('POST', '/blueprints/sync')).body);
    expect(sync).toMatchObject({ ok: true });
    expect(sync.projects[0]?.unchanged).toEqual(['API-1', 'API-2', 'API-3']);
    const drift = DriftViewSchema.parse((await api.request('GET', '/blueprints/status?project=API')).body);
    expect(drift.projects[0]).toMatchObject({ key: 'API', new: [], changed: [] });
  });
});

describe('edits', () => {
  it('adds and removes a dependency; a cycle is a 409 naming it', async () => {
    const added = await api.request('POST', '/tasks/API-2/dependencies', { body: { depends_on: 'API-1' } });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      task: 'API-2',
      depends_on: 'API-1',
      policy: 'completion_required',
      artifact_key: null,
    });

    const cycle = await api.request('POST', '/tasks/API-1/dependencies', { body: { depends_on: 'API-3' } });
    expect(cycle.status).toBe(409);
    expect(cycle.body).toMatchObject({ error: { code: 'conflict' } });
    expect((cycle.body as { error: { message: string } }).error.message).toMatch(/cycle: .*API-1.*API-3/);

    const removed = await api.request('DELETE', '/tasks/API-2/dependencies/API-1');
    expect(removed.body).toEqual({ task: 'API-2', depends_on: 'API-1', removed: true });
    expect((await api.request('DELETE', '/tasks/API-2/dependencies/API-1')).status).toBe(404);
  });

  it('an artifact key goes only with artifact_ready (a 400 from the schema, not from the store)', async () => {
    const wrong = await api.request('POST', '/tasks/API-2/dependencies', {
      body: { depends_on: 'API-1', policy: 'completion_required', artifact_key: 'report' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ error: { code: 'invalid_request' } });
  });

  it('moves tasks through the lifecycle; a move the lifecycle forbids is a 409', async () => {
    const cancel = await api.request('POST', '/tasks/API-2/cancel', { body: { reason: 'not needed' } });
    expect(LifecycleMoveSchema.parse(cancel.body)).toMatchObject({ from: 'active', status: 'cancelled' });
    // No body at all: every field is optional.
    const reopen = await api.request('POST', '/tasks/API-2/reopen');
    expect(reopen.status).toBe(200);
    expect(reopen.body).toMatchObject({ from: 'cancelled', status: 'active' });
    const approve = await api.request('POST', '/tasks/API-2/approve');
    expect(approve.status).toBe(409);
    expect(approve.body).toMatchObject({ error: { code: 'conflict' } });
    const history = TaskShowSchema.parse((await api.request('GET', '/tasks/API-2')).body).history;
    expect(history.map((h) => h.reason)).toEqual(['cancelled by user: not needed', 'reopened by user']);
  });
});

describe('errors', () => {
  it('400 names the failing field; unknown keys, wrong types and JSON null included', async () => {
    const missing = await api.request('POST', '/workflows', { body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ error: { code: 'invalid_request', field: 'body.task' } });
    const extra = await api.request('POST', '/workflows', { body: { task: 'API-1', detach: true } });
    expect(extra.body).toMatchObject({ error: { field: 'body.detach' } });
    const nullBody = await api.request('POST', '/tasks/API-2/reopen', { raw: 'null' });
    expect(nullBody.status).toBe(400);
    expect(nullBody.body).toMatchObject({ error: { field: 'body' } });
    const notJson = await api.request('POST', '/workflows', { raw: '{"task":' });
    expect(notJson.status).toBe(400);
    expect(notJson.body).toMatchObject({ error: { code: 'invalid_request', field: 'body' } });
    const status = await api.request('GET', '/workflows?status=runing');
    expect(status.body).toMatchObject({ error: { field: 'query.status' } });
  });

  it('an id longer than any the schema allows is a 400 naming it, not the router 414', async () => {
    const long = await api.request('GET', `/tasks/${'x'.repeat(300)}`);
    expect(long.status).toBe(400);
    expect(long.body).toMatchObject({ error: { field: 'path.task' } });
  });

  it('404 for unknown ids and routes, 405 with Allow for a method the path does not take', async () => {
    expect((await api.request('GET', '/tasks/NOPE-9')).body).toMatchObject({ error: { code: 'not_found' } });
    expect((await api.request('GET', '/workflows/wf-nope')).status).toBe(404);
    expect((await api.request('GET', '/nothing-here')).status).toBe(404);
    const put = await api.request('PUT', '/tasks');
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD');
    // QUERY carries a body, which Fastify checks before it finds there is no route.
    expect((await api.request('QUERY', '/tasks')).status).toBe(405);
  });

  it('413 for a body over the limit', async () => {
    const big = await api.request('POST', '/blueprints/lint', {
      body: { format: 'markdown', content: 'x'.repeat(2 * 1024 * 1024) },
    });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('a criterion the task lacks is a 404, before VERIFY runs', async () => {
    const bad = await api.request('POST', '/tasks/API-1/verify', {
      body: { override: { criterion: 9, why: 'x' } },
    });
    expect(bad.status).toBe(404);
    expect(bad.body).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('OpenAPI', () => {
  it('serves a 3.1 document with every route, optional bodies marked optional', async () => {
    const doc = await api.request<{
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: { required: boolean } }>>;
    }>('GET', '/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    const paths = Object.keys(doc.body.paths);
    for (const path of [
      '/api/v1/workflows',
      '/api/v1/workflows/{id}/pause',
      '/api/v1/tasks/{task}/dependencies/{dep}',
      '/api/v1/events',
      '/api/v1/artifacts/{id}/content',
      '/api/v1/orchestration/health',
    ]) {
      expect(paths).toContain(path);
    }
    expect(doc.body.paths['/api/v1/tasks/{task}/approve']?.post?.requestBody?.required).toBe(false);
    expect(doc.body.paths['/api/v1/workflows']?.post?.requestBody?.required).toBe(true);
  });
});

// The orchestration contract (DESIGN §6), parametrised by a backend factory so the native engine and
// the Temporal backend run the very same tests. Every phase runs a real child process.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, UsageError } from '../../src/errors.js';
import type { EventLog } from '../../src/events/log.js';
import type { EventType, PenguinEvent } from '../../src/events/types.js';
import type { OrchestrationBackend, WorkflowState, WorkflowStatus } from '../../src/orchestration/backend.js';
import type { NativeEngineConfig } from '../../src/orchestration/native/engine.js';
import type { PhaseExecutor } from '../../src/orchestration/phase-executor.js';
import type { Task } from '../../src/project/model.js';
import type { Store } from '../../src/project/store.js';
import {
  makeWorkspace,
  processAlive,
  ScriptedExecutor,
  seedTasks,
  sideEffects,
  TEST_CONFIG,
  until,
  type Workspace,
} from './helpers.js';

export interface ContractDeps {
  store: Store;
  events: EventLog;
  executor: PhaseExecutor;
  config: NativeEngineConfig;
  dbFile: string;
}

export type MakeBackend = (deps: ContractDeps) => OrchestrationBackend | Promise<OrchestrationBackend>;

const TERMINAL: WorkflowState[] = ['completed', 'failed', 'cancelled'];

async function waitState(
  backend: OrchestrationBackend,
  id: string,
  states: WorkflowState[],
  timeoutMs = 30_000,
): Promise<WorkflowStatus> {
  let last: WorkflowStatus | undefined;
  return until(
    `workflow ${id} to reach ${states.join('|')} (last: ${last?.state ?? '?'})`,
    async () => {
      last = await backend.getStatus(id);
      return states.includes(last.state) ? last : null;
    },
    timeoutMs,
  );
}

function workflowEvents(events: EventLog, id: string): Promise<PenguinEvent[]> {
  return events.readFrom(0, { workflow_id: id }, 10_000);
}

function types(events: PenguinEvent[], only?: EventType[]): string[] {
  return events
    .filter((e) => !only || only.includes(e.type))
    .map((e) => (e.phase ? `${e.type}:${e.phase}` : e.type));
}

export function describeBackendContract(name: string, makeBackend: MakeBackend): void {
  describe(`orchestration contract: ${name}`, () => {
    let ws: Workspace;
    let executor: ScriptedExecutor;
    let backend: OrchestrationBackend | undefined;
    let tasks: Task[];

    async function setup(config: Partial<NativeEngineConfig> = {}): Promise<OrchestrationBackend> {
      backend = await makeBackend({
        store: ws.store,
        events: ws.events,
        executor,
        config: { ...TEST_CONFIG, ...config },
        dbFile: ws.dbFile,
      });
      return backend;
    }

    beforeEach(async () => {
      ws = makeWorkspace();
      executor = new ScriptedExecutor(ws.dir);
      tasks = await seedTasks(ws.store, 'BOOK', ['BOOK-1', 'BOOK-2']);
    });

    afterEach(async () => {
      await backend?.close();
      backend = undefined;
      await ws.cleanup();
    });

    it('runs a task through IMPLEMENT, TEST, USE, VERIFY to completion', async () => {
      const b = await setup();
      const task = tasks[0]!;
      const id = await b.startWorkflow(task.id, { origin: 'test' });
      const status = await waitState(b, id, TERMINAL);

      expect(status.state).toBe('completed');
      expect(status.progress).toBe(100);
      expect(status.phase).toBe('done');
      expect(status.phases.map((p) => `${p.phase}:${p.outcome}`)).toEqual([
        'implement:passed',
        'test:passed',
        'use:passed',
        'verify:passed',
      ]);
      expect(await ws.store.tasks.get(task.id)).toMatchObject({ status: 'completed', phase: 'done' });

      const events = await workflowEvents(ws.events, id);
      const lifecycle: EventType[] = [
        'workflow.started',
        'workflow.phase_started',
        'workflow.phase_completed',
        'workflow.completed',
      ];
      expect(types(events, lifecycle)).toEqual([
        'workflow.started:implement',
        'workflow.phase_started:implement',
        'workflow.phase_completed:implement',
        'workflow.phase_started:test',
        'workflow.phase_completed:test',
        'workflow.phase_started:use',
        'workflow.phase_completed:use',
        'workflow.phase_started:verify',
        'workflow.phase_completed:verify',
        'workflow.completed:done',
      ]);
      // seq strictly increasing, and each phase's agent output lies between its start and its completion.
      const seqs = events.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      for (const phase of ['implement', 'test', 'use', 'verify']) {
        const started = events.findIndex((e) => e.type === 'workflow.phase_started' && e.phase === phase);
        const completed = events.findIndex((e) => e.type === 'workflow.phase_completed' && e.phase === phase);
        const output = events.filter(
          (e, i) => e.type === 'agent.output' && e.phase === phase && i > started && i < completed,
        );
        expect(output.map((e) => (e.type === 'agent.output' ? e.data.chunk : '')).join('')).toContain(
          'finished: pass',
        );
      }
      // Progress never goes down.
      const progress = events.filter((e) => e.progress !== undefined).map((e) => e.progress ?? 0);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));

      const taskEvents = events
        .filter((e) => e.type === 'task.status_changed')
        .map((e) => `${String(e.data.from)}>${String(e.data.to)}`);
      expect(taskEvents).toEqual(['active>running', 'running>completed']);
      expect(events.filter((e) => e.type === 'task.phase_changed').map((e) => e.data.to)).toEqual([
        'implement',
        'test',
        'use',
        'verify',
        'done',
      ]);
      expect(sideEffects(ws.dir)).toHaveLength(4);
    });

    it('answers the status, phase, artifacts and progress queries', async () => {
      const b = await setup();
      const id = await b.startWorkflow(tasks[0]!.id);
      await waitState(b, id, TERMINAL);
      const status = (await b.query(id, 'status')) as WorkflowStatus;
      expect(status).toMatchObject({ id, task_id: tasks[0]!.id, blueprint_id: 'BOOK-1', state: 'completed' });
      expect(await b.query(id, 'phase')).toBe('done');
      expect(await b.query(id, 'progress')).toBe(100);
      const artifacts = (await b.query(id, 'artifacts')) as { name: string; path: string; phase: string }[];
      expect(artifacts.map((a) => `${a.phase}/${a.name}`)).toEqual([
        'implement/implement.txt',
        'test/test.txt',
        'use/use.txt',
        'verify/verify.txt',
      ]);
      for (const a of artifacts) expect(readFileSync(a.path, 'utf8')).toMatch(/^evidence of /);
      await expect(b.getStatus('wf-missing')).rejects.toBeInstanceOf(NotFoundError);
      await expect(b.query('wf-missing', 'phase')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('loops a TEST gate failure back to IMPLEMENT with the failure as feedback', async () => {
      const b = await setup();
      const task = tasks[0]!;
      executor.script(task.id, { 'test:1': 'fail' });
      const id = await b.startWorkflow(task.id);
      const status = await waitState(b, id, TERMINAL);

      expect(status.state).toBe('completed');
      expect(status.iteration).toBe(2);
      expect(status.phases.map((p) => `${p.phase}${p.iteration}:${p.outcome}`)).toEqual([
        'implement1:passed',
        'test1:gate_failed',
        'implement2:passed',
        'test2:passed',
        'use2:passed',
        'verify2:passed',
      ]);
      const implement2 = executor.calls.find((c) => c.phase === 'implement' && c.iteration === 2);
      expect(implement2?.feedback.join('\n')).toMatch(/TEST failed \(iteration 1\): test check failed/);
      const verify = executor.calls.find((c) => c.phase === 'verify');
      expect(verify?.previousPhases.sort()).toEqual(['implement', 'test', 'use']);
      expect(types(await workflowEvents(ws.events, id), ['workflow.phase_failed'])).toEqual([
        'workflow.phase_failed:test',
      ]);
    });

    it('waits for input after max iterations, and injected feedback resumes it to completion', async () => {
      const b = await setup({ maxIterations: 2 });
      const task = tasks[0]!;
      executor.script(task.id, { use: 'fail' });
      const id = await b.startWorkflow(task.id);
      const waiting = await waitState(b, id, ['waiting_input', ...TERMINAL]);

      expect(waiting.state).toBe('waiting_input');
      expect(waiting.waiting_reason).toBe('clarification_needed');
      expect(waiting.phases.filter((p) => p.phase === 'use').map((p) => p.outcome)).toEqual([
        'gate_failed',
        'gate_failed',
      ]);
      expect(await ws.store.tasks.get(task.id)).toMatchObject({ status: 'waiting_input', phase: 'blocked' });

      executor.script(task.id, {});
      await b.signal(id, 'inject_feedback', { text: 'the service must listen on port 8080' });
      const done = await waitState(b, id, TERMINAL);

      expect(done.state).toBe('completed');
      const implement3 = executor.calls.find((c) => c.phase === 'implement' && c.iteration === 3);
      expect(implement3?.feedback).toContain('the service must listen on port 8080');
      expect(await ws.store.tasks.get(task.id)).toMatchObject({ status: 'completed', phase: 'done' });
      expect(
        types(await workflowEvents(ws.events, id), [
          'workflow.waiting_input',
          'workflow.feedback',
          'workflow.resumed',
          'workflow.completed',
        ]),
      ).toEqual([
        'workflow.waiting_input:implement',
        'workflow.feedback:implement',
        'workflow.resumed:implement',
        'workflow.completed:done',
      ]);
    });

    it('waits when the agent asks a question and continues on resume', async () => {
      const b = await setup();
      const task = tasks[0]!;
      executor.script(task.id, { implement: 'ask' });
      const id = await b.startWorkflow(task.id);
      const waiting = await waitState(b, id, ['waiting_input', ...TERMINAL]);
      expect(waiting).toMatchObject({
        state: 'waiting_input',
        waiting_reason: 'agent_question',
        question: 'Which port should the server use?',
      });

      await b.signal(id, 'resume');
      const done = await waitState(b, id, TERMINAL);
      expect(done.state).toBe('completed');
      expect(executor.calls.filter((c) => c.phase === 'implement').map((c) => c.resumed)).toEqual([
        false,
        true,
      ]);
    });

    it('pauses at the next phase boundary and resumes from the next phase', async () => {
      const b = await setup();
      const task = tasks[0]!;
      executor.script(task.id, { implement: { action: 'pass', sleepMs: 1_000 } });
      const id = await b.startWorkflow(task.id);
      await until('implement to start', () => existsSync(join(ws.dir, `${id}_implement_1_1.pid`)));
      await b.signal(id, 'pause');
      const paused = await waitState(b, id, ['paused', ...TERMINAL]);

      expect(paused.state).toBe('paused');
      // The in-flight IMPLEMENT finished; TEST did not start.
      expect(paused.phases.map((p) => `${p.phase}:${p.outcome}`)).toEqual(['implement:passed']);
      expect(paused.phase).toBe('test');
      expect(await ws.store.tasks.get(task.id)).toMatchObject({ status: 'active', phase: 'pending' });
      await new Promise((r) => setTimeout(r, 400));
      expect((await b.getStatus(id)).state).toBe('paused');

      await b.signal(id, 'resume');
      const done = await waitState(b, id, TERMINAL);
      expect(done.state).toBe('completed');
      expect(sideEffects(ws.dir).filter((k) => k.includes(':implement:'))).toHaveLength(1);
      expect(types(await workflowEvents(ws.events, id), ['workflow.paused', 'workflow.resumed'])).toEqual([
        'workflow.paused:test',
        'workflow.resumed:test',
      ]);
    });

    it('cancels mid-phase: the agent process is killed and the task cancelled', async () => {
      const b = await setup();
      const task = tasks[0]!;
      executor.script(task.id, { implement: { action: 'pass', sleepMs: 60_000 } });
      const id = await b.startWorkflow(task.id);
      const pidFile = join(ws.dir, `${id}_implement_1_1.pid`);
      await until(
        'the agent to start',
        () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').length > 0,
      );
      const pid = Number(readFileSync(pidFile, 'utf8'));
      expect(processAlive(pid)).toBe(true);

      await b.cancel(id);
      const status = await waitState(b, id, TERMINAL, 10_000);
      expect(status.state).toBe('cancelled');
      await until('the agent process to be gone', () => !processAlive(pid), 10_000);
      expect(status.phases.map((p) => p.outcome)).toEqual(['cancelled']);
      expect((await ws.store.tasks.get(task.id))?.status).toBe('cancelled');
      expect(sideEffects(ws.dir)).toEqual([]);
      await expect(b.signal(id, 'resume')).rejects.toBeInstanceOf(ConflictError);
    });

    it('retries a crashed agent with backoff, and fails the task when retries run out', async () => {
      const b = await setup();
      const [first, second] = tasks as [Task, Task];
      executor.script(first.id, { 'implement:1:1': 'crash' });
      executor.script(second.id, { test: 'crash' });
      const ok = await b.startWorkflow(first.id);
      const bad = await b.startWorkflow(second.id);
      const okStatus = await waitState(b, ok, TERMINAL);
      const badStatus = await waitState(b, bad, TERMINAL);

      expect(okStatus.state).toBe('completed');
      expect(okStatus.phases.slice(0, 2).map((p) => `${p.phase}#${p.attempt}:${p.outcome}`)).toEqual([
        'implement#1:transient_error',
        'implement#2:passed',
      ]);
      expect(types(await workflowEvents(ws.events, ok), ['workflow.retrying'])).toEqual([
        'workflow.retrying:implement',
      ]);

      expect(badStatus.state).toBe('failed');
      expect(badStatus.phases.filter((p) => p.phase === 'test').map((p) => p.outcome)).toEqual([
        'transient_error',
        'transient_error',
        'transient_error',
      ]);
      expect(badStatus.last_failure).toMatch(/test failed 3 times/);
      expect(await ws.store.tasks.get(second.id)).toMatchObject({ status: 'failed', phase: 'blocked' });
    });

    it('enforces the phase timebox as a transient failure', async () => {
      const b = await setup({
        timeboxSec: { implement: 0.5, test: 30, use: 30, verify: 30 },
        retry: { max_attempts: 2, initial_interval_sec: 0.05, backoff: 2, max_interval_sec: 0.1 },
      });
      const task = tasks[0]!;
      executor.script(task.id, { implement: { action: 'pass', sleepMs: 30_000 } });
      const id = await b.startWorkflow(task.id);
      const status = await waitState(b, id, TERMINAL, 20_000);
      expect(status.state).toBe('failed');
      expect(status.phases.map((p) => `${p.attempt}:${p.outcome}`)).toEqual([
        '1:transient_error',
        '2:transient_error',
      ]);
      for (const attempt of [1, 2]) {
        const pid = Number(readFileSync(join(ws.dir, `${id}_implement_1_${attempt}.pid`), 'utf8'));
        await until(`attempt ${attempt}'s agent to be killed`, () => !processAlive(pid), 10_000);
      }
    });

    it('refuses a second live workflow for one task and signals to a finished one', async () => {
      const b = await setup();
      const task = tasks[0]!;
      executor.script(task.id, { implement: { action: 'pass', sleepMs: 500 } });
      const id = await b.startWorkflow(task.id);
      await expect(b.startWorkflow(task.id)).rejects.toBeInstanceOf(ConflictError);
      await waitState(b, id, TERMINAL);
      await expect(b.signal(id, 'pause')).rejects.toBeInstanceOf(ConflictError);
      await expect(b.startWorkflow('t-nope')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('commits the writes handed to a start with the run, and a throw among them refuses it', async () => {
      const b = await setup();
      const [first, second] = [tasks[0]!, tasks[1]!];
      const id = await b.startWorkflow(first.id, { origin: 'scheduler' }, async (tx, workflowId) => {
        await tx.events.append({
          type: 'heartbeat',
          project_id: first.project_id,
          workflow_id: workflowId,
          data: {},
        });
      });
      const alongside = await ws.events.readFrom(0, { types: ['heartbeat'] });
      expect(alongside.map((e) => e.workflow_id)).toEqual([id]);
      await waitState(b, id, TERMINAL);
      // Refused inside its transaction: no run, no write, and the task can still be started.
      await expect(
        b.startWorkflow(second.id, {}, async (tx) => {
          await tx.events.append({ type: 'heartbeat', project_id: second.project_id, data: {} });
          throw new ConflictError('taken');
        }),
      ).rejects.toThrow('taken');
      expect(await b.list({ taskId: second.id })).toEqual([]);
      expect(await ws.events.readFrom(0, { types: ['heartbeat'] })).toHaveLength(1);
      const again = await b.startWorkflow(second.id);
      await waitState(b, again, TERMINAL);
    });

    it('lists workflows by project, task and state', async () => {
      const b = await setup();
      const [other] = await seedTasks(ws.store, 'SHOP', ['SHOP-1']);
      executor.script(tasks[1]!.id, { implement: { action: 'pass', sleepMs: 60_000 } });
      const done = await b.startWorkflow(tasks[0]!.id);
      const cancelled = await b.startWorkflow(tasks[1]!.id);
      const shop = await b.startWorkflow(other!.id);
      await waitState(b, done, TERMINAL);
      await waitState(b, shop, TERMINAL);
      await b.cancel(cancelled);
      await waitState(b, cancelled, TERMINAL);

      const ids = (list: WorkflowStatus[]): string[] => list.map((w) => w.id).sort();
      expect(ids(await b.list())).toEqual([done, cancelled, shop].sort());
      expect(ids(await b.list({ projectId: tasks[0]!.project_id }))).toEqual([done, cancelled].sort());
      expect(ids(await b.list({ taskId: other!.id }))).toEqual([shop]);
      expect(ids(await b.list({ status: 'cancelled' }))).toEqual([cancelled]);
      expect(
        ids(await b.list({ status: ['completed', 'cancelled'], projectId: tasks[0]!.project_id })),
      ).toEqual([done, cancelled].sort());
      expect(await b.list({ status: 'running' })).toEqual([]);
      expect((await b.health()).ok).toBe(true);
    });

    it('runs IMPLEMENT after an answer to a run out of iterations, also one stepping a phase at a time', async () => {
      const b = await setup({ maxIterations: 1 });
      const task = tasks[0]!;
      executor.script(task.id, { 'implement:1': 'fail' });
      // `task ituv next`: the run was to pause after its phase, which used up its iterations instead.
      const id = await b.startWorkflow(task.id, { pauseAfterPhase: true });
      const waiting = await waitState(b, id, ['waiting_input', 'paused', ...TERMINAL]);
      expect(waiting).toMatchObject({ state: 'waiting_input', waiting_reason: 'clarification_needed' });

      await b.signal(id, 'inject_feedback', { text: 'try again' });
      const after = await waitState(b, id, ['paused', ...TERMINAL]);
      expect(after.state).toBe('completed');
      expect(after.phases.map((p) => `${p.phase}${p.iteration}:${p.outcome}`).slice(0, 2)).toEqual([
        'implement1:gate_failed',
        'implement2:passed',
      ]);
    });

    it('reports the newest committed result of each phase', async () => {
      const b = await setup();
      const task = tasks[0]!;
      executor.script(task.id, { 'test:1': 'fail' });
      const id = await b.startWorkflow(task.id);
      await waitState(b, id, TERMINAL);
      // TEST failed in iteration 1 and passed in iteration 2: the newest one counts.
      expect(await b.phaseResults(id)).toEqual({
        implement: { key: `${id}:implement:2:1` },
        test: { key: `${id}:test:2:1` },
        use: { key: `${id}:use:2:1` },
        verify: { key: `${id}:verify:2:1` },
      });
      await expect(Promise.resolve().then(() => b.phaseResults('wf-missing'))).rejects.toBeInstanceOf(
        NotFoundError,
      );
    });

    it('completes a waiting run with a passing re-verify, recording the override and real moves', async () => {
      const b = await setup({ maxIterations: 1 });
      const task = tasks[0]!;
      executor.script(task.id, { verify: 'fail' });
      const id = await b.startWorkflow(task.id);
      const waiting = await waitState(b, id, ['waiting_input', ...TERMINAL]);
      expect(waiting).toMatchObject({ state: 'waiting_input', waiting_reason: 'clarification_needed' });
      const historyBefore = (await ws.store.transitions.list(task.id)).length;

      await b.reverify(id, {
        verdict: {
          passed: true,
          summary: 'all 1 acceptance criteria have evidence',
          result: { passed: true },
        },
        override: { criterion: 1, justification: 'checked by hand' },
      });
      const done = await waitState(b, id, TERMINAL);

      expect(done.state).toBe('completed');
      expect(done.phases.at(-1)).toMatchObject({ phase: 'verify', attempt: 0, outcome: 'passed' });
      expect((await b.phaseResults(id)).verify).toEqual({ passed: true });
      expect(await ws.store.tasks.get(task.id)).toMatchObject({
        status: 'completed',
        phase: 'done',
        overrides: [{ criterion: 1, justification: 'checked by hand' }],
      });
      // The task really went through VERIFY: no reopen, no made-up steps.
      expect(
        (await ws.store.transitions.list(task.id))
          .slice(historyBefore)
          .map((t) => `${t.from_status}/${t.from_phase}>${t.to_status}/${t.to_phase}`),
      ).toEqual(['waiting_input/blocked>running/verify', 'running/verify>completed/done']);
      const events = await workflowEvents(ws.events, id);
      expect(types(events, ['workflow.phase_completed', 'workflow.completed']).slice(-2)).toEqual([
        'workflow.phase_completed:verify',
        'workflow.completed:done',
      ]);
      expect(events.filter((e) => e.type === 'workflow.phase_completed').at(-1)?.data).toMatchObject({
        attempt: 0,
        rerun: true,
      });
    });

    it('records a failing re-verify of a paused run and changes nothing else', async () => {
      const b = await setup();
      const task = tasks[0]!;
      const id = await b.startWorkflow(task.id, { pauseAfterPhase: true });
      const paused = await waitState(b, id, ['paused', ...TERMINAL]);
      expect(paused).toMatchObject({ state: 'paused', phase: 'test' });
      const historyBefore = (await ws.store.transitions.list(task.id)).length;

      await b.reverify(id, {
        verdict: {
          passed: false,
          summary: 'tests gate: no test run was recorded',
          result: { passed: false },
        },
        override: null,
      });
      await b.reverify(id, {
        verdict: { passed: false, summary: 'still no test run', result: { passed: false } },
      });

      const after = await b.getStatus(id);
      expect(after).toMatchObject({ state: 'paused', phase: 'test', iteration: 1 });
      expect(after.phases.map((p) => `${p.phase}:${p.attempt}:${p.outcome}`)).toEqual([
        'implement:1:passed',
        'verify:0:gate_failed',
        'verify:0:gate_failed',
      ]);
      expect(await ws.store.transitions.list(task.id)).toHaveLength(historyBefore);
      expect(await ws.store.tasks.get(task.id)).toMatchObject({
        status: 'active',
        phase: 'pending',
        overrides: [],
      });

      // The run goes on from where it paused.
      await b.signal(id, 'resume');
      const done = await waitState(b, id, TERMINAL);
      expect(done.state).toBe('completed');
      expect(done.phases.filter((p) => p.attempt > 0).map((p) => p.phase)).toEqual([
        'implement',
        'test',
        'use',
        'verify',
      ]);
    });

    it('refuses a re-verify of a run a host is running or that has finished', async () => {
      const b = await setup();
      const [first, second] = tasks as [Task, Task];
      executor.script(first.id, { implement: { action: 'pass', sleepMs: 60_000 } });
      const running = await b.startWorkflow(first.id);
      await until('implement to start', () => existsSync(join(ws.dir, `${running}_implement_1_1.pid`)));
      const verdict = { passed: true, summary: 'ok', result: null };
      await expect(b.reverify(running, { verdict })).rejects.toBeInstanceOf(ConflictError);
      await expect(b.signal(running, 'reverify', { verdict: 'yes' })).rejects.toBeInstanceOf(UsageError);
      await b.cancel(running);

      const done = await b.startWorkflow(second.id);
      await waitState(b, done, TERMINAL);
      await expect(b.reverify(done, { verdict })).rejects.toBeInstanceOf(ConflictError);
      await expect(b.reverify('wf-missing', { verdict })).rejects.toBeInstanceOf(NotFoundError);
    });
  });
}

// Shared by the orchestration tests: a real SQLite workspace in a temp dir, tasks, and a scripted
// executor whose every phase is a real child process (test/fixtures/orchestration/phase.mjs).
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EventLog } from '../../src/events/log.js';
import { runCommand } from '../../src/ituv/process.js';
import type { NativeEngineConfig } from '../../src/orchestration/native/engine.js';
import type { PhaseContext, PhaseExecutor, PhaseOutcome } from '../../src/orchestration/phase-executor.js';
import type { ItuvPhase, Task } from '../../src/project/model.js';
import { openSqliteStore, type SqliteStore } from '../../src/project/sqlite/store.js';
import type { NewTask, Store } from '../../src/project/store.js';
import { newTask as newProjectTask } from '../project/task-factory.js';

export const PHASE_SCRIPT = resolve(import.meta.dirname, '../fixtures/orchestration/phase.mjs');

export interface Workspace {
  dir: string;
  dbFile: string;
  store: SqliteStore;
  events: EventLog;
  cleanup(): Promise<void>;
}

export function makeWorkspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'penguin-orch-'));
  const dbFile = join(dir, 'penguin.db');
  const store = openSqliteStore(dbFile);
  const events = new EventLog(store);
  return {
    dir,
    dbFile,
    store,
    events,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const TEST_CONFIG: NativeEngineConfig = {
  retry: { max_attempts: 3, initial_interval_sec: 0.05, backoff: 2, max_interval_sec: 0.2 },
  timeboxSec: { implement: 30, test: 30, use: 30, verify: 30 },
  maxIterations: 3,
  autoApprove: true,
};

export function newTask(projectId: string, blueprintId: string, order = 0): NewTask {
  return newProjectTask(projectId, blueprintId, {
    acceptance_criteria: [`${blueprintId} works`],
    blueprint_order: order,
    content_hash: `hash-${blueprintId}`,
  });
}

/** Creates project `key` with active tasks `ids`. */
export function seedTasks(store: Store, key: string, ids: string[]): Promise<Task[]> {
  return store.transaction(async (tx) => {
    const project = await tx.projects.upsert({ key, title: key, blueprint_file: null });
    return tx.tasks.createMany(ids.map((id, i) => ({ task: newTask(project.id, id, i) })));
  });
}

export type Action = 'pass' | 'fail' | 'crash' | 'ask';
export interface Step {
  action: Action;
  sleepMs?: number;
}
/**
 * Per task: what each phase does, looked up by `phase:iteration:attempt`, then `phase:iteration`,
 * then `phase`; default pass. `ask` passes once the run was resumed or answered.
 */
export type Script = Record<string, Action | Step>;

export interface Call {
  key: string;
  phase: ItuvPhase;
  iteration: number;
  attempt: number;
  feedback: string[];
  previousPhases: string[];
  resumed: boolean;
}

export class ScriptedExecutor implements PhaseExecutor {
  readonly calls: Call[] = [];
  private readonly scripts = new Map<string, Script>();

  constructor(readonly dir: string) {}

  script(taskId: string, script: Script): void {
    this.scripts.set(taskId, script);
  }

  async execute(ctx: PhaseContext): Promise<PhaseOutcome> {
    this.calls.push({
      key: ctx.idempotencyKey,
      phase: ctx.phase,
      iteration: ctx.iteration,
      attempt: ctx.attempt,
      feedback: [...ctx.feedback],
      previousPhases: Object.keys(ctx.previousResults),
      resumed: ctx.resumed,
    });
    const script = this.scripts.get(ctx.task.id) ?? {};
    const entry =
      script[`${ctx.phase}:${ctx.iteration}:${ctx.attempt}`] ??
      script[`${ctx.phase}:${ctx.iteration}`] ??
      script[ctx.phase] ??
      'pass';
    const step: Step = typeof entry === 'string' ? { action: entry } : entry;
    const action = step.action === 'ask' && ctx.resumed ? 'pass' : step.action;
    const run = await runCommand(
      `"${process.execPath}" "${PHASE_SCRIPT}" "${ctx.idempotencyKey}" "${this.dir}" ${action} ${step.sleepMs ?? 0}`,
      {
        cwd: this.dir,
        env: { PATH: process.env.PATH },
        signal: ctx.signal,
        timeoutMs: ctx.timeoutMs,
        killGraceMs: 200,
        // The phase script reports its own pid, which only means something on the host outside a
        // PID namespace; these tests are about the engine, containment has its own (test/ituv).
        containment: 'process-group',
        onOutput: (stream, chunk) => ctx.emit('agent.output', { stream, chunk }),
      },
    );
    if (run.aborted || run.timedOut)
      return { kind: 'transient_error', summary: `agent stopped (${run.aborted ? 'aborted' : 'timed out'})` };
    const safeKey = ctx.idempotencyKey.replace(/[^A-Za-z0-9_.-]/g, '_');
    switch (run.exitCode) {
      case 0:
        return {
          kind: 'passed',
          summary: `${ctx.phase} passed`,
          result: { key: ctx.idempotencyKey },
          artifacts: [
            { name: `${ctx.phase}.txt`, path: join(this.dir, `${safeKey}.artifact.txt`), kind: 'log' },
          ],
        };
      case 1:
        return {
          kind: 'gate_failed',
          summary: `${ctx.phase} check failed`,
          result: { key: ctx.idempotencyKey },
        };
      case 3:
        return { kind: 'needs_input', question: 'Which port should the server use?' };
      default:
        return { kind: 'transient_error', summary: `agent crashed with exit code ${run.exitCode}` };
    }
  }
}

/** The attempts the phase script finished in `dir`, in order (its sidefx.log: the side effects counted). */
export function sideEffects(dir: string): string[] {
  const file = join(dir, 'sidefx.log');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/** Sends `signal` to `child` and resolves once it has exited (at once when it already has). */
export function killChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill(signal);
  });
}

/** Whether a process with `pid` still exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function until<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

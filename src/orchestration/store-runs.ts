// What both backends do the same way with the workspace store's workflow records (the native engine
// keeps them itself; the Temporal workflow's commit activity keeps them): start a task's run (the
// machine's `start`, after the checks), answer a run's status with its phase history, the queries,
// lists and phase results, check a signal before it is sent, and wait for a predicate as a host.
// One implementation, so the two backends cannot answer differently.
import type { RunState } from '../contracts/run-state.js';
import type { Store, StoreReader, StoreTx, WorkflowRecord } from '../contracts/store/index.js';
import {
  FeedbackPayloadSchema,
  QUERY_NAMES,
  ReverifyPayloadSchema,
  SIGNAL_NAMES,
  type QueryAnswers,
  type QueryName,
  type SignalName,
  type StartOptions,
  type WorkflowListFilter,
  type WorkflowStatus,
} from '../contracts/workflow.js';
import { ConflictError, NotFoundError, UsageError } from '../errors.js';
import { resolveTask } from '../project/resolve.js';
import type { HostOutcome, PhaseResults, RunUntilOptions } from './backend.js';
import { startRefusal } from './machine/index.js';
import type { StepInterpreter } from './native/interpreter.js';
import { latestResults, newWorkflowId, workflowArtifacts, workflowStatus } from './native/records.js';

/**
 * Starts a run for the task (by id or blueprint id) in `tx`: refused while the task has a live run
 * or is not in a state a run starts from.
 */
export async function startTaskRun(
  tx: StoreTx,
  interpreter: StepInterpreter,
  taskId: string,
  opts: StartOptions,
): Promise<RunState> {
  const task = (await tx.tasks.get(taskId)) ?? (await resolveTask(tx, taskId));
  const live = await tx.workflows.liveForTask(task.id);
  if (live) {
    throw new ConflictError(
      `task ${task.blueprint_id} (${task.id}) already has a live workflow ${live.id} (${live.state})`,
    );
  }
  const refusal = startRefusal(task);
  if (refusal) throw new ConflictError(refusal);
  return interpreter.start(tx, {
    type: 'start',
    now: Date.now(),
    subject: {
      id: newWorkflowId(),
      task_id: task.id,
      project_id: task.project_id,
      blueprint_id: task.blueprint_id,
    },
    origin: opts.origin ?? null,
    feedback: opts.feedback ?? [],
    pause_after_phase: opts.pauseAfterPhase === true,
  });
}

/** A host's runUntil: asks `predicate` every `pollMs` until it holds ('done') or `signal` aborts. */
export async function pollUntil(
  predicate: () => boolean | Promise<boolean>,
  options: RunUntilOptions,
  pollMs: number,
  check: () => void = () => undefined,
): Promise<HostOutcome> {
  const { signal } = options;
  for (;;) {
    if (signal?.aborted) return 'aborted';
    check();
    if (await predicate()) return 'done';
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, pollMs);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/** Refuses an unknown signal or a payload it cannot take, in one sentence naming the workflow. */
export function checkSignal(id: string, name: SignalName, payload: unknown): void {
  if (!SIGNAL_NAMES.includes(name)) {
    throw new UsageError(`unknown signal '${String(name)}'; use one of ${SIGNAL_NAMES.join(', ')}`);
  }
  if (name === 'inject_feedback' && !FeedbackPayloadSchema.safeParse(payload).success) {
    throw new UsageError(`inject_feedback for workflow ${id} needs non-empty feedback text`);
  }
  if (name === 'reverify' && !ReverifyPayloadSchema.safeParse(payload).success) {
    throw new UsageError(`reverify for workflow ${id} needs a verdict ({passed, summary, result})`);
  }
}

export class WorkflowReads {
  constructor(private readonly store: Store) {}

  async row(reader: Pick<StoreReader, 'workflows'>, id: string): Promise<WorkflowRecord> {
    const row = await reader.workflows.get(id);
    if (!row) throw new NotFoundError(`no workflow '${id}'`);
    return row;
  }

  async status(reader: StoreReader, row: WorkflowRecord): Promise<WorkflowStatus> {
    return workflowStatus(row, await reader.workflows.steps(row.id));
  }

  getStatus(id: string): Promise<WorkflowStatus> {
    return this.store.read(async (r) => this.status(r, await this.row(r, id)));
  }

  query<N extends QueryName>(id: string, name: N): Promise<QueryAnswers[N]> {
    return this.store.read(async (r) => {
      const row = await this.row(r, id);
      const answers: { [K in QueryName]: () => Promise<QueryAnswers[K]> } = {
        status: () => this.status(r, row),
        phase: async () => row.phase,
        progress: async () => row.progress,
        artifacts: async () => workflowArtifacts(await r.workflows.steps(id)),
      };
      const answer = answers[name] as (() => Promise<QueryAnswers[N]>) | undefined;
      if (!answer)
        throw new UsageError(`unknown query '${String(name)}'; use one of ${QUERY_NAMES.join(', ')}`);
      return answer();
    });
  }

  list(filter: WorkflowListFilter = {}): Promise<WorkflowStatus[]> {
    return this.store.read(async (r) => {
      const statuses: WorkflowStatus[] = [];
      for (const row of await r.workflows.list(filter)) statuses.push(await this.status(r, row));
      return statuses;
    });
  }

  /** The newest committed result of each phase (passed or gate failed), e.g. for `task show`. */
  phaseResults(id: string): Promise<PhaseResults> {
    return this.store.read(async (r) => {
      await this.row(r, id);
      return latestResults(await r.workflows.steps(id));
    });
  }
}

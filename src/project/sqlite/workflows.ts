// The workflow part of the Store on SQLite (contracts/store/workflows.ts): the native host's
// workflow rows (the machine's state of a run plus its host's lease), the step rows of its phase
// attempts and the signal rows any process may add. Booleans are 0/1 and lists JSON text here; the
// records the interface hands out are decoded.
import { z } from 'zod';
import { ArtifactFileSchema } from '../../contracts/phase-result.js';
import type { AttemptState, RunState } from '../../contracts/run-state.js';
import type {
  ClosedStep,
  Lease,
  OpenedStep,
  SignalRecord,
  StepRecord,
  WorkflowRecord,
  WorkflowRepository,
} from '../../contracts/store/index.js';
import type { ItuvPhase } from '../../contracts/task.js';
import type {
  SignalName,
  StepOutcome,
  WorkflowListFilter,
  WorkflowPhase,
  WorkflowState,
} from '../../contracts/workflow.js';
import { nowIso, Where, type Statements, type Sync } from './statements.js';

interface WorkflowRow {
  id: string;
  task_id: string;
  project_id: string;
  blueprint_id: string;
  state: WorkflowState;
  phase: WorkflowPhase | null;
  iteration: number;
  iteration_base: number;
  attempt: number;
  attempt_state: AttemptState;
  progress: number;
  waiting_reason: string | null;
  question: string | null;
  last_failure: string | null;
  feedback: string;
  resumed: number;
  pause_requested: number;
  pause_after_phase: number;
  cancel_requested: number;
  owner: string | null;
  lease_expires_at: number | null;
  not_before: number | null;
  reverifications: number;
  origin: string | null;
  started_at: string;
  updated_at: string;
  finished_at: string | null;
}

interface StepRow {
  id: number;
  workflow_id: string;
  phase: ItuvPhase;
  iteration: number;
  attempt: number;
  idempotency_key: string;
  outcome: StepOutcome | null;
  summary: string | null;
  result: string | null;
  artifacts: string;
  owner: string | null;
  started_at: string;
  finished_at: string | null;
}

interface SignalRow {
  id: number;
  workflow_id: string;
  name: SignalName;
  payload: string | null;
  created_at: string;
  consumed_at: string | null;
}

const feedbackSchema = z.array(z.string());
const artifactsSchema = z.array(ArtifactFileSchema);

/** A column holding JSON text (written by this store), or null. */
function parseJson(text: string | null): unknown {
  return text === null ? null : (JSON.parse(text) as unknown);
}

function toWorkflow(row: WorkflowRow): WorkflowRecord {
  return {
    ...row,
    feedback: feedbackSchema.parse(JSON.parse(row.feedback)),
    resumed: row.resumed === 1,
    pause_requested: row.pause_requested === 1,
    pause_after_phase: row.pause_after_phase === 1,
    cancel_requested: row.cancel_requested === 1,
  };
}

function toStep(row: StepRow): StepRecord {
  return {
    ...row,
    result: parseJson(row.result),
    artifacts: artifactsSchema.parse(JSON.parse(row.artifacts)),
  };
}

function toSignal(row: SignalRow): SignalRecord {
  let payload: unknown;
  try {
    payload = row.payload === null ? undefined : (JSON.parse(row.payload) as unknown);
  } catch {
    payload = undefined; // written by hand or another version: the machine drops what it cannot parse
  }
  return { ...row, payload };
}

const STATE_COLUMNS = [
  'origin',
  'state',
  'phase',
  'iteration',
  'iteration_base',
  'attempt',
  'attempt_state',
  'progress',
  'waiting_reason',
  'question',
  'last_failure',
  'feedback',
  'resumed',
  'pause_requested',
  'pause_after_phase',
  'cancel_requested',
  'not_before',
  'reverifications',
  'finished_at',
] as const;
const SET_STATE = STATE_COLUMNS.map((c) => `${c} = @${c}`).join(', ');

/** The columns of a state, as the INSERT and UPDATE statements bind them. */
function stateColumns(
  state: RunState,
): Record<'id' | (typeof STATE_COLUMNS)[number], string | number | null> {
  return {
    id: state.id,
    origin: state.origin,
    state: state.state,
    phase: state.phase,
    iteration: state.iteration,
    iteration_base: state.iteration_base,
    attempt: state.attempt,
    attempt_state: state.attempt_state,
    progress: state.progress,
    waiting_reason: state.waiting_reason,
    question: state.question,
    last_failure: state.last_failure,
    feedback: JSON.stringify(state.feedback),
    resumed: state.resumed ? 1 : 0,
    pause_requested: state.pause_requested ? 1 : 0,
    pause_after_phase: state.pause_after_phase ? 1 : 0,
    cancel_requested: state.cancel_requested ? 1 : 0,
    not_before: state.not_before,
    reverifications: state.reverifications,
    finished_at: state.finished_at,
  };
}

const SQL = {
  get: 'SELECT * FROM workflows WHERE id = ?',
  liveForTask: `SELECT * FROM workflows WHERE task_id = ? AND state NOT IN ('completed', 'failed', 'cancelled')`,
  insert: `INSERT INTO workflows (id, task_id, project_id, blueprint_id, ${STATE_COLUMNS.join(', ')}, started_at, updated_at)
    VALUES (@id, @task_id, @project_id, @blueprint_id, ${STATE_COLUMNS.map((c) => `@${c}`).join(', ')}, @now, @now)`,
  save: `UPDATE workflows SET ${SET_STATE}, updated_at = @now WHERE id = @id`,
  saveRenewing: `UPDATE workflows SET ${SET_STATE}, lease_expires_at = @lease, updated_at = @now WHERE id = @id`,
  saveReleasing: `UPDATE workflows SET ${SET_STATE}, owner = NULL, lease_expires_at = NULL, updated_at = @now WHERE id = @id`,
  claimable: `SELECT id FROM workflows
    WHERE state = 'pending' OR (state = 'running' AND (owner IS NULL OR lease_expires_at < @now))
    ORDER BY started_at, id LIMIT @limit`,
  claim: `UPDATE workflows SET owner = @owner, lease_expires_at = @lease, updated_at = @ts
    WHERE id = @id AND (state = 'pending' OR (state = 'running' AND (owner IS NULL OR lease_expires_at < @now)))
    RETURNING *`,
  release: `UPDATE workflows SET owner = NULL, lease_expires_at = 0, updated_at = @ts
    WHERE id = @id AND owner = @owner AND state = 'running'`,
  renew: `UPDATE workflows SET lease_expires_at = @lease WHERE owner = @owner AND state = 'running'`,
  owned: `SELECT id FROM workflows WHERE owner = ? AND state = 'running'`,
  steps: 'SELECT * FROM workflow_steps WHERE workflow_id = ? ORDER BY id',
  passedInIteration: `SELECT phase, result FROM workflow_steps WHERE workflow_id = ? AND iteration = ? AND outcome = 'passed' ORDER BY id`,
  openStep: `INSERT INTO workflow_steps (workflow_id, phase, iteration, attempt, idempotency_key, owner, started_at)
    VALUES (@workflow_id, @phase, @iteration, @attempt, @key, @owner, @now)`,
  closeStep: `UPDATE workflow_steps SET outcome = @outcome, summary = @summary, result = @result, artifacts = @artifacts, finished_at = @now
    WHERE idempotency_key = @key AND outcome IS NULL`,
  addClosedStep: `INSERT INTO workflow_steps (workflow_id, phase, iteration, attempt, idempotency_key, outcome, summary, result, artifacts, owner, started_at, finished_at)
    VALUES (@workflow_id, @phase, @iteration, @attempt, @key, @outcome, @summary, @result, @artifacts, @owner, @now, @now)`,
  insertSignal: `INSERT INTO signals (workflow_id, name, payload, created_at) VALUES (@workflow_id, @name, @payload, @now)`,
  pendingSignalsOwned: `SELECT s.* FROM signals s JOIN workflows w ON w.id = s.workflow_id
    WHERE s.consumed_at IS NULL AND w.owner = ? AND w.state = 'running' ORDER BY s.id`,
  pendingSignals: `SELECT * FROM signals WHERE workflow_id = ? AND consumed_at IS NULL ORDER BY id`,
  consumeSignal: `UPDATE signals SET consumed_at = @now WHERE id = @id AND consumed_at IS NULL`,
} as const;

export class SqliteWorkflows implements Sync<WorkflowRepository> {
  constructor(private readonly sql: Statements) {}

  get(id: string): WorkflowRecord | null {
    const row = this.sql.get(SQL.get).get(id) as WorkflowRow | undefined;
    return row === undefined ? null : toWorkflow(row);
  }

  liveForTask(taskId: string): WorkflowRecord | null {
    const row = this.sql.get(SQL.liveForTask).get(taskId) as WorkflowRow | undefined;
    return row === undefined ? null : toWorkflow(row);
  }

  list(filter: WorkflowListFilter = {}): WorkflowRecord[] {
    const where = new Where()
      .eq('project_id = ?', filter.projectId)
      .eq('task_id = ?', filter.taskId)
      .in('state', filter.status);
    if (where.empty) return [];
    const sql = `SELECT * FROM workflows${where} ORDER BY started_at, id`;
    return (this.sql.get(sql).all(...where.params) as WorkflowRow[]).map(toWorkflow);
  }

  steps(workflowId: string): StepRecord[] {
    return (this.sql.get(SQL.steps).all(workflowId) as StepRow[]).map(toStep);
  }

  passedSteps(workflowId: string, iteration: number): Pick<StepRecord, 'phase' | 'result'>[] {
    return (
      this.sql.get(SQL.passedInIteration).all(workflowId, iteration) as Pick<StepRow, 'phase' | 'result'>[]
    ).map((s) => ({ phase: s.phase, result: parseJson(s.result) }));
  }

  claimable(now: number, limit: number): string[] {
    return (this.sql.get(SQL.claimable).all({ now, limit }) as { id: string }[]).map((r) => r.id);
  }

  ownedIds(owner: string): string[] {
    return (this.sql.get(SQL.owned).all(owner) as { id: string }[]).map((r) => r.id);
  }

  pendingSignals(workflowId: string): SignalRecord[] {
    return (this.sql.get(SQL.pendingSignals).all(workflowId) as SignalRow[]).map(toSignal);
  }

  pendingSignalsOwnedBy(owner: string): SignalRecord[] {
    return (this.sql.get(SQL.pendingSignalsOwned).all(owner) as SignalRow[]).map(toSignal);
  }

  insert(state: RunState): void {
    this.sql.get(SQL.insert).run({
      ...stateColumns(state),
      task_id: state.task_id,
      project_id: state.project_id,
      blueprint_id: state.blueprint_id,
      now: nowIso(),
    });
  }

  save(state: RunState, lease: Lease): void {
    const params = { ...stateColumns(state), now: nowIso() };
    switch (lease.kind) {
      case 'keep':
        this.sql.get(SQL.save).run(params);
        return;
      case 'renew':
        this.sql.get(SQL.saveRenewing).run({ ...params, lease: lease.until });
        return;
      case 'release':
        this.sql.get(SQL.saveReleasing).run(params);
        return;
    }
  }

  claim(id: string, owner: string, now: number, leaseUntil: number): WorkflowRecord | null {
    const row = this.sql
      .get(SQL.claim)
      .get({ id, owner, lease: leaseUntil, now, ts: new Date(now).toISOString() }) as WorkflowRow | undefined;
    return row === undefined ? null : toWorkflow(row);
  }

  release(id: string, owner: string): void {
    this.sql.get(SQL.release).run({ id, owner, ts: nowIso() });
  }

  renewLeases(owner: string, leaseUntil: number): void {
    this.sql.get(SQL.renew).run({ owner, lease: leaseUntil });
  }

  openStep(step: OpenedStep): void {
    this.sql.get(SQL.openStep).run({ ...step, now: nowIso() });
  }

  recordStep(step: ClosedStep): void {
    const params = {
      key: step.key,
      outcome: step.outcome,
      summary: step.summary,
      result: step.result === undefined ? null : JSON.stringify(step.result),
      artifacts: JSON.stringify(step.artifacts),
      now: nowIso(),
    };
    if (step.opened) {
      this.sql.get(SQL.closeStep).run(params);
      return;
    }
    this.sql.get(SQL.addClosedStep).run({
      ...params,
      workflow_id: step.workflow_id,
      phase: step.phase,
      iteration: step.iteration,
      attempt: step.attempt,
      owner: step.owner,
    });
  }

  insertSignal(workflowId: string, name: SignalName, payload: unknown): void {
    this.sql.get(SQL.insertSignal).run({
      workflow_id: workflowId,
      name,
      payload: payload === undefined ? null : JSON.stringify(payload),
      now: nowIso(),
    });
  }

  consumeSignal(id: number): boolean {
    return this.sql.get(SQL.consumeSignal).run({ id, now: nowIso() }).changes === 1;
  }
}

// SQL of the native engine: a workflow row is the machine's state of one run plus its host's lease;
// steps and signals are rows of their own. Every write here runs inside a transaction opened by the
// engine, so a machine step's state, its step records, the task moves and the events commit together.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ArtifactFileSchema } from '../../contracts/phase-result.js';
import type {
  SignalName,
  StepOutcome,
  WorkflowArtifact,
  WorkflowListFilter,
  WorkflowPhaseRecord,
  WorkflowState,
  WorkflowStatus,
} from '../../contracts/workflow.js';
import type { Db } from '../../db/database.js';
import { migrate } from '../../db/migrations.js';
import { ITUV_PHASES, type ItuvPhase } from '../../project/model.js';
import type { AttemptState, Effect, PhaseArtifact, RunState } from '../machine/index.js';
import { orchestrationMigrations } from './migrations.js';

export interface WorkflowRow {
  id: string;
  task_id: string;
  project_id: string;
  blueprint_id: string;
  state: WorkflowState;
  phase: ItuvPhase | 'done' | null;
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

export interface StepRow {
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

export interface SignalRow {
  id: number;
  workflow_id: string;
  name: SignalName;
  payload: string | null;
  created_at: string;
  consumed_at: string | null;
}

const feedbackSchema = z.array(z.string());
const artifactsSchema = z.array(ArtifactFileSchema);

export function parseArtifacts(text: string): PhaseArtifact[] {
  return artifactsSchema.parse(JSON.parse(text));
}

export function newWorkflowId(): string {
  return `wf-${randomBytes(6).toString('hex')}`;
}

/** The machine's state of the run a row holds. */
export function runState(row: WorkflowRow): RunState {
  return {
    id: row.id,
    task_id: row.task_id,
    project_id: row.project_id,
    blueprint_id: row.blueprint_id,
    origin: row.origin,
    state: row.state,
    phase: row.phase,
    iteration: row.iteration,
    iteration_base: row.iteration_base,
    attempt: row.attempt,
    attempt_state: row.attempt_state,
    progress: row.progress,
    waiting_reason: row.waiting_reason,
    question: row.question,
    last_failure: row.last_failure,
    feedback: feedbackSchema.parse(JSON.parse(row.feedback)),
    resumed: row.resumed === 1,
    pause_requested: row.pause_requested === 1,
    pause_after_phase: row.pause_after_phase === 1,
    cancel_requested: row.cancel_requested === 1,
    not_before: row.not_before,
    reverifications: row.reverifications,
    finished_at: row.finished_at,
  };
}

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

/** Who holds a run after a save: keep the current lease, extend it, or let go of the run. */
export type Lease = { kind: 'keep' } | { kind: 'renew'; until: number } | { kind: 'release' };

export class WorkflowRepository {
  private readonly stmts;

  constructor(readonly db: Db) {
    migrate(db, orchestrationMigrations);
    this.stmts = {
      get: db.prepare<[string], WorkflowRow>('SELECT * FROM workflows WHERE id = ?'),
      liveForTask: db.prepare<[string], WorkflowRow>(
        `SELECT * FROM workflows WHERE task_id = ? AND state NOT IN ('completed', 'failed', 'cancelled')`,
      ),
      insert: db.prepare(
        `INSERT INTO workflows (id, task_id, project_id, blueprint_id, ${STATE_COLUMNS.join(', ')}, started_at, updated_at)
         VALUES (@id, @task_id, @project_id, @blueprint_id, ${STATE_COLUMNS.map((c) => `@${c}`).join(', ')}, @now, @now)`,
      ),
      save: db.prepare(`UPDATE workflows SET ${SET_STATE}, updated_at = @now WHERE id = @id`),
      saveRenewing: db.prepare(
        `UPDATE workflows SET ${SET_STATE}, lease_expires_at = @lease, updated_at = @now WHERE id = @id`,
      ),
      saveReleasing: db.prepare(
        `UPDATE workflows SET ${SET_STATE}, owner = NULL, lease_expires_at = NULL, updated_at = @now WHERE id = @id`,
      ),
      claimable: db.prepare<{ now: number; limit: number }, { id: string }>(
        `SELECT id FROM workflows
         WHERE state = 'pending' OR (state = 'running' AND (owner IS NULL OR lease_expires_at < @now))
         ORDER BY started_at, id LIMIT @limit`,
      ),
      claim: db.prepare<{ id: string; owner: string; lease: number; now: number; ts: string }, WorkflowRow>(
        `UPDATE workflows SET owner = @owner, lease_expires_at = @lease, updated_at = @ts
         WHERE id = @id AND (state = 'pending' OR (state = 'running' AND (owner IS NULL OR lease_expires_at < @now)))
         RETURNING *`,
      ),
      release: db.prepare<{ id: string; owner: string; ts: string }>(
        `UPDATE workflows SET owner = NULL, lease_expires_at = 0, updated_at = @ts
         WHERE id = @id AND owner = @owner AND state = 'running'`,
      ),
      renew: db.prepare<{ owner: string; lease: number }>(
        `UPDATE workflows SET lease_expires_at = @lease WHERE owner = @owner AND state = 'running'`,
      ),
      owned: db.prepare<[string], { id: string }>(
        `SELECT id FROM workflows WHERE owner = ? AND state = 'running'`,
      ),
      steps: db.prepare<[string], StepRow>('SELECT * FROM workflow_steps WHERE workflow_id = ? ORDER BY id'),
      passedInIteration: db.prepare<[string, number], Pick<StepRow, 'phase' | 'result'>>(
        `SELECT phase, result FROM workflow_steps WHERE workflow_id = ? AND iteration = ? AND outcome = 'passed' ORDER BY id`,
      ),
      openStep: db.prepare(
        `INSERT INTO workflow_steps (workflow_id, phase, iteration, attempt, idempotency_key, owner, started_at)
         VALUES (@workflow_id, @phase, @iteration, @attempt, @key, @owner, @now)`,
      ),
      closeStep: db.prepare(
        `UPDATE workflow_steps SET outcome = @outcome, summary = @summary, result = @result, artifacts = @artifacts, finished_at = @now
         WHERE idempotency_key = @key AND outcome IS NULL`,
      ),
      addClosedStep: db.prepare(
        `INSERT INTO workflow_steps (workflow_id, phase, iteration, attempt, idempotency_key, outcome, summary, result, artifacts, owner, started_at, finished_at)
         VALUES (@workflow_id, @phase, @iteration, @attempt, @key, @outcome, @summary, @result, @artifacts, @owner, @now, @now)`,
      ),
      insertSignal: db.prepare(
        `INSERT INTO signals (workflow_id, name, payload, created_at) VALUES (@workflow_id, @name, @payload, @now)`,
      ),
      pendingSignalsOwned: db.prepare<[string], SignalRow>(
        `SELECT s.* FROM signals s JOIN workflows w ON w.id = s.workflow_id
         WHERE s.consumed_at IS NULL AND w.owner = ? AND w.state = 'running' ORDER BY s.id`,
      ),
      pendingSignals: db.prepare<[string], SignalRow>(
        `SELECT * FROM signals WHERE workflow_id = ? AND consumed_at IS NULL ORDER BY id`,
      ),
      consumeSignal: db.prepare<{ id: number; now: string }>(
        `UPDATE signals SET consumed_at = @now WHERE id = @id AND consumed_at IS NULL`,
      ),
    };
  }

  get(id: string): WorkflowRow | undefined {
    return this.stmts.get.get(id);
  }

  liveForTask(taskId: string): WorkflowRow | undefined {
    return this.stmts.liveForTask.get(taskId);
  }

  /** A new run's row, from the state the machine started it with. */
  insert(state: RunState): void {
    this.stmts.insert.run({
      ...stateColumns(state),
      task_id: state.task_id,
      project_id: state.project_id,
      blueprint_id: state.blueprint_id,
      now: new Date().toISOString(),
    });
  }

  /** Stores the machine's new state of the run and what it means for its host's lease. */
  save(state: RunState, lease: Lease): void {
    const params = { ...stateColumns(state), now: new Date().toISOString() };
    switch (lease.kind) {
      case 'keep':
        this.stmts.save.run(params);
        return;
      case 'renew':
        this.stmts.saveRenewing.run({ ...params, lease: lease.until });
        return;
      case 'release':
        this.stmts.saveReleasing.run(params);
        return;
    }
  }

  /** Ids of workflows any engine may take now: pending, or running with no live owner. */
  claimable(nowMs: number, limit: number): string[] {
    return this.stmts.claimable.all({ now: nowMs, limit }).map((r) => r.id);
  }

  /** Takes `id` for `owner` if it is still claimable; the caller runs this in an immediate transaction. */
  claim(id: string, owner: string, leaseMs: number): WorkflowRow | undefined {
    const now = Date.now();
    return this.stmts.claim.get({ id, owner, lease: now + leaseMs, now, ts: new Date(now).toISOString() });
  }

  /** Gives a run back (its host shuts down): any host may claim it at once. */
  release(id: string, owner: string): void {
    this.stmts.release.run({ id, owner, ts: new Date().toISOString() });
  }

  renewLeases(owner: string, leaseMs: number): void {
    this.stmts.renew.run({ owner, lease: Date.now() + leaseMs });
  }

  ownedIds(owner: string): Set<string> {
    return new Set(this.stmts.owned.all(owner).map((r) => r.id));
  }

  steps(workflowId: string): StepRow[] {
    return this.stmts.steps.all(workflowId);
  }

  /** Records that an attempt started (a `run_phase` effect). */
  openStep(workflowId: string, run: Extract<Effect, { type: 'run_phase' }>, owner: string): void {
    this.stmts.openStep.run({
      workflow_id: workflowId,
      phase: run.phase,
      iteration: run.iteration,
      attempt: run.attempt,
      key: run.key,
      owner,
      now: new Date().toISOString(),
    });
  }

  /** Records how an attempt ended (a `record_step` effect): closes its open row, or adds a closed one. */
  recordStep(
    workflowId: string,
    record: Extract<Effect, { type: 'record_step' }>,
    owner: string | null,
  ): void {
    const params = {
      key: record.key,
      outcome: record.outcome,
      summary: record.summary,
      result: record.result === undefined ? null : JSON.stringify(record.result),
      artifacts: JSON.stringify(record.artifacts),
      now: new Date().toISOString(),
    };
    if (record.opened) {
      this.stmts.closeStep.run(params);
      return;
    }
    this.stmts.addClosedStep.run({
      ...params,
      workflow_id: workflowId,
      phase: record.phase,
      iteration: record.iteration,
      attempt: record.attempt,
      owner,
    });
  }

  insertSignal(workflowId: string, name: SignalName, payload: unknown): void {
    this.stmts.insertSignal.run({
      workflow_id: workflowId,
      name,
      payload: payload === undefined ? null : JSON.stringify(payload),
      now: new Date().toISOString(),
    });
  }

  pendingSignalsOwnedBy(owner: string): SignalRow[] {
    return this.stmts.pendingSignalsOwned.all(owner);
  }

  pendingSignals(workflowId: string): SignalRow[] {
    return this.stmts.pendingSignals.all(workflowId);
  }

  /** Marks a signal consumed; false if another engine already consumed it. */
  consumeSignal(id: number): boolean {
    return this.stmts.consumeSignal.run({ id, now: new Date().toISOString() }).changes === 1;
  }

  list(filter: WorkflowListFilter = {}): WorkflowRow[] {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.projectId !== undefined) {
      where.push('project_id = ?');
      params.push(filter.projectId);
    }
    if (filter.taskId !== undefined) {
      where.push('task_id = ?');
      params.push(filter.taskId);
    }
    if (filter.status !== undefined) {
      const states = Array.isArray(filter.status) ? filter.status : [filter.status];
      if (states.length === 0) return [];
      where.push(`state IN (${states.map(() => '?').join(', ')})`);
      params.push(...states);
    }
    const sql = `SELECT * FROM workflows ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at, id`;
    return this.db.prepare<string[], WorkflowRow>(sql).all(...params);
  }

  /** The status document of a workflow row with its phase history. */
  status(row: WorkflowRow): WorkflowStatus {
    const phases: WorkflowPhaseRecord[] = this.steps(row.id).map((s) => ({
      phase: s.phase,
      iteration: s.iteration,
      attempt: s.attempt,
      outcome: s.outcome,
      summary: s.summary,
      started_at: s.started_at,
      finished_at: s.finished_at,
    }));
    return {
      id: row.id,
      task_id: row.task_id,
      blueprint_id: row.blueprint_id,
      project_id: row.project_id,
      state: row.state,
      phase: row.phase,
      iteration: row.iteration,
      attempt: row.attempt,
      progress: row.progress,
      waiting_reason: row.waiting_reason,
      question: row.question,
      last_failure: row.last_failure,
      started_at: row.started_at,
      updated_at: row.updated_at,
      finished_at: row.finished_at,
      owner: row.owner,
      phases,
    };
  }

  /** Artifacts reported by committed phase attempts, in order. */
  artifacts(workflowId: string): WorkflowArtifact[] {
    return this.steps(workflowId).flatMap((s) =>
      parseArtifacts(s.artifacts).map((a) => ({
        ...a,
        phase: s.phase,
        iteration: s.iteration,
        attempt: s.attempt,
      })),
    );
  }

  /** Results of the passed phases of `iteration`, for VERIFY. */
  iterationResults(workflowId: string, iteration: number): Partial<Record<ItuvPhase, unknown>> {
    const results: Partial<Record<ItuvPhase, unknown>> = {};
    for (const s of this.stmts.passedInIteration.all(workflowId, iteration)) {
      if (ITUV_PHASES.includes(s.phase))
        results[s.phase] = s.result === null ? null : (JSON.parse(s.result) as unknown);
    }
    return results;
  }

  /** The newest committed result (passed or gate_failed) of each phase, across iterations. */
  latestResults(workflowId: string): Partial<Record<ItuvPhase, unknown>> {
    const results: Partial<Record<ItuvPhase, unknown>> = {};
    for (const s of this.steps(workflowId)) {
      if ((s.outcome !== 'passed' && s.outcome !== 'gate_failed') || !ITUV_PHASES.includes(s.phase)) continue;
      results[s.phase] = s.result === null ? null : (JSON.parse(s.result) as unknown);
    }
    return results;
  }
}

// SQL of the native engine. Every write here runs inside a transaction opened by the engine (or by
// signal()), so a phase result, the workflow row, the task transition and the events commit together.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../../db/database.js';
import { migrate } from '../../db/migrations.js';
import { ITUV_PHASES, type ItuvPhase } from '../../project/model.js';
import type {
  SignalName,
  StepOutcome,
  WorkflowArtifact,
  WorkflowListFilter,
  WorkflowPhaseRecord,
  WorkflowState,
  WorkflowStatus,
} from '../backend.js';
import type { PhaseArtifact } from '../phase-executor.js';
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

/** Columns the engine changes on a workflow; anything absent keeps its value. */
export type WorkflowPatch = Partial<
  Omit<WorkflowRow, 'id' | 'task_id' | 'project_id' | 'blueprint_id' | 'started_at'>
>;

const feedbackSchema = z.array(z.string());
const artifactSchema = z.object({
  name: z.string(),
  path: z.string(),
  kind: z.enum(['transcript', 'log', 'junit', 'prompt', 'result', 'file']),
  key: z.string().optional(),
});
const artifactsSchema = z.array(artifactSchema);

export function parseFeedback(row: Pick<WorkflowRow, 'feedback'>): string[] {
  return feedbackSchema.parse(JSON.parse(row.feedback));
}

export function parseArtifacts(text: string): PhaseArtifact[] {
  return artifactsSchema.parse(JSON.parse(text));
}

export function newWorkflowId(): string {
  return `wf-${randomBytes(6).toString('hex')}`;
}

const PATCHABLE = new Set<string>([
  'state',
  'phase',
  'iteration',
  'iteration_base',
  'attempt',
  'progress',
  'waiting_reason',
  'question',
  'last_failure',
  'feedback',
  'resumed',
  'pause_requested',
  'pause_after_phase',
  'cancel_requested',
  'owner',
  'lease_expires_at',
  'not_before',
  'origin',
  'updated_at',
  'finished_at',
]);

export class WorkflowRepository {
  private readonly stmts;
  private readonly patchCache = new Map<string, ReturnType<Db['prepare']>>();

  constructor(readonly db: Db) {
    migrate(db, orchestrationMigrations);
    this.stmts = {
      get: db.prepare<[string], WorkflowRow>('SELECT * FROM workflows WHERE id = ?'),
      liveForTask: db.prepare<[string], WorkflowRow>(
        `SELECT * FROM workflows WHERE task_id = ? AND state NOT IN ('completed', 'failed', 'cancelled')`,
      ),
      insert: db.prepare(
        `INSERT INTO workflows (id, task_id, project_id, blueprint_id, state, phase, feedback, origin, pause_after_phase, started_at, updated_at)
         VALUES (@id, @task_id, @project_id, @blueprint_id, 'pending', 'implement', @feedback, @origin, @pause_after_phase, @now, @now)`,
      ),
      claimable: db.prepare<{ now: number; limit: number }, { id: string }>(
        `SELECT id FROM workflows
         WHERE state = 'pending' OR (state = 'running' AND (owner IS NULL OR lease_expires_at < @now))
         ORDER BY started_at, id LIMIT @limit`,
      ),
      claim: db.prepare<{ id: string; owner: string; lease: number; now: number; ts: string }, WorkflowRow>(
        `UPDATE workflows SET owner = @owner, lease_expires_at = @lease, state = 'running', updated_at = @ts
         WHERE id = @id AND (state = 'pending' OR (state = 'running' AND (owner IS NULL OR lease_expires_at < @now)))
         RETURNING *`,
      ),
      renew: db.prepare<{ owner: string; lease: number }>(
        `UPDATE workflows SET lease_expires_at = @lease WHERE owner = @owner AND state = 'running'`,
      ),
      owned: db.prepare<[string], { id: string }>(
        `SELECT id FROM workflows WHERE owner = ? AND state = 'running'`,
      ),
      step: db.prepare<[string], StepRow>('SELECT * FROM workflow_steps WHERE idempotency_key = ?'),
      steps: db.prepare<[string], StepRow>('SELECT * FROM workflow_steps WHERE workflow_id = ? ORDER BY id'),
      passedInIteration: db.prepare<[string, number], Pick<StepRow, 'phase' | 'result'>>(
        `SELECT phase, result FROM workflow_steps WHERE workflow_id = ? AND iteration = ? AND outcome = 'passed' ORDER BY id`,
      ),
      insertStep: db.prepare(
        `INSERT INTO workflow_steps (workflow_id, phase, iteration, attempt, idempotency_key, owner, started_at)
         VALUES (@workflow_id, @phase, @iteration, @attempt, @key, @owner, @now)`,
      ),
      finishStep: db.prepare(
        `UPDATE workflow_steps SET outcome = @outcome, summary = @summary, result = @result, artifacts = @artifacts, finished_at = @now
         WHERE idempotency_key = @key AND outcome IS NULL`,
      ),
      abandonOpenSteps: db.prepare<{ workflow_id: string; now: string }>(
        `UPDATE workflow_steps SET outcome = 'abandoned', summary = 'the host stopped before the phase finished', finished_at = @now
         WHERE workflow_id = @workflow_id AND outcome IS NULL`,
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

  insert(input: {
    id: string;
    task_id: string;
    project_id: string;
    blueprint_id: string;
    feedback: string[];
    origin: string | null;
    pause_after_phase?: boolean;
  }): void {
    this.stmts.insert.run({
      ...input,
      pause_after_phase: input.pause_after_phase ? 1 : 0,
      feedback: JSON.stringify(input.feedback),
      now: new Date().toISOString(),
    });
  }

  update(id: string, patch: WorkflowPatch): void {
    const keys = Object.keys(patch).filter((k) => PATCHABLE.has(k));
    if (!keys.includes('updated_at')) keys.push('updated_at');
    keys.sort();
    const sqlKey = keys.join(',');
    let stmt = this.patchCache.get(sqlKey);
    if (!stmt) {
      stmt = this.db.prepare(
        `UPDATE workflows SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = @id`,
      );
      this.patchCache.set(sqlKey, stmt);
    }
    stmt.run({ updated_at: new Date().toISOString(), ...patch, id });
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

  renewLeases(owner: string, leaseMs: number): void {
    this.stmts.renew.run({ owner, lease: Date.now() + leaseMs });
  }

  ownedIds(owner: string): Set<string> {
    return new Set(this.stmts.owned.all(owner).map((r) => r.id));
  }

  step(key: string): StepRow | undefined {
    return this.stmts.step.get(key);
  }

  steps(workflowId: string): StepRow[] {
    return this.stmts.steps.all(workflowId);
  }

  insertStep(input: {
    workflow_id: string;
    phase: ItuvPhase;
    iteration: number;
    attempt: number;
    key: string;
    owner: string;
  }): void {
    this.stmts.insertStep.run({ ...input, now: new Date().toISOString() });
  }

  /** Records the final outcome of an in-flight attempt; false if it was already final. */
  finishStep(
    key: string,
    input: { outcome: StepOutcome; summary: string | null; result: unknown; artifacts: PhaseArtifact[] },
  ): boolean {
    const info = this.stmts.finishStep.run({
      key,
      outcome: input.outcome,
      summary: input.summary,
      result: input.result === undefined ? null : JSON.stringify(input.result),
      artifacts: JSON.stringify(input.artifacts),
      now: new Date().toISOString(),
    });
    return info.changes === 1;
  }

  abandonOpenSteps(workflowId: string): void {
    this.stmts.abandonOpenSteps.run({ workflow_id: workflowId, now: new Date().toISOString() });
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

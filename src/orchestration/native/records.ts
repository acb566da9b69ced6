// What the native host reads out of its workflow records (kept by the Store's workflow repository,
// contracts/store/workflows.ts): a record's run state for the machine, its status document with the
// phase history, the artifacts its attempts reported, and the phase results VERIFY and `task show`
// read. No SQL here: the storage implementation keeps the records.
import { randomBytes } from 'node:crypto';
import type { RunState } from '../../contracts/run-state.js';
import type { StepRecord, WorkflowRecord } from '../../contracts/store/index.js';
import type { WorkflowArtifact, WorkflowPhaseRecord, WorkflowStatus } from '../../contracts/workflow.js';
import { ITUV_PHASES, type ItuvPhase } from '../../project/model.js';

export function newWorkflowId(): string {
  return `wf-${randomBytes(6).toString('hex')}`;
}

/** The machine's state of the run a record holds (the record without its lease). */
export function runState(record: WorkflowRecord): RunState {
  const {
    owner: _owner,
    lease_expires_at: _lease,
    started_at: _started,
    updated_at: _updated,
    ...state
  } = record;
  return state;
}

/** The status document of a workflow with its phase history. */
export function workflowStatus(record: WorkflowRecord, steps: readonly StepRecord[]): WorkflowStatus {
  const phases: WorkflowPhaseRecord[] = steps.map((s) => ({
    phase: s.phase,
    iteration: s.iteration,
    attempt: s.attempt,
    outcome: s.outcome,
    summary: s.summary,
    started_at: s.started_at,
    finished_at: s.finished_at,
  }));
  return {
    id: record.id,
    task_id: record.task_id,
    blueprint_id: record.blueprint_id,
    project_id: record.project_id,
    state: record.state,
    phase: record.phase,
    iteration: record.iteration,
    attempt: record.attempt,
    progress: record.progress,
    waiting_reason: record.waiting_reason,
    question: record.question,
    last_failure: record.last_failure,
    started_at: record.started_at,
    updated_at: record.updated_at,
    finished_at: record.finished_at,
    owner: record.owner,
    phases,
  };
}

/** Artifacts reported by committed phase attempts, in order. */
export function workflowArtifacts(steps: readonly StepRecord[]): WorkflowArtifact[] {
  return steps.flatMap((s) =>
    s.artifacts.map((a) => ({ ...a, phase: s.phase, iteration: s.iteration, attempt: s.attempt })),
  );
}

/** Results of the passed phases of an iteration, for the phases after them (VERIFY reads them all). */
export function iterationResults(
  passed: readonly Pick<StepRecord, 'phase' | 'result'>[],
): Partial<Record<ItuvPhase, unknown>> {
  const results: Partial<Record<ItuvPhase, unknown>> = {};
  for (const s of passed) if (ITUV_PHASES.includes(s.phase)) results[s.phase] = s.result;
  return results;
}

/** The newest committed result (passed or gate_failed) of each phase, across iterations. */
export function latestResults(steps: readonly StepRecord[]): Partial<Record<ItuvPhase, unknown>> {
  const results: Partial<Record<ItuvPhase, unknown>> = {};
  for (const s of steps) {
    if ((s.outcome !== 'passed' && s.outcome !== 'gate_failed') || !ITUV_PHASES.includes(s.phase)) continue;
    results[s.phase] = s.result;
  }
  return results;
}

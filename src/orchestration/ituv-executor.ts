// The real PhaseExecutor: runs each phase with the ITUV parts and records its evidence files in the
// artifact store before the engine commits the phase, so a crash after a phase never loses them.
// Results are stored as versioned PhaseResult envelopes.
import { phaseResult } from '../contracts/phase-result.js';
import type { ArtifactStore } from '../ituv/artifacts.js';
import { runItuvPhase, type ItuvServices, type PhaseRun } from '../ituv/phases.js';
import type { PhaseArtifact, PhaseContext, PhaseExecutor, PhaseOutcome } from './phase-executor.js';

export class ItuvPhaseExecutor implements PhaseExecutor {
  constructor(
    private readonly services: ItuvServices,
    private readonly artifacts: ArtifactStore,
  ) {}

  async execute(ctx: PhaseContext): Promise<PhaseOutcome> {
    const run = await runItuvPhase(this.services, {
      task: ctx.task,
      workflowId: ctx.workflowId,
      phase: ctx.phase,
      iteration: ctx.iteration,
      attempt: ctx.attempt,
      feedback: ctx.feedback,
      previousResults: ctx.previousResults,
      resumed: ctx.resumed,
      signal: ctx.signal,
      timeoutMs: ctx.timeoutMs,
      onOutput: (stream, chunk) => ctx.emit('agent.output', { stream, chunk }),
    });
    return this.toOutcome(ctx, run);
  }

  private async toOutcome(ctx: PhaseContext, run: PhaseRun): Promise<PhaseOutcome> {
    const records = await this.artifacts.recordFiles(
      { taskId: ctx.task.id, workflowId: ctx.workflowId, phase: ctx.phase },
      run.artifacts,
    );
    const artifacts: PhaseArtifact[] = records.map((record) => ({
      name: record.name,
      path: this.artifacts.absolutePath(record),
      kind: record.kind,
      ...(record.key ? { key: record.key } : {}),
    }));
    const result = phaseResult(ctx.phase, run.result);
    switch (run.verdict) {
      case 'passed':
        return { kind: 'passed', summary: run.summary, result, artifacts };
      case 'failed':
        return { kind: 'gate_failed', summary: run.summary, result, artifacts };
      case 'needs_input':
        return { kind: 'needs_input', question: run.question ?? run.summary, result };
      case 'error':
        return { kind: 'transient_error', summary: run.summary };
    }
  }
}

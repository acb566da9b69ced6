// How a workflow is shown and followed in the terminal; shared by `task ituv`, `workflow` and `demo`.
import type { HostingOptions } from '../../app/workflows.js';
import type { WorkflowStatus } from '../../contracts/workflow.js';
import type { PenguinEvent } from '../../events/types.js';
import { stripInternalMarkers } from '../../ituv/prompt.js';
import type { CliContext } from '../context.js';
import { table, type Output } from '../output.js';

/** One line: id, task, state, phase, iteration, progress, and why it waits or failed. */
export function workflowLine(w: WorkflowStatus): string {
  const phase = w.phase ?? '-';
  const why = w.waiting_reason
    ? ` (${w.waiting_reason}${w.question ? `: ${stripInternalMarkers(w.question)}` : ''})`
    : w.state === 'failed' && w.last_failure
      ? ` (${stripInternalMarkers(w.last_failure)})`
      : '';
  return `${w.id} ${w.blueprint_id} ${w.state} phase ${phase} iteration ${w.iteration} ${w.progress}%${why}`;
}

export function workflowTable(list: readonly WorkflowStatus[]): string[] {
  return table(
    ['WORKFLOW', 'TASK', 'STATE', 'PHASE', 'ITER', 'PROGRESS', 'UPDATED'],
    list.map((w) => [w.id, w.blueprint_id, w.state, w.phase, w.iteration, `${w.progress}%`, w.updated_at]),
    'no workflows',
  );
}

/** A progress note for a live event, or null for events not worth a line. */
function eventNote(event: PenguinEvent): string | null {
  const phase = event.phase ?? '';
  switch (event.type) {
    case 'workflow.phase_started':
      return `${phase}: started (iteration ${event.iteration ?? 1})`;
    case 'workflow.phase_completed':
      return `${phase}: passed${summaryOf(event)} [${event.progress ?? 0}%]`;
    case 'workflow.phase_failed':
      return `${phase}: failed${summaryOf(event)}`;
    case 'workflow.retrying':
    case 'workflow.paused':
    case 'workflow.resumed':
    case 'workflow.waiting_input':
    case 'workflow.completed':
    case 'workflow.failed':
    case 'workflow.cancelled':
      return `${event.type.slice('workflow.'.length)}${summaryOf(event)}`;
    default:
      return null;
  }
}

function summaryOf(event: PenguinEvent): string {
  const summary = textOf(event);
  return summary !== null && summary !== '' ? `: ${stripInternalMarkers(summary)}` : '';
}

/** The sentence an event carries, if its type has one. */
function textOf(event: PenguinEvent): string | null {
  switch (event.type) {
    case 'workflow.phase_completed':
    case 'workflow.phase_failed':
      return event.data.summary;
    case 'workflow.retrying':
    case 'workflow.failed':
    case 'workflow.cancelled':
      return event.data.reason;
    case 'workflow.waiting_input':
      return event.data.reason;
    default:
      return null;
  }
}

/**
 * For a command that hosts a run here until it settles: Ctrl-C stops the host, and on a terminal each
 * phase is reported as it starts and ends.
 */
export function hostingOptions(ctx: CliContext, out: Output): HostingOptions {
  return {
    signal: ctx.interruptSignal(),
    onHosting: (id) =>
      out.progress(
        `hosting workflow ${id} (Ctrl-C stops this host; the run can be resumed from any terminal)`,
      ),
    onEvent: (event) => {
      const note = eventNote(event);
      if (note) out.progress(`  ${note}`);
    },
  };
}

/** Prints a run the command hosted until it settled, and sets the exit code. */
export function renderSettled(ctx: CliContext, out: Output, final: WorkflowStatus): void {
  out.result(final, () => workflowLine(final));
  // A run that failed, was cancelled, or used up its iterations on failing gates is a failed check;
  // one paused or waiting for a human's answer is not.
  const gatesExhausted = final.state === 'waiting_input' && final.waiting_reason === 'clarification_needed';
  if (final.state === 'failed' || final.state === 'cancelled' || gatesExhausted) ctx.exitCode = 1;
}

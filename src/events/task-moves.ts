// The events of one task move (DESIGN §7): `task.status_changed` and `task.phase_changed`, each only
// when that field changed. Built in one place for every writer that moves a task (the ITUV hosts,
// the lifecycle commands), so a UI sees a move the same way whoever made it.
import type { EventDraft } from '../contracts/event.js';
import type { Task } from '../contracts/task.js';

/** Where the event belongs beyond the task: its workflow, phase, iteration, progress. */
export type MoveContext = Omit<EventDraft, 'type' | 'data' | 'task_id' | 'project_id' | 'blueprint_id'>;

export function taskMoveEvents(
  before: Pick<Task, 'status' | 'phase'>,
  after: Pick<Task, 'id' | 'project_id' | 'blueprint_id' | 'status' | 'phase'>,
  reason: string,
  context: MoveContext = {},
): EventDraft[] {
  const subject = {
    ...context,
    task_id: after.id,
    project_id: after.project_id,
    blueprint_id: after.blueprint_id,
  };
  const drafts: EventDraft[] = [];
  if (after.status !== before.status) {
    drafts.push({
      ...subject,
      type: 'task.status_changed',
      data: { from: before.status, to: after.status, reason },
    });
  }
  if (after.phase !== before.phase) {
    drafts.push({
      ...subject,
      type: 'task.phase_changed',
      data: { from: before.phase, to: after.phase, reason },
    });
  }
  return drafts;
}

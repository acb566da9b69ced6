// The event vocabulary of DESIGN §7. Events are persisted in the workspace database before they
// are published, carry a gapless per-workspace `seq`, and are the only way UIs learn about progress.

export const EVENT_TYPES = [
  'blueprint.synced',
  'task.created',
  'task.status_changed',
  'task.phase_changed',
  'task.stale',
  'workflow.started',
  'workflow.phase_started',
  'workflow.phase_completed',
  'workflow.phase_failed',
  'workflow.retrying',
  'workflow.paused',
  'workflow.resumed',
  'workflow.waiting_input',
  'workflow.feedback',
  'workflow.completed',
  'workflow.failed',
  'workflow.cancelled',
  'agent.output',
  'scheduler.frontier',
  'scheduler.idle',
  'heartbeat',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** An artifact as events and workflow queries report it (path as the producer gave it). */
/** An evidence file an event refers to (the shape of ituv's ArtifactFile; events stay a leaf). */
export interface EventArtifact {
  name: string;
  path: string;
  kind: 'transcript' | 'log' | 'junit' | 'prompt' | 'result' | 'file';
  key?: string;
}

export interface PenguinEvent {
  /** Gapless, monotonic per workspace; assigned inside the writing transaction. */
  seq: number;
  /** ISO timestamp of the append. */
  ts: string;
  type: EventType;
  project_id?: string;
  task_id?: string;
  blueprint_id?: string;
  workflow_id?: string;
  agent_id?: string;
  phase?: string;
  iteration?: number;
  progress?: number;
  artifacts?: EventArtifact[];
  data: Record<string, unknown>;
}

/** What a producer hands to `EventLog.append`; the log assigns seq and ts. */
export type EventDraft = Omit<PenguinEvent, 'seq' | 'ts' | 'data'> & { data?: Record<string, unknown> };

export interface EventFilter {
  workflow_id?: string;
  task_id?: string;
  types?: readonly EventType[];
}

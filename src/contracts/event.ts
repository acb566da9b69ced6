// Contracts of the event log (DESIGN §7): every event type with the shape of its `data`, and the event
// itself as a union discriminated by `type`. Producers (the ITUV machine, its hosts, phase runners)
// build these, the log stores them, and UIs (CLI views, the HTTP API's SSE stream) read them typed.
import { z } from 'zod';
import { DependencyPolicySchema } from './blueprint.js';
import { ArtifactFileSchema } from './phase-result.js';
import { TaskPhaseSchema, TaskStatusSchema } from './task.js';
import { WorkflowPhaseSchema, WorkflowStateSchema } from './workflow.js';

const TaskMoveData = z.object({ from: z.string(), to: z.string(), reason: z.string() });

/** The `data` of each event type. */
export const EVENT_DATA = {
  'blueprint.synced': z.object({
    files: z.array(z.string()),
    projects: z.array(z.string()),
  }),
  'task.created': z.object({ title: z.string() }),
  'task.status_changed': TaskMoveData.extend({ from: TaskStatusSchema, to: TaskStatusSchema }),
  'task.phase_changed': TaskMoveData.extend({ from: TaskPhaseSchema, to: TaskPhaseSchema }),
  'task.stale': z.object({ reason: z.string() }),
  // A manual dependency edit (`task deps add|remove`): the event is about the dependent task.
  'dependency.added': z.object({
    depends_on: z.string(),
    policy: DependencyPolicySchema,
    artifact_key: z.string().nullable(),
  }),
  'dependency.removed': z.object({ depends_on: z.string() }),
  'workflow.started': z.object({ origin: z.string().nullable() }),
  'workflow.phase_started': z.object({ attempt: z.number().int(), idempotency_key: z.string() }),
  'workflow.phase_completed': z.object({
    attempt: z.number().int(),
    summary: z.string(),
    rerun: z.literal(true).optional(),
  }),
  'workflow.phase_failed': z.object({
    attempt: z.number().int(),
    kind: z.enum(['gate_failed', 'transient_error']),
    summary: z.string(),
    rerun: z.literal(true).optional(),
  }),
  'workflow.retrying': z.object({
    attempt: z.number().int(),
    delay_ms: z.number().optional(),
    reason: z.string(),
  }),
  'workflow.paused': z.object({ next_phase: WorkflowPhaseSchema.nullable() }),
  'workflow.resumed': z.object({ from: WorkflowStateSchema }),
  'workflow.waiting_input': z.object({
    reason: z.string(),
    question: z.string().nullable(),
    last_failure: z.string().nullable(),
  }),
  'workflow.feedback': z.object({ text: z.string() }),
  'workflow.completed': z.object({ auto_approved: z.boolean() }),
  'workflow.failed': z.object({ reason: z.string() }),
  'workflow.cancelled': z.object({ reason: z.string() }),
  'workflow.clarification_needed': z.object({ reason: z.string(), iterations: z.array(z.number().int()) }),
  'agent.output': z.object({ stream: z.enum(['stdout', 'stderr']), chunk: z.string() }),
  'scheduler.started': z.object({
    owner: z.string(),
    parallelism: z.number().int(),
    isolation: z.enum(['worktree', 'shared']),
    recovered: z.array(z.string()),
  }),
  'scheduler.dispatched': z.object({
    agent_id: z.string().nullable(),
    port: z.number().int().nullable(),
    worktree: z.string().nullable(),
    batch: z.string().nullable(),
  }),
  'scheduler.refused': z.object({ missing: z.array(z.string()) }),
  'scheduler.backoff': z.object({ cpu_percent: z.number(), memory_percent: z.number(), reason: z.string() }),
  'scheduler.merged': z.object({ branch: z.string(), base: z.string(), commit: z.string() }),
  'scheduler.merge_conflict': z.object({ branch: z.string(), base: z.string(), files: z.array(z.string()) }),
  'scheduler.time_limit_reached': z.object({ limit_sec: z.number() }),
  'scheduler.stopped': z.object({
    reason: z.string(),
    completed: z.number().int(),
    failed: z.number().int(),
    waiting: z.number().int(),
  }),
  'scheduler.frontier': z.object({ ready: z.array(z.string()), blocked: z.number().int() }),
  'scheduler.idle': z.object({
    blocked: z.array(z.object({ blueprint_id: z.string(), reasons: z.array(z.string()) })),
  }),
  heartbeat: z.object({ cpu_percent: z.number().optional(), memory_percent: z.number().optional() }),
} as const;

export type EventType = keyof typeof EVENT_DATA;
export const EVENT_TYPES = Object.keys(EVENT_DATA) as EventType[];
export const EventTypeSchema = z.enum(EVENT_TYPES as [EventType, ...EventType[]]);

export type EventData<T extends EventType> = z.infer<(typeof EVENT_DATA)[T]>;

/** Where an event happened and what it is about; every field but the type is optional. */
const EventFields = {
  project_id: z.string().optional(),
  task_id: z.string().optional(),
  blueprint_id: z.string().optional(),
  workflow_id: z.string().optional(),
  agent_id: z.string().optional(),
  phase: z.string().optional(),
  iteration: z.number().int().optional(),
  progress: z.number().optional(),
  artifacts: z.array(ArtifactFileSchema).optional(),
};

function eventOf<T extends EventType>(type: T) {
  return z.object({
    /** Gapless, monotonic per workspace; assigned inside the writing transaction. */
    seq: z.number().int(),
    /** ISO timestamp of the append. */
    ts: z.string(),
    type: z.literal(type),
    ...EventFields,
    data: EVENT_DATA[type],
  });
}

export const EventSchema = z.discriminatedUnion(
  'type',
  EVENT_TYPES.map((type) => eventOf(type)) as unknown as [
    ReturnType<typeof eventOf<EventType>>,
    ...ReturnType<typeof eventOf<EventType>>[],
  ],
);

type EventContext = { [K in keyof typeof EventFields]?: z.infer<(typeof EventFields)[K]> };

/** One event of type `T`, as the log returns it. */
export type EventOf<T extends EventType> = EventContext & {
  seq: number;
  ts: string;
  type: T;
  data: EventData<T>;
};

/** Any event: a union discriminated by `type`, so `data` is typed once `type` is known. */
export type PenguinEvent = { [T in EventType]: EventOf<T> }[EventType];

/**
 * What a producer hands to the log; the log assigns seq and ts, and checks `data` against its type's
 * schema before it stores anything, so every event read back is a PenguinEvent.
 */
export type EventDraft = EventContext & { type: EventType; data?: Record<string, unknown> };

/** `data` checked against the schema of its event type; a mismatch is a producer's bug. */
export function parseEventData(type: EventType, data: unknown): z.ZodSafeParseResult<unknown> {
  return EVENT_DATA[type].safeParse(data);
}

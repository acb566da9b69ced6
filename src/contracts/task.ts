// Contracts of the task store (DESIGN §4): projects, tasks, dependencies and the recorded history of
// status and phase moves. The store, sync, the frontier, the CLI and the HTTP API share these shapes;
// the lifecycle rules that move between the statuses live in project/lifecycle.ts.
import { z } from 'zod';
import { DependencyPolicySchema, ItemContentFields } from './blueprint.js';

export const TASK_STATUSES = [
  'pending',
  'active',
  'running',
  'waiting_input',
  'pending_review',
  'completed',
  'failed',
  'cancelled',
  'archived',
] as const;
export const TaskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

export const TASK_PHASES = ['pending', 'implement', 'test', 'use', 'verify', 'done', 'blocked'] as const;
export const TaskPhaseSchema = z.enum(TASK_PHASES);
export type TaskPhase = z.infer<typeof TaskPhaseSchema>;

/** The four ITUV phases, in order. */
export const ITUV_PHASES = ['implement', 'test', 'use', 'verify'] as const;
export const ItuvPhaseSchema = z.enum(ITUV_PHASES);
export type ItuvPhase = z.infer<typeof ItuvPhaseSchema>;

/** ISO-8601 timestamp as the store writes it. */
const Timestamp = z.string();

export const ProjectSchema = z.strictObject({
  id: z.string(),
  key: z.string(),
  title: z.string().nullable(),
  /** Workspace-relative path of the blueprint the project was last synced from. */
  blueprint_file: z.string().nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Project = z.infer<typeof ProjectSchema>;

/** An acceptance criterion marked as met by a human, with the justification (DESIGN §5). */
export const CriterionOverrideSchema = z.strictObject({
  /** 1-based criterion number. */
  criterion: z.number().int().min(1),
  justification: z.string(),
  at: Timestamp,
});
export type CriterionOverride = z.infer<typeof CriterionOverrideSchema>;

export const TaskSchema = z.strictObject({
  /** Stable short id, unique in the workspace. */
  id: z.string(),
  project_id: z.string(),
  /** The item id from the blueprint, unique in its project. */
  blueprint_id: z.string(),
  /** Blueprint id of the parent item, for subtasks. */
  parent_id: z.string().nullable(),
  title: z.string(),
  ...ItemContentFields,
  /** Position of the item in its blueprint; the frontier's last tie-breaker before id. */
  blueprint_order: z.number().int(),
  source_file: z.string().nullable(),
  source_line: z.number().int().nullable(),
  status: TaskStatusSchema,
  phase: TaskPhaseSchema,
  content_hash: z.string(),
  /** Content changed after the task was done: re-verify recommended. */
  stale: z.boolean(),
  /** The item is gone from the blueprint; the task is kept, never deleted. */
  orphaned: z.boolean(),
  overrides: z.array(CriterionOverrideSchema),
  review_note: z.string().nullable(),
  reviewed_at: Timestamp.nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Task = z.infer<typeof TaskSchema>;

export const DEPENDENCY_SOURCES = ['blueprint', 'manual'] as const;
export const DependencySourceSchema = z.enum(DEPENDENCY_SOURCES);
export type DependencySource = z.infer<typeof DependencySourceSchema>;

/** `task_id` depends on `depends_on_id` (both task ids) under `policy`. */
export const DependencySchema = z.strictObject({
  task_id: z.string(),
  depends_on_id: z.string(),
  policy: DependencyPolicySchema,
  artifact_key: z.string().nullable(),
  source: DependencySourceSchema,
});
export type Dependency = z.infer<typeof DependencySchema>;

export const TransitionSchema = z.strictObject({
  task_id: z.string(),
  at: Timestamp,
  from_status: TaskStatusSchema,
  to_status: TaskStatusSchema,
  from_phase: TaskPhaseSchema,
  to_phase: TaskPhaseSchema,
  reason: z.string(),
});
export type Transition = z.infer<typeof TransitionSchema>;

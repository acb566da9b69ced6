// Projects, tasks, dependencies and transitions as the store holds them (DESIGN §4).
import type { DependencyPolicy, Priority, Sequence } from '../blueprint/model.js';

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
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TASK_PHASES = ['pending', 'implement', 'test', 'use', 'verify', 'done', 'blocked'] as const;
export type TaskPhase = (typeof TASK_PHASES)[number];

/** The four ITUV phases, in order. */
export const ITUV_PHASES = ['implement', 'test', 'use', 'verify'] as const;
export type ItuvPhase = (typeof ITUV_PHASES)[number];

export interface Project {
  id: string;
  key: string;
  title: string | null;
  /** Workspace-relative path of the blueprint the project was last synced from. */
  blueprint_file: string | null;
  created_at: string;
  updated_at: string;
}

/** An acceptance criterion marked as met by a human, with the justification (DESIGN §5). */
export interface CriterionOverride {
  /** 1-based criterion number. */
  criterion: number;
  justification: string;
  at: string;
}

export interface Task {
  /** Stable short id, unique in the workspace. */
  id: string;
  project_id: string;
  /** The item id from the blueprint, unique in its project. */
  blueprint_id: string;
  /** Blueprint id of the parent item, for subtasks. */
  parent_id: string | null;
  title: string;
  description: string | null;
  acceptance_criteria: string[];
  recipe: string | null;
  tests: string[];
  priority: Priority | null;
  labels: string[];
  assignees: string[];
  required_tools: string[];
  skills: string[];
  due: string | null;
  sequence: Sequence | null;
  estimate: number | null;
  effort: number | null;
  value: number | null;
  risk: number | null;
  agent_role: string | null;
  parallelizable: boolean | null;
  batch: string | null;
  /** Position of the item in its blueprint; the frontier's last tie-breaker before id. */
  blueprint_order: number;
  source_file: string | null;
  source_line: number | null;
  status: TaskStatus;
  phase: TaskPhase;
  content_hash: string;
  /** Content changed after the task was done: re-verify recommended. */
  stale: boolean;
  /** The item is gone from the blueprint; the task is kept, never deleted. */
  orphaned: boolean;
  overrides: CriterionOverride[];
  review_note: string | null;
  reviewed_at: string | null;
  created_at: string;
  updated_at: string;
}

export type DependencySource = 'blueprint' | 'manual';

/** `task_id` depends on `depends_on_id` (both task ids) under `policy`. */
export interface Dependency {
  task_id: string;
  depends_on_id: string;
  policy: DependencyPolicy;
  artifact_key: string | null;
  source: DependencySource;
}

export interface Transition {
  task_id: string;
  at: string;
  from_status: TaskStatus;
  to_status: TaskStatus;
  from_phase: TaskPhase;
  to_phase: TaskPhase;
  reason: string;
}

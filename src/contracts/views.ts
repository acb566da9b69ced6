// Contracts of the read models Penguin shows (DESIGN §4, §8): the frontier with its blockers, one task
// with its dependencies and history, sync and drift reports, lifecycle moves and dependency edits.
// The application layer returns these; the CLI renders them and the HTTP API serves them.
import { z } from 'zod';
import { DependencyPolicySchema, DiagnosticSchema, PrioritySchema } from './blueprint.js';
import { RecipeRunResultSchema, VerifyResultSchema } from './phase-result.js';
import {
  DependencySourceSchema,
  TaskPhaseSchema,
  TaskSchema,
  TaskStatusSchema,
  TransitionSchema,
} from './task.js';
import { WorkflowStatusSchema } from './workflow.js';

/**
 * What a blocker is about: an unsatisfied `dependency`; `held` downstream of a failed task
 * (scheduler.on_failure pause_dependents or stop); the task itself `orphaned`; or a dependency on a
 * task id that is `missing` from the tasks given.
 */
export const BLOCKER_KINDS = ['dependency', 'held', 'orphaned', 'missing'] as const;
export const BlockerKindSchema = z.enum(BLOCKER_KINDS);
export type BlockerKind = z.infer<typeof BlockerKindSchema>;

/** One reason a task is not ready. */
export const BlockerSchema = z.strictObject({
  /** The task that blocks: the upstream, the failed root of a hold, or the task itself when orphaned. */
  task_id: z.string(),
  blueprint_id: z.string(),
  /** Policy of the dependency concerned; null when no one dependency is (orphaned task, failure hold). */
  policy: DependencyPolicySchema.nullable(),
  reason: z.string(),
  kind: BlockerKindSchema,
});
export type Blocker = z.infer<typeof BlockerSchema>;

export const ReadyTaskSchema = z.strictObject({
  id: z.string(),
  blueprint_id: z.string(),
  title: z.string(),
  priority: PrioritySchema.nullable(),
  /** The values the order was decided on, in the order used: tie-breakers, blueprint_order, id. */
  sort_key: z.array(z.union([z.string(), z.number(), z.null()])),
});
export type ReadyTask = z.infer<typeof ReadyTaskSchema>;

export const BlockedTaskSchema = z.strictObject({
  id: z.string(),
  blueprint_id: z.string(),
  title: z.string(),
  blockers: z.array(BlockerSchema),
});
export type BlockedTask = z.infer<typeof BlockedTaskSchema>;

export const FrontierSchema = z.strictObject({
  /** Ready tasks in selection order (at most scheduler.max_frontier). */
  ready: z.array(ReadyTaskSchema),
  /** Active tasks that are not ready, by blueprint order, each with every blocker. */
  blocked: z.array(BlockedTaskSchema),
  /** Ready tasks left out of `ready` by scheduler.max_frontier. */
  omitted: z.number().int(),
});
export type Frontier = z.infer<typeof FrontierSchema>;

/** `task frontier --json`. */
export const FrontierViewSchema = FrontierSchema.extend({ project: z.string() });
export type FrontierView = z.infer<typeof FrontierViewSchema>;

/** `task ready --json`. */
export const ReadyViewSchema = FrontierViewSchema.pick({ project: true, ready: true });
export type ReadyView = z.infer<typeof ReadyViewSchema>;

/** One row of `task list --json`. */
export const TaskRowSchema = TaskSchema.pick({
  id: true,
  blueprint_id: true,
  title: true,
  status: true,
  phase: true,
  stale: true,
  orphaned: true,
  parent_id: true,
  priority: true,
}).extend({ project: z.string() });
export type TaskRow = z.infer<typeof TaskRowSchema>;

export const TaskListSchema = z.strictObject({ tasks: z.array(TaskRowSchema) });
export type TaskList = z.infer<typeof TaskListSchema>;

/** One dependency edge as shown to a user: the other task and how the edge is held. */
export const DependencyViewSchema = z.strictObject({
  id: z.string(),
  blueprint_id: z.string(),
  title: z.string(),
  status: TaskStatusSchema,
  policy: DependencyPolicySchema,
  artifact_key: z.string().nullable(),
  source: DependencySourceSchema,
});
export type DependencyView = z.infer<typeof DependencyViewSchema>;

export const TaskDependenciesSchema = z.strictObject({
  upstream: z.array(DependencyViewSchema),
  downstream: z.array(DependencyViewSchema),
});
export type TaskDependencies = z.infer<typeof TaskDependenciesSchema>;

/** `task deps list --json`. */
export const DependencyListSchema = TaskDependenciesSchema.extend({ task: z.string() });
export type DependencyList = z.infer<typeof DependencyListSchema>;

/** `task deps add --json`. */
export const DependencyChangeSchema = z.strictObject({
  task: z.string(),
  depends_on: z.string(),
  policy: DependencyPolicySchema,
  artifact_key: z.string().nullable(),
});
export type DependencyChange = z.infer<typeof DependencyChangeSchema>;

/** `task deps remove --json`. */
export const DependencyRemovalSchema = z.strictObject({
  task: z.string(),
  depends_on: z.string(),
  removed: z.literal(true),
});
export type DependencyRemoval = z.infer<typeof DependencyRemovalSchema>;

/** `task approve|reopen|cancel --json`: the move, read and made in one transaction. */
export const LifecycleMoveSchema = z.strictObject({
  id: z.string(),
  blueprint_id: z.string(),
  from: TaskStatusSchema,
  status: TaskStatusSchema,
  phase: TaskPhaseSchema,
  stale: z.boolean(),
});
export type LifecycleMove = z.infer<typeof LifecycleMoveSchema>;

export const ProjectSyncReportSchema = z.strictObject({
  project_id: z.string(),
  key: z.string(),
  /** Blueprint ids of tasks created by this sync. */
  created: z.array(z.string()),
  /** Content changed, or an orphaned task whose item came back. */
  updated: z.array(z.string()),
  /** Content unchanged (a moved item's new line and order are still written). */
  unchanged: z.array(z.string()),
  /** Done or in-review tasks whose content changed in this sync: re-verify recommended. */
  stale: z.array(z.string()),
  /** Tasks whose items vanished in this sync (already orphaned tasks are not listed again). */
  orphaned: z.array(z.string()),
});
export type ProjectSyncReport = z.infer<typeof ProjectSyncReportSchema>;

/** `blueprint sync --json`. */
export const SyncReportSchema = z.strictObject({
  ok: z.boolean(),
  projects: z.array(ProjectSyncReportSchema),
  diagnostics: z.array(DiagnosticSchema),
});
export type SyncReport = z.infer<typeof SyncReportSchema>;

export const UnmappedCriterionSchema = z.strictObject({
  blueprint_id: z.string(),
  /** 1-based criterion number. */
  criterion: z.number().int(),
  text: z.string(),
});
export type UnmappedCriterion = z.infer<typeof UnmappedCriterionSchema>;

export const ProjectDriftSchema = z.strictObject({
  key: z.string(),
  /** Null when the project was never synced. */
  project_id: z.string().nullable(),
  /** Tasks flagged stale, plus done / in-review tasks whose item changed since the last sync. */
  stale: z.array(z.string()),
  /** Tasks flagged orphaned, plus tasks whose items vanished from the files given. */
  orphaned: z.array(z.string()),
  /** Items with no task yet. */
  new: z.array(z.string()),
  /** Items whose content differs from their task's. */
  changed: z.array(z.string()),
  unmapped_criteria: z.array(UnmappedCriterionSchema),
});
export type ProjectDrift = z.infer<typeof ProjectDriftSchema>;

export const DriftReportSchema = z.strictObject({ projects: z.array(ProjectDriftSchema) });
export type DriftReport = z.infer<typeof DriftReportSchema>;

/** `blueprint status --json`. */
export const DriftViewSchema = DriftReportSchema.extend({ diagnostics: z.array(DiagnosticSchema) });
export type DriftView = z.infer<typeof DriftViewSchema>;

/** The task fields `task show` prints, beside its project key, edges and history. */
export const TaskDetailSchema = TaskSchema.extend({
  project: z.string(),
  dependencies: TaskDependenciesSchema,
  history: z.array(TransitionSchema),
});
export type TaskDetail = z.infer<typeof TaskDetailSchema>;

/** `task show --json`: the task detail and the evidence table of its latest VERIFY (null before any). */
export const TaskShowSchema = TaskDetailSchema.extend({ evidence: VerifyResultSchema.nullable() });
export type TaskShow = z.infer<typeof TaskShowSchema>;

export const CONTAINMENT_MODES = ['pid-namespace', 'process-group'] as const;
export const ContainmentModeSchema = z.enum(CONTAINMENT_MODES);
export type ContainmentMode = z.infer<typeof ContainmentModeSchema>;

export const ProjectStatusSchema = z.strictObject({
  key: z.string(),
  tasks: z.number().int(),
  by_status: z.record(TaskStatusSchema, z.number().int()),
  ready: z.number().int(),
  blocked: z.number().int(),
  stale: z.number().int(),
  orphaned: z.number().int(),
  /** Blueprint id of the task that would be picked next. */
  next: z.string().nullable(),
});
export type ProjectStatus = z.infer<typeof ProjectStatusSchema>;

/** `status --json`: the workspace at a glance. */
export const WorkspaceStatusSchema = z.strictObject({
  root: z.string(),
  backend: z.string(),
  /** How the commands Penguin starts are contained on this machine (docs/ituv.md, Containment). */
  containment: z.strictObject({ mode: ContainmentModeSchema, detail: z.string() }),
  projects: z.array(ProjectStatusSchema),
  live_workflows: z.array(WorkflowStatusSchema),
});
export type WorkspaceStatus = z.infer<typeof WorkspaceStatusSchema>;

/** `recipe run --json`: the recipe's result and the blueprint file it came from. */
export const RecipeRunDocumentSchema = RecipeRunResultSchema.extend({ file: z.string() });
export type RecipeRunDocument = z.infer<typeof RecipeRunDocumentSchema>;

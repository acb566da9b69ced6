// Sync (reconcile) of DESIGN §4: blueprints in, tasks out. Status and phase belong to the lifecycle and
// are never touched here, except that a new `[x]` item is imported as completed.
import { relative, resolve, sep } from 'node:path';
import { itemContentHash } from '../blueprint/hash.js';
import {
  hasErrors,
  type Blueprint,
  type BlueprintItem,
  type DependencyPolicy,
  type Diagnostic,
} from '../blueprint/model.js';
import { findDependencyCycle } from './dag.js';
import type { Task } from './model.js';
import type { EventDraft } from '../contracts/event.js';
import type { EventLog } from '../events/log.js';
import type { ProjectSyncReport, SyncReport } from '../contracts/views.js';
import type {
  DependencySet,
  NewTask,
  Store,
  StoreTx,
  TaskContentPatch,
  TaskCreation,
  TaskDigest,
} from './store.js';

/** What dependency resolution and the cycle check need of a task. */
type TaskNode = Pick<Task, 'id' | 'blueprint_id' | 'blueprint_order'>;

export type { ProjectSyncReport, SyncReport } from '../contracts/views.js';

export interface SyncOptions {
  workspaceRoot: string;
  /**
   * Where the sync's events go, in its transaction (DESIGN §7): `task.created` and `task.stale` per
   * task, and one `blueprint.synced` when anything was written. None are written without it.
   */
  events?: EventLog;
}

/** Thrown inside the transaction to roll it back when reconciling finds an error. */
class SyncRejected extends Error {}

/** `file` relative to the workspace, with `/` on every platform, so the database is portable. */
export function workspaceRelative(workspaceRoot: string, file: string): string {
  return relative(workspaceRoot, resolve(workspaceRoot, file)).split(sep).join('/');
}

/** Blueprints grouped by project key, in first-seen order: several files may feed one project. */
function groupByProject(blueprints: readonly Blueprint[]): Map<string, Blueprint[]> {
  const groups = new Map<string, Blueprint[]>();
  for (const blueprint of blueprints) {
    const group = groups.get(blueprint.project_key);
    if (group === undefined) groups.set(blueprint.project_key, [blueprint]);
    else group.push(blueprint);
  }
  return groups;
}

interface PlacedItem {
  item: BlueprintItem;
  blueprint: Blueprint;
  sourceFile: string;
  order: number;
  hash: string;
}

/** The group's items with their file and a project-wide order (file order, then document order). */
function placeItems(group: readonly Blueprint[], workspaceRoot: string): PlacedItem[] {
  const placed: PlacedItem[] = [];
  for (const blueprint of group) {
    const sourceFile = workspaceRelative(workspaceRoot, blueprint.file);
    const items = [...blueprint.items].sort((a, b) => a.order - b.order);
    for (const item of items) {
      placed.push({ item, blueprint, sourceFile, order: placed.length, hash: itemContentHash(item) });
    }
  }
  return placed;
}

/** Ids defined twice in one project (across files; within a file the linter reports them first). */
function duplicateDiagnostics(key: string, placed: readonly PlacedItem[]): Diagnostic[] {
  const seen = new Map<string, PlacedItem>();
  const diagnostics: Diagnostic[] = [];
  for (const entry of placed) {
    const first = seen.get(entry.item.id);
    if (first === undefined) {
      seen.set(entry.item.id, entry);
      continue;
    }
    diagnostics.push({
      code: 'BP-LINT-001',
      severity: 'error',
      message: `duplicate task id ${entry.item.id} in project ${key} (first defined in ${first.sourceFile} line ${first.item.line})`,
      file: entry.blueprint.file,
      line: entry.item.line,
    });
  }
  return diagnostics;
}

/** The task fields an item determines. */
function contentOf(
  entry: PlacedItem,
): TaskContentPatch & Omit<NewTask, 'project_id' | 'blueprint_id' | 'status' | 'phase'> {
  const { item } = entry;
  return {
    parent_id: item.parent_id,
    title: item.title,
    description: item.description,
    acceptance_criteria: item.acceptance_criteria,
    recipe: item.recipe,
    tests: item.tests,
    priority: item.priority,
    labels: item.labels,
    assignees: item.assignees,
    required_tools: item.required_tools,
    skills: item.skills,
    due: item.due,
    sequence: item.sequence,
    estimate: item.estimate,
    effort: item.effort,
    value: item.value,
    risk: item.risk,
    agent_role: item.agent_role,
    parallelizable: item.parallelizable,
    batch: item.batch,
    blueprint_order: entry.order,
    source_file: entry.sourceFile,
    source_line: item.line,
    content_hash: entry.hash,
  };
}

function positionMoved(task: TaskDigest, entry: PlacedItem): boolean {
  return (
    task.blueprint_order !== entry.order ||
    task.source_file !== entry.sourceFile ||
    task.source_line !== entry.item.line
  );
}

/**
 * The item's dependencies as blueprint ids with policies: `depends_on` under completion_required,
 * with a `dependency_specs` entry overriding the policy (and adding the upstream if not listed).
 */
function wantedDependencies(
  item: BlueprintItem,
): Map<string, { policy: DependencyPolicy; artifact_key: string | null }> {
  const wanted = new Map<string, { policy: DependencyPolicy; artifact_key: string | null }>();
  for (const id of item.depends_on) wanted.set(id, { policy: 'completion_required', artifact_key: null });
  for (const spec of item.dependency_specs) {
    wanted.set(spec.task_id, { policy: spec.policy, artifact_key: spec.artifact_key ?? null });
  }
  return wanted;
}

function isDone(task: TaskDigest): boolean {
  return task.status === 'completed' || task.status === 'pending_review';
}

/**
 * Reconciles one project; pushes error diagnostics instead of writing a bad dependency. Writes go in
 * batches (creations, content updates, dependency sets): a 10,000-item first sync is a handful of
 * store calls, not tens of thousands.
 */
async function syncProject(
  tx: StoreTx,
  key: string,
  group: readonly Blueprint[],
  placed: readonly PlacedItem[],
  workspaceRoot: string,
  diagnostics: Diagnostic[],
  drafts: EventDraft[],
): Promise<ProjectSyncReport> {
  const first = group[0] as Blueprint;
  const project = await tx.projects.upsert({
    key,
    title: group.find((b) => b.title !== null)?.title ?? null,
    blueprint_file: workspaceRelative(workspaceRoot, first.file),
  });
  const report: ProjectSyncReport = {
    project_id: project.id,
    key,
    created: [],
    updated: [],
    unchanged: [],
    stale: [],
    orphaned: [],
  };
  // One narrow query for the whole project: no per-item lookups, no full rows for unchanged tasks.
  const existing = new Map((await tx.tasks.listDigests(project.id)).map((t) => [t.blueprint_id, t]));
  const itemIds = new Set(placed.map((entry) => entry.item.id));
  const files = new Set(placed.map((entry) => entry.sourceFile));
  for (const blueprint of group) files.add(workspaceRelative(workspaceRoot, blueprint.file));

  // Tasks a dependency may name: this sync's items plus live tasks fed by files not synced now.
  const byBlueprintId = new Map<string, TaskNode>();
  for (const task of existing.values()) {
    const vanishing =
      !itemIds.has(task.blueprint_id) && task.source_file !== null && files.has(task.source_file);
    if (!task.orphaned && !vanishing) byBlueprintId.set(task.blueprint_id, task);
  }

  const creations: TaskCreation[] = [];
  const updates: { id: string; patch: TaskContentPatch }[] = [];
  const needsDependencies: PlacedItem[] = [];
  for (const entry of placed) {
    const { item } = entry;
    const task = existing.get(item.id);
    if (task === undefined) {
      const base = { ...contentOf(entry), project_id: project.id, blueprint_id: item.id };
      creations.push(
        item.checked
          ? { task: { ...base, status: 'completed', phase: 'done' }, reason: 'imported as completed' }
          : { task: { ...base, status: 'active', phase: 'pending' } },
      );
      report.created.push(item.id);
      needsDependencies.push(entry);
    } else if (task.content_hash !== entry.hash) {
      const stale = isDone(task) || task.stale;
      updates.push({ id: task.id, patch: { ...contentOf(entry), stale, orphaned: false } });
      byBlueprintId.set(item.id, { id: task.id, blueprint_id: item.id, blueprint_order: entry.order });
      report.updated.push(item.id);
      if (isDone(task)) report.stale.push(item.id);
      needsDependencies.push(entry);
    } else if (task.orphaned) {
      updates.push({ id: task.id, patch: { ...contentOf(entry), orphaned: false } });
      byBlueprintId.set(item.id, { id: task.id, blueprint_id: item.id, blueprint_order: entry.order });
      report.updated.push(item.id);
    } else {
      if (positionMoved(task, entry)) updates.push({ id: task.id, patch: contentOf(entry) });
      byBlueprintId.set(item.id, task);
      report.unchanged.push(item.id);
    }
  }
  for (const created of await tx.tasks.createMany(creations)) {
    byBlueprintId.set(created.blueprint_id, created);
    drafts.push({ ...taskSubject(created), type: 'task.created', data: { title: created.title } });
  }
  for (const id of report.stale) {
    const task = existing.get(id);
    if (task === undefined) continue;
    const reason = 'its blueprint item changed after it was done; review it or reopen it';
    drafts.push({
      ...taskSubject({ ...task, project_id: project.id }),
      type: 'task.stale',
      data: { reason },
    });
  }

  for (const task of existing.values()) {
    if (itemIds.has(task.blueprint_id) || task.orphaned) continue;
    if (task.source_file === null || !files.has(task.source_file)) continue;
    updates.push({ id: task.id, patch: { orphaned: true } });
    report.orphaned.push(task.blueprint_id);
  }
  if (updates.length > 0) await tx.tasks.updateContentMany(updates);

  const sets: DependencySet[] = [];
  for (const entry of needsDependencies) {
    const task = byBlueprintId.get(entry.item.id) as TaskNode;
    const deps: DependencySet['deps'][number][] = [];
    for (const [upstreamId, spec] of wantedDependencies(entry.item)) {
      const upstream = byBlueprintId.get(upstreamId);
      if (upstream === undefined) {
        diagnostics.push({
          code: 'BP-LINT-002',
          severity: 'error',
          message: `task ${entry.item.id} depends on ${upstreamId}, which is not a task of project ${key}`,
          file: entry.blueprint.file,
          line: entry.item.line,
        });
        continue;
      }
      deps.push({ depends_on_id: upstream.id, ...spec });
    }
    sets.push({ taskId: task.id, source: 'blueprint', deps });
  }
  if (sets.length > 0) await tx.dependencies.setMany(sets);

  if (needsDependencies.length > 0) {
    // The graph needs only ids and order: reuse the tasks in hand rather than reading 10,000 rows again.
    const tasks = [
      ...new Map([...existing.values(), ...byBlueprintId.values()].map((t) => [t.id, t])).values(),
    ];
    const cycle = findDependencyCycle(tasks, await tx.dependencies.list({ projectId: project.id }));
    if (cycle !== null) {
      const names = new Map(tasks.map((t) => [t.id, t.blueprint_id]));
      const ids = cycle.map((id) => names.get(id) ?? id);
      const at = placed.find((entry) => entry.item.id === ids[0]) ?? placed[0];
      diagnostics.push({
        code: 'BP-LINT-003',
        severity: 'error',
        message: `dependency cycle in project ${key}: ${ids.join(' -> ')}`,
        file: at?.blueprint.file ?? first.file,
        line: at?.item.line ?? 1,
      });
    }
  }
  return report;
}

function taskSubject(task: {
  id: string;
  project_id: string;
  blueprint_id: string;
}): Omit<EventDraft, 'type'> {
  return { task_id: task.id, project_id: task.project_id, blueprint_id: task.blueprint_id };
}

/** The sync's events, when it wrote anything: an unchanged re-sync writes no event either. */
async function appendSyncEvents(
  tx: StoreTx,
  events: EventLog,
  reports: readonly ProjectSyncReport[],
  blueprints: readonly Blueprint[],
  workspaceRoot: string,
  drafts: readonly EventDraft[],
): Promise<void> {
  const changed = reports.filter(
    (r) => r.created.length + r.updated.length + r.stale.length + r.orphaned.length > 0,
  );
  if (changed.length === 0) return;
  for (const draft of drafts) await events.append(tx, draft);
  await events.append(tx, {
    type: 'blueprint.synced',
    ...(changed.length === 1 ? { project_id: changed[0]!.project_id } : {}),
    data: {
      files: blueprints.map((b) => workspaceRelative(workspaceRoot, b.file)),
      projects: changed.map((r) => r.key),
    },
  });
}

/**
 * Reconciles the store with `blueprints` in ONE transaction. Any error diagnostic (from parsing,
 * linting or found here: duplicate ids across files, unknown dependencies, cycles) means nothing is
 * written and `ok` is false. Syncing the same files twice writes nothing the second time.
 */
export async function syncBlueprints(
  store: Store,
  blueprints: readonly Blueprint[],
  options: SyncOptions,
): Promise<SyncReport> {
  const diagnostics = blueprints.flatMap((b) => b.diagnostics);
  if (hasErrors(diagnostics)) return { ok: false, projects: [], diagnostics };

  const groups = [...groupByProject(blueprints)].map(([key, group]) => ({
    key,
    group,
    placed: placeItems(group, options.workspaceRoot),
  }));
  for (const { key, placed } of groups) diagnostics.push(...duplicateDiagnostics(key, placed));
  if (hasErrors(diagnostics)) return { ok: false, projects: [], diagnostics };

  try {
    const projects = await store.transaction(async (tx) => {
      const reports: ProjectSyncReport[] = [];
      const drafts: EventDraft[] = [];
      for (const { key, group, placed } of groups) {
        reports.push(await syncProject(tx, key, group, placed, options.workspaceRoot, diagnostics, drafts));
      }
      if (hasErrors(diagnostics)) throw new SyncRejected();
      if (options.events)
        await appendSyncEvents(tx, options.events, reports, blueprints, options.workspaceRoot, drafts);
      return reports;
    });
    return { ok: true, projects, diagnostics };
  } catch (error) {
    if (error instanceof SyncRejected) return { ok: false, projects: [], diagnostics };
    throw error;
  }
}

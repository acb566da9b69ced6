// Drift (DESIGN §4, `blueprint status`): how the blueprints on disk differ from the task store, and
// which acceptance criteria no test claims. Read-only: it never writes to the store.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { globSync } from 'tinyglobby';
import { itemContentHash } from '../blueprint/hash.js';
import type { Blueprint, BlueprintItem } from '../blueprint/model.js';
import type { DriftReport, ProjectDrift, UnmappedCriterion } from '../contracts/views.js';
import type { StoreReader, TaskDigest } from './store.js';
import { workspaceRelative } from './sync.js';

export type { DriftReport, ProjectDrift, UnmappedCriterion } from '../contracts/views.js';

export interface DriftOptions {
  workspaceRoot: string;
  /** `blueprints.test_mapping.patterns`: globs with an `{id}` placeholder. */
  testPatterns: string[];
}

const IGNORED_DIRS = ['**/node_modules/**', '**/.git/**', '**/.penguin/**'];

/**
 * A `Tests:` entry names files when it looks like a path or a glob; anything else (e.g. "BOOK-1
 * list") is a test-name filter, which selects tests at run time but names no file to scan here.
 */
function isFileEntry(entry: string): boolean {
  if (/\s/.test(entry)) return false;
  return /[/*?{[]/.test(entry) || /\.[A-Za-z0-9]+$/.test(entry);
}

function stripDotSlash(pattern: string): string {
  return pattern.startsWith('./') ? pattern.slice(2) : pattern;
}

/**
 * Criterion markers in a file. A marker is `ACn` as a word, optionally right after a task id
 * (`BOOK-1 AC2`); a qualified marker counts only for that task, a bare one for every task the file is
 * mapped to. The whole file is scanned, not only test names: a marker in a comment counts too, which
 * keeps the scan language-agnostic (vitest, pytest, go test alike).
 */
interface Markers {
  bare: Set<number>;
  byId: Map<string, Set<number>>;
}

const MARKER = /(?:\b([A-Za-z][A-Za-z0-9_]*-[A-Za-z0-9][A-Za-z0-9._]*)\s+)?\bAC(\d+)\b/g;

function scanMarkers(text: string): Markers {
  const markers: Markers = { bare: new Set(), byId: new Map() };
  for (const match of text.matchAll(MARKER)) {
    const criterion = Number(match[2]);
    const id = match[1];
    if (id === undefined) {
      markers.bare.add(criterion);
      continue;
    }
    const key = id.toUpperCase();
    const set = markers.byId.get(key) ?? new Set<number>();
    set.add(criterion);
    markers.byId.set(key, set);
  }
  return markers;
}

/** Globs and file scans shared by every item of one drift run: each pattern and file is read once. */
class TestFileIndex {
  private readonly globs = new Map<string, string[]>();
  private readonly markers = new Map<string, Markers>();

  constructor(private readonly root: string) {}

  glob(pattern: string): string[] {
    let files = this.globs.get(pattern);
    if (files === undefined) {
      files = globSync(pattern, { cwd: this.root, ignore: IGNORED_DIRS, onlyFiles: true });
      this.globs.set(pattern, files);
    }
    return files;
  }

  markersOf(file: string): Markers {
    let markers = this.markers.get(file);
    if (markers === undefined) {
      let text = '';
      try {
        text = readFileSync(join(this.root, file), 'utf8');
      } catch {
        // A file that vanished between glob and read maps nothing.
      }
      markers = scanMarkers(text);
      this.markers.set(file, markers);
    }
    return markers;
  }

  /** Files mapped to `item`: its `Tests:` files/globs, then the `{id}` patterns (as given, lower-cased). */
  filesFor(item: BlueprintItem, testPatterns: readonly string[]): string[] {
    const files = new Set<string>();
    for (const entry of item.tests) {
      if (isFileEntry(entry)) for (const file of this.glob(stripDotSlash(entry))) files.add(file);
    }
    if (testPatterns.length > 0) {
      const concrete = new Set<string>();
      for (const template of testPatterns) {
        const pattern = stripDotSlash(template);
        concrete.add(pattern.replaceAll('{id}', item.id));
        concrete.add(pattern.replaceAll('{id}', item.id.toLowerCase()));
      }
      // Glob each template once (with `*` for the id) and match the item's patterns against that list,
      // instead of walking the tree once per item.
      const isMatch = picomatch([...concrete]);
      for (const template of testPatterns) {
        for (const file of this.glob(stripDotSlash(template).replaceAll('{id}', '*'))) {
          if (isMatch(file)) files.add(file);
        }
      }
    }
    return [...files].sort();
  }
}

/** Appends `item`'s criteria that no mapped test file marks to `out`. */
function collectUnmapped(
  item: BlueprintItem,
  index: TestFileIndex,
  testPatterns: readonly string[],
  out: UnmappedCriterion[],
): void {
  const criteria = item.acceptance_criteria;
  if (criteria.length === 0) return;
  // Most items map no test file at all: skip the set (drift runs over every item of every blueprint).
  let mapped: Set<number> | null = null;
  if (item.tests.length > 0 || testPatterns.length > 0) {
    mapped = new Set();
    const id = item.id.toUpperCase();
    for (const file of index.filesFor(item, testPatterns)) {
      const markers = index.markersOf(file);
      for (const n of markers.bare) mapped.add(n);
      for (const n of markers.byId.get(id) ?? []) mapped.add(n);
    }
  }
  for (let i = 0; i < criteria.length; i++) {
    if (mapped === null || !mapped.has(i + 1))
      out.push({ blueprint_id: item.id, criterion: i + 1, text: criteria[i] as string });
  }
}

/** `items` by `order`; parsers emit them in that order already, so usually no copy is made. */
function inDocumentOrder(items: readonly BlueprintItem[]): readonly BlueprintItem[] {
  for (let i = 1; i < items.length; i++) {
    if (items[i - 1]!.order > items[i]!.order) return [...items].sort((x, y) => x.order - y.order);
  }
  return items;
}

function isDone(task: TaskDigest): boolean {
  return task.status === 'completed' || task.status === 'pending_review';
}

async function projectDrift(
  store: StoreReader,
  key: string,
  group: readonly Blueprint[],
  index: TestFileIndex,
  options: DriftOptions,
): Promise<ProjectDrift> {
  const project = await store.projects.getByKey(key);
  // One narrow query per project; every lookup below is a Map hit.
  const tasks = project === null ? [] : await store.tasks.listDigests(project.id);
  const byBlueprintId = new Map<string, TaskDigest>();
  for (const task of tasks) byBlueprintId.set(task.blueprint_id, task);
  const files = new Set(group.map((b) => workspaceRelative(options.workspaceRoot, b.file)));
  const items = group.flatMap((b) => inDocumentOrder(b.items));
  const itemIds = new Set<string>();
  for (const item of items) itemIds.add(item.id);

  const stale = new Set<string>();
  const changed: string[] = [];
  const fresh: string[] = [];
  const unmapped: UnmappedCriterion[] = [];
  for (const item of items) {
    const task = byBlueprintId.get(item.id);
    if (task === undefined) {
      fresh.push(item.id);
    } else {
      if (task.stale) stale.add(item.id);
      if (task.content_hash !== itemContentHash(item)) {
        changed.push(item.id);
        if (isDone(task)) stale.add(item.id);
      }
    }
    collectUnmapped(item, index, options.testPatterns, unmapped);
  }

  const orphaned: string[] = [];
  for (const task of tasks) {
    if (itemIds.has(task.blueprint_id)) continue;
    // Tasks fed by other files of the project are not judged by files we were not given.
    const vanished = task.source_file !== null && files.has(task.source_file);
    if (task.orphaned || vanished) orphaned.push(task.blueprint_id);
    if (task.stale) stale.add(task.blueprint_id);
  }

  return {
    key,
    project_id: project?.id ?? null,
    stale: [...stale],
    orphaned,
    new: fresh,
    changed,
    unmapped_criteria: unmapped,
  };
}

/** Drift of every project the blueprints feed, in first-seen order of their project keys. */
export async function computeDrift(
  store: StoreReader,
  blueprints: readonly Blueprint[],
  options: DriftOptions,
): Promise<DriftReport> {
  const groups = new Map<string, Blueprint[]>();
  for (const blueprint of blueprints) {
    const group = groups.get(blueprint.project_key) ?? [];
    group.push(blueprint);
    groups.set(blueprint.project_key, group);
  }
  const index = new TestFileIndex(options.workspaceRoot);
  const projects: ProjectDrift[] = [];
  for (const [key, group] of groups) projects.push(await projectDrift(store, key, group, index, options));
  return { projects };
}

// Which tests the TEST phase runs for a task (DESIGN §5): the task's own `Tests:` entries, else the
// configured `blueprints.test_mapping.patterns`, else every test whose name contains the blueprint id.
import { globSync } from 'tinyglobby';
import type { Task } from '../../project/model.js';

export interface TestSelection {
  strategy: 'tests' | 'patterns' | 'filter';
  /** Workspace-relative files that exist, sorted; empty: the runner's own discovery. */
  files: string[];
  /**
   * A name filter as a regular expression source (each name escaped, alternatives joined with `|`),
   * the form vitest -t, jest -t, node --test-name-pattern and go -run take; null: no filter.
   */
  filter: string | null;
  /** The plain names behind `filter`, for runners that do not take a regular expression (pytest -k). */
  names: string[];
}

export interface SelectTestsOptions {
  workspaceRoot: string;
  /** blueprints.test_mapping.patterns, with `{id}` standing for the blueprint id. */
  patterns: readonly string[];
}

const GLOB_CHARS = /[*?[\]{}!]/;
const PATH_CHARS = /[/\\]/;
/** Never tests of the workspace itself. */
const IGNORED = ['**/node_modules/**', '**/.git/**', '**/.penguin/**'];

export function selectTests(
  task: Pick<Task, 'blueprint_id' | 'tests'>,
  options: SelectTestsOptions,
): TestSelection {
  const files = new Set<string>();
  const names: string[] = [];
  for (const raw of task.tests) {
    const entry = raw.trim();
    if (!entry) continue;
    const matched = expand([entry], options.workspaceRoot);
    matched.forEach((file) => files.add(file));
    // A plain word that names no file is a test name: `Tests: BOOK-1 reads PORT`.
    if (matched.length === 0 && !GLOB_CHARS.test(entry) && !PATH_CHARS.test(entry)) names.push(entry);
  }
  if (files.size > 0 || names.length > 0) {
    return { strategy: 'tests', files: [...files].sort(), filter: toFilter(names), names };
  }

  const id = task.blueprint_id;
  const patterns = options.patterns.flatMap((p) => {
    const withId = p.replaceAll('{id}', id);
    const lower = p.replaceAll('{id}', id.toLowerCase());
    return withId === lower ? [withId] : [withId, lower];
  });
  const mapped = expand(patterns, options.workspaceRoot);
  if (mapped.length > 0) return { strategy: 'patterns', files: mapped, filter: null, names: [] };

  return { strategy: 'filter', files: [], filter: toFilter([id]), names: [id] };
}

function expand(patterns: readonly string[], cwd: string): string[] {
  if (patterns.length === 0) return [];
  const found = globSync([...patterns], { cwd, onlyFiles: true, ignore: IGNORED, expandDirectories: false });
  return [...new Set(found)].sort();
}

function toFilter(names: readonly string[]): string | null {
  if (names.length === 0) return null;
  return names.map(escapeRegExp).join('|');
}

export function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Builds Task objects for the project, ITUV and orchestration tests and the benchmarks: the one
// place that knows a task's default fields. Every field filled, overrides on top.
import type { Dependency, Task } from '../../src/project/model.js';
import type { NewTask } from '../../src/project/store.js';

/** What `store.createTask` takes: an active, pending task with every optional field empty. */
export function newTask(projectId: string, blueprintId: string, overrides: Partial<NewTask> = {}): NewTask {
  return {
    project_id: projectId,
    blueprint_id: blueprintId,
    parent_id: null,
    title: `Task ${blueprintId}`,
    description: null,
    acceptance_criteria: [],
    recipe: null,
    tests: [],
    priority: null,
    labels: [],
    assignees: [],
    required_tools: [],
    skills: [],
    due: null,
    sequence: null,
    estimate: null,
    effort: null,
    value: null,
    risk: null,
    agent_role: null,
    parallelizable: null,
    batch: null,
    blueprint_order: 0,
    source_file: null,
    source_line: null,
    status: 'active',
    phase: 'pending',
    content_hash: '',
    ...overrides,
  };
}

let counter = 0;

export function makeTask(overrides: Partial<Task> & Pick<Task, 'blueprint_id'>): Task {
  counter += 1;
  const order = overrides.blueprint_order ?? counter;
  return {
    id: `task-${overrides.blueprint_id.toLowerCase()}`,
    ...newTask('proj-1', overrides.blueprint_id, { blueprint_order: order }),
    stale: false,
    orphaned: false,
    overrides: [],
    review_note: null,
    reviewed_at: null,
    created_at: '2025-01-01T00:00:00.000Z',
    updated_at: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** `task` depends on `upstream` (both Task objects) under `policy`. */
export function dependsOn(
  task: Task,
  upstream: Task,
  policy: Dependency['policy'] = 'completion_required',
  artifactKey: string | null = null,
): Dependency {
  return {
    task_id: task.id,
    depends_on_id: upstream.id,
    policy,
    artifact_key: artifactKey,
    source: 'blueprint',
  };
}

/** Fisher-Yates with a fixed seed, for "shuffled input gives the same order" tests. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

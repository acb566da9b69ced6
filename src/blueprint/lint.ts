// Lint findings over a parsed blueprint (DESIGN §3): ids, dependencies, cycles, acceptance
// criteria, estimates and recipes. Every check is linear in items + dependencies.
import { nodesOnCycles } from './cycles.js';
import { DirectedGraph } from 'graphology';
import { stronglyConnectedComponents } from 'graphology-components';
import type { Blueprint, BlueprintItem, Diagnostic, Severity } from './model.js';
import {
  DEPENDENCY_CYCLE,
  DUPLICATE_ID,
  DUPLICATE_RECIPE,
  MISSING_DEPENDENCY,
  NO_ACCEPTANCE,
  NO_ESTIMATE,
  NO_TASKS,
  REDUNDANT_SPEC,
  UNCOVERABLE_CRITERION,
  UNKNOWN_RECIPE,
} from './codes.js';

/** Lint-only findings (parse diagnostics stay in `bp.diagnostics`). */
export function lintBlueprint(bp: Blueprint): Diagnostic[] {
  const out: Diagnostic[] = [];
  const add = (code: string, severity: Severity, message: string, line: number): void => {
    out.push({ code, severity, message, file: bp.file, line });
  };

  if (bp.items.length === 0) {
    add(NO_TASKS, 'error', 'the blueprint has no tasks (checklist items under a "## Tasks" section)', 1);
  }

  // First definition of each id wins; later ones are duplicates.
  const byId = new Map<string, BlueprintItem>();
  for (const item of bp.items) {
    const first = byId.get(item.id);
    if (first === undefined) byId.set(item.id, item);
    else
      add(DUPLICATE_ID, 'error', `duplicate id ${item.id} (first defined at line ${first.line})`, item.line);
  }

  for (const item of bp.items) {
    for (const dep of item.depends_on) {
      if (!byId.has(dep)) {
        const line = item.depends_lines?.[dep] ?? item.line;
        add(MISSING_DEPENDENCY, 'error', `${item.id} depends on ${dep}, which is not in the blueprint`, line);
      }
    }
    for (const spec of item.dependency_specs) {
      if (
        spec.policy === 'completion_required' &&
        spec.artifact_key === undefined &&
        item.depends_on.includes(spec.task_id)
      ) {
        add(
          REDUNDANT_SPEC,
          'warning',
          `dependency spec of ${item.id} on ${spec.task_id} only repeats the default policy completion_required`,
          item.line,
        );
      }
    }
    if (item.acceptance_criteria.length === 0) {
      add(NO_ACCEPTANCE, 'warning', `${item.id} has no acceptance criteria`, item.line);
    }
    if (item.estimate === null) add(NO_ESTIMATE, 'warning', `${item.id} has no estimate`, item.line);
  }

  for (const cycle of findCycles(bp.items, byId)) {
    const start = byId.get(cycle[0]!)!;
    add(DEPENDENCY_CYCLE, 'error', `dependency cycle: ${[...cycle, cycle[0]].join(' -> ')}`, start.line);
  }

  lintRecipes(bp, add);
  return out.sort((a, b) => a.line - b.line);
}

/**
 * One cycle per strongly connected component (and per self-dependency): the shortest cycle through
 * the component's first task in document order, listed in dependency order.
 */
function findCycles(items: BlueprintItem[], byId: Map<string, BlueprintItem>): string[][] {
  const cycles: string[][] = [];
  for (const item of byId.values()) if (item.depends_on.includes(item.id)) cycles.push([item.id]);
  // Only what lies on or between cycles goes into the graph for the component search.
  const remaining = nodesOnCycles(byId.keys(), (id) => byId.get(id)!.depends_on.filter((dep) => dep !== id));
  if (remaining.size === 0) return cycles;

  const graph = new DirectedGraph();
  for (const id of remaining) graph.addNode(id);
  for (const id of remaining) {
    for (const dep of byId.get(id)!.depends_on) {
      if (dep !== id && remaining.has(dep)) graph.mergeEdge(id, dep);
    }
  }
  const position = new Map(items.map((item, index) => [item.id, index] as const));
  for (const component of stronglyConnectedComponents(graph)) {
    if (component.length < 2) continue;
    const members = new Set(component);
    const start = component.reduce((a, b) => (position.get(a)! <= position.get(b)! ? a : b));
    // BFS inside the component from `start` until an edge leads back to it.
    const parent = new Map<string, string>();
    const queue = [start];
    let last: string | null = null;
    for (let head = 0; head < queue.length && last === null; head++) {
      const node = queue[head]!;
      for (const next of graph.outNeighbors(node)) {
        if (!members.has(next)) continue;
        if (next === start) {
          last = node;
          break;
        }
        if (!parent.has(next)) {
          parent.set(next, node);
          queue.push(next);
        }
      }
    }
    const path: string[] = [];
    for (
      let node: string | undefined = last ?? start;
      node !== undefined && node !== start;
      node = parent.get(node)
    ) {
      path.push(node);
    }
    cycles.push([start, ...path.reverse()]);
  }
  // Report in document order of the cycle's first task.
  return cycles.sort((a, b) => position.get(a[0]!)! - position.get(b[0]!)!);
}

function lintRecipes(
  bp: Blueprint,
  add: (code: string, severity: Severity, message: string, line: number) => void,
): void {
  const recipes = new Map<string, number>();
  for (const recipe of bp.recipes) {
    const first = recipes.get(recipe.name);
    if (first === undefined) recipes.set(recipe.name, recipe.line);
    else
      add(
        DUPLICATE_RECIPE,
        'error',
        `duplicate recipe "${recipe.name}" (first defined at line ${first})`,
        recipe.line,
      );
  }
  // Most acceptance criteria among the tasks using each recipe: a step may cover 1..that number.
  const criteria = new Map<string, number>();
  for (const item of bp.items) {
    if (item.recipe === null) continue;
    if (!recipes.has(item.recipe)) {
      add(
        UNKNOWN_RECIPE,
        'error',
        `${item.id} uses recipe "${item.recipe}", which is not defined`,
        item.line,
      );
      continue;
    }
    criteria.set(item.recipe, Math.max(criteria.get(item.recipe) ?? 0, item.acceptance_criteria.length));
  }
  for (const recipe of bp.recipes) {
    const max = criteria.get(recipe.name);
    if (max === undefined) continue;
    for (const step of recipe.steps) {
      for (const number of step.covers ?? []) {
        if (number > max) {
          add(
            UNCOVERABLE_CRITERION,
            'warning',
            `recipe "${recipe.name}" covers criterion ${number}, but no task using it has more than ${max}`,
            step.line ?? recipe.line,
          );
        }
      }
    }
  }
}

// Lint findings over a parsed blueprint (DESIGN §3): ids, dependencies, cycles, acceptance
// criteria, estimates and recipes. Every check is linear in items + dependencies.
import { findCycles } from './cycles.js';
import { hasErrors, type Blueprint, type BlueprintItem, type Diagnostic, type Severity } from './model.js';
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

  // "No tasks" is only news when parsing found nothing wrong: a file that failed to parse, or whose
  // every task was refused, already says why.
  if (bp.items.length === 0 && !hasErrors(bp.diagnostics)) {
    const where =
      bp.format === 'markdown'
        ? 'checklist items like "- [ ] KEY-1 Title" under a "## Tasks" heading'
        : 'entries of an "items:" or "tasks:" list';
    add(NO_TASKS, 'error', `the blueprint has no tasks (${where})`, 1);
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

  for (const cycle of findCycles([...byId.keys()], (id) => byId.get(id)?.depends_on ?? [])) {
    const start = byId.get(cycle[0]!)!;
    add(DEPENDENCY_CYCLE, 'error', `dependency cycle: ${[...cycle, cycle[0]].join(' -> ')}`, start.line);
  }

  lintRecipes(bp, add);
  return out.sort((a, b) => a.line - b.line);
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

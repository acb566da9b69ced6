// The USE phase's entry point (DESIGN §5): run a usage recipe and report what happened. A recipe
// failure is a result (`passed: false` with one sentence naming the step), never an exception.
import type { Recipe } from '../../blueprint/model.js';
import type { RecipeRunResult } from '../results.js';
import { executeRecipe } from './execute.js';
import { checkNetworkNamespaces, resolveChildEntry, runIsolated } from './isolation.js';
import type { RecipeRunOptions } from './options.js';

export type { RecipeRunOptions } from './options.js';

export async function runRecipe(recipe: Recipe, options: RecipeRunOptions): Promise<RecipeRunResult> {
  if (options.network) {
    return executeRecipe(recipe, options, {
      requested: false,
      applied: false,
      detail: 'network allowed (usage_runner.network: true)',
    });
  }
  const support = await checkNetworkNamespaces();
  const entry = resolveChildEntry();
  if (support.available && entry !== null) return runIsolated(recipe, options, support.prefix, entry);
  const reason = support.available
    ? 'the isolated runner is not built (dist/ituv/recipe/isolated-child.js is missing; run npm run build)'
    : `network namespaces unavailable: ${support.reason}`;
  return executeRecipe(recipe, options, {
    requested: true,
    applied: false,
    detail: `${reason}; the recipe ran with the host network`,
  });
}

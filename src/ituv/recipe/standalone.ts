// `penguin recipe run NAME`: one usage recipe, outside any workflow, with the workspace's
// usage_runner settings. Transcripts go to .penguin/runs/recipes/<name>-<time>/.
import { join } from 'node:path';
import { loadBlueprint } from '../../blueprint/load.js';
import type { Recipe } from '../../blueprint/model.js';
import type { PenguinConfig } from '../../config/schema.js';
import { NotFoundError, UsageError } from '../../errors.js';
import type { RecipeRunResult } from '../results.js';
import { runRecipe } from './runner.js';

export interface StandaloneRecipeRequest {
  name: string;
  /** Blueprint files to look for the recipe in, in order. */
  blueprintFiles: readonly string[];
  workspaceRoot: string;
  config: PenguinConfig;
  runsDir: string;
  signal?: AbortSignal;
}

export function findRecipe(
  name: string,
  blueprintFiles: readonly string[],
): { recipe: Recipe; file: string } {
  const known: string[] = [];
  for (const file of blueprintFiles) {
    const blueprint = loadBlueprint(file);
    const errors = blueprint.diagnostics.filter(
      (d) => d.severity === 'error' && d.code.startsWith('BP-PARSE'),
    );
    const first = errors[0];
    if (first) throw new UsageError(`${first.file}:${first.line}: ${first.message}`);
    const recipe = blueprint.recipes.find((r) => r.name === name);
    if (recipe) return { recipe, file };
    known.push(...blueprint.recipes.map((r) => r.name));
  }
  const hint = known.length > 0 ? `; known recipes: ${[...new Set(known)].join(', ')}` : '';
  throw new NotFoundError(`no recipe '${name}' in ${blueprintFiles.length} blueprint file(s)${hint}`);
}

export async function runStandaloneRecipe(
  request: StandaloneRecipeRequest,
): Promise<RecipeRunResult & { file: string }> {
  const { recipe, file } = findRecipe(request.name, request.blueprintFiles);
  const runner = request.config.usage_runner;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const result = await runRecipe(recipe, {
    workspaceRoot: request.workspaceRoot,
    ...(runner.base_url ? { baseUrl: runner.base_url } : {}),
    passEnv: runner.pass_env,
    allowCommands: runner.allow_commands,
    network: runner.network,
    timeoutSec: runner.timeout_sec,
    transcriptDir: join(
      request.runsDir,
      'recipes',
      `${recipe.name.replace(/[^A-Za-z0-9_-]/g, '_')}-${stamp}`,
    ),
    ...(request.signal ? { signal: request.signal } : {}),
  });
  return { ...result, file };
}

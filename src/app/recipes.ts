// Use case: run one usage recipe by name against the real program (`recipe run`), in a workspace with
// its usage_runner settings, or outside one from a given blueprint with the defaults.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_CONFIG } from '../config/schema.js';
import type { RecipeRunDocument } from '../contracts/views.js';
import { runStandaloneRecipe } from '../ituv/recipe/standalone.js';
import type { Workspace } from '../project/workspace.js';
import { blueprintFiles } from './blueprints.js';

export interface RecipeRunRequest {
  name: string;
  /** The blueprint holding the recipe (relative to `cwd`); default: the workspace's blueprints. */
  blueprint?: string;
  /** The workspace, or null to run outside one (then `blueprint` is required). */
  ws: Workspace | null;
  cwd: string;
}

export async function runRecipeByName(request: RecipeRunRequest): Promise<RecipeRunDocument> {
  const { ws, blueprint } = request;
  return runStandaloneRecipe({
    name: request.name,
    blueprintFiles: blueprint ? [resolve(request.cwd, blueprint)] : ws ? blueprintFiles(ws) : [],
    workspaceRoot: ws?.paths.root ?? request.cwd,
    config: ws?.config ?? DEFAULT_CONFIG,
    // Outside a workspace transcripts go to a temporary directory: writing .penguin/ here would turn
    // this directory into a workspace.
    runsDir: ws ? join(ws.paths.penguinDir, 'runs') : mkdtempSync(join(tmpdir(), 'penguin-recipe-')),
  });
}

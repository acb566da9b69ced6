// Shared setup for recipe-runner tests: recipes built directly (not parsed), free ports, temp dirs.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Recipe, RecipeStep } from '../../../src/blueprint/model.js';
import type { RecipeRunOptions } from '../../../src/ituv/recipe/options.js';

export const SERVER_SCRIPT = fileURLToPath(new URL('../../fixtures/recipe/server.mjs', import.meta.url));

export function recipe(partial: Partial<Recipe> & { steps: RecipeStep[] }): Recipe {
  return {
    name: 'demo',
    description: null,
    service: null,
    env: {},
    timeout_sec: null,
    artifacts: [],
    line: 1,
    ...partial,
  };
}

export interface Sandbox {
  workspace: string;
  transcripts: string;
  options(extra?: Partial<RecipeRunOptions>): RecipeRunOptions;
  cleanup(): Promise<void>;
}

export async function sandbox(): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), 'penguin-recipe-test-'));
  const workspace = join(root, 'ws');
  const transcripts = join(root, 'transcripts');
  await mkdir(workspace);
  return {
    workspace,
    transcripts,
    options: (extra = {}) => ({
      workspaceRoot: workspace,
      passEnv: [],
      allowCommands: [],
      network: true,
      timeoutSec: 60,
      sourceEnv: { PATH: process.env.PATH },
      transcriptDir: transcripts,
      ...extra,
    }),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

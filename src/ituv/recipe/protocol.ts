// What the parent and the isolated child (isolated-child.ts) exchange through files. Both sides
// validate with these schemas: the files cross a process boundary.
import { z } from 'zod';
import type { Recipe } from '../../blueprint/model.js';
import type { RecipeRunResult } from '../results.js';

const stringMap = z.record(z.string(), z.string());

const stepSchema = z.object({
  kind: z.enum(['shell', 'http', 'python', 'node']),
  run: z.string(),
  name: z.string().optional(),
  expect_exit: z.number().optional(),
  expect_stdout: z.string().optional(),
  expect_stderr: z.string().optional(),
  expect_status: z.number().optional(),
  expect_json: z.unknown().optional(),
  headers: stringMap.optional(),
  body: z.unknown().optional(),
  capture: stringMap.optional(),
  covers: z.array(z.number()).optional(),
  timeout_sec: z.number().optional(),
  env: stringMap.optional(),
  line: z.number().optional(),
});

const recipeSchema = z.object({
  name: z.string(),
  description: z.string().nullable(),
  service: z
    .object({
      command: z.string(),
      cwd: z.string().optional(),
      env: stringMap.optional(),
      ready: z.string().optional(),
      ready_timeout_sec: z.number().optional(),
    })
    .nullable(),
  env: stringMap,
  timeout_sec: z.number().nullable(),
  steps: z.array(stepSchema),
  artifacts: z.array(z.string()),
  line: z.number(),
});

/** The child's input; secrets are not in it (they come through the child's environment). */
export const childInputSchema = z.object({
  recipe: recipeSchema,
  options: z.object({
    workspaceRoot: z.string(),
    baseUrl: z.string().optional(),
    passEnv: z.array(z.string()),
    allowCommands: z.array(z.string()),
    timeoutSec: z.number(),
    transcriptDir: z.string(),
    vars: stringMap.optional(),
  }),
  network: z.object({ requested: z.boolean(), applied: z.boolean(), detail: z.string() }),
  resultFile: z.string(),
  /** The parent creates this file to cancel the run. */
  cancelFile: z.string(),
});

export type ChildInput = Omit<z.infer<typeof childInputSchema>, 'recipe'> & { recipe: Recipe };

const artifactSchema = z.object({
  name: z.string(),
  path: z.string(),
  kind: z.enum(['transcript', 'log', 'junit', 'prompt', 'result', 'file']),
  key: z.string().optional(),
});

export const recipeRunResultSchema = z.object({
  recipe: z.string(),
  passed: z.boolean(),
  failure: z.string().nullable(),
  steps: z.array(
    z.object({
      index: z.number(),
      kind: z.enum(['shell', 'http', 'python', 'node']),
      run: z.string(),
      passed: z.boolean(),
      failure: z.string().nullable(),
      covers: z.array(z.number()),
      duration_ms: z.number(),
      exit_code: z.number().nullable().optional(),
      status: z.number().nullable().optional(),
      timed_out: z.boolean().optional(),
    }),
  ),
  service: z
    .object({ command: z.string(), started: z.boolean(), ready: z.boolean(), stopped: z.boolean() })
    .nullable(),
  network: z.object({ requested: z.boolean(), applied: z.boolean(), detail: z.string() }),
  duration_ms: z.number(),
  artifacts: z.array(artifactSchema),
}) satisfies z.ZodType<RecipeRunResult>;

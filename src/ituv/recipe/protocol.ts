// What the parent and the isolated child (isolated-child.ts) exchange through files. Both sides
// validate with schemas: the files cross a process boundary. The child's answer is a
// RecipeRunResult (contracts/phase-result.ts).
import { z } from 'zod';
import { RecipeSchema } from '../../contracts/blueprint.js';
import { NetworkIsolationSchema } from '../../contracts/phase-result.js';

const stringMap = z.record(z.string(), z.string());

/** The child's input; secrets are not in it (they come through the child's environment). */
export const childInputSchema = z.object({
  recipe: RecipeSchema,
  options: z.object({
    workspaceRoot: z.string(),
    baseUrl: z.string().optional(),
    passEnv: z.array(z.string()),
    allowCommands: z.array(z.string()),
    timeoutSec: z.number(),
    transcriptDir: z.string(),
    vars: stringMap.optional(),
    env: stringMap.optional(),
  }),
  network: NetworkIsolationSchema,
  resultFile: z.string(),
  /** The parent creates this file to cancel the run. */
  cancelFile: z.string(),
});

export type ChildInput = z.infer<typeof childInputSchema>;

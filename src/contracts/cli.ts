// The `--json` document of each CLI command (DESIGN §8): command path -> schema. The end-to-end tests
// validate every --json output they produce against this map, and a test checks that every command
// has an entry, so the CLI's machine-readable contract is written down once, here.
import { z } from 'zod';
import { ServeStartedSchema } from './api.js';
import { LintReportSchema } from './blueprint.js';
import {
  DependencyChangeSchema,
  DependencyListSchema,
  DependencyRemovalSchema,
  DriftViewSchema,
  FrontierViewSchema,
  LifecycleMoveSchema,
  ReadyViewSchema,
  RecipeRunDocumentSchema,
  SyncReportSchema,
  TaskListSchema,
  TaskShowSchema,
  WorkspaceStatusSchema,
} from './views.js';
import { RunContinuousOutputSchema } from './runmode.js';
import { BackendHealthSchema, WORKFLOW_CLI_OUTPUTS } from './workflow.js';

const WorkspacePathsSchema = z.strictObject({
  root: z.string(),
  penguinDir: z.string(),
  dbFile: z.string(),
  artifactsDir: z.string(),
  configFile: z.string(),
  specsDir: z.string(),
});

/** `init --json`. */
export const InitResultSchema = z.strictObject({
  root: z.string(),
  created: z.boolean(),
  created_paths: z.array(z.string()),
  paths: WorkspacePathsSchema,
});
export type InitResult = z.infer<typeof InitResultSchema>;

/** `graph show --json`: the JSON graph as an object, DOT and mermaid as text. */
export const GraphDocumentSchema = z.strictObject({
  project: z.string(),
  format: z.enum(['dot', 'json', 'mermaid']),
  graph: z.union([z.string(), z.record(z.string(), z.unknown())]),
});

/** `orchestration stop-dev --json`: the workspace's Temporal dev server that was stopped, if any. */
export const StopDevResultSchema = z.strictObject({
  stopped: z.boolean(),
  pid: z.number().int().nullable(),
  address: z.string().nullable(),
});
export type StopDevResult = z.infer<typeof StopDevResultSchema>;

export const CLI_OUTPUTS: Record<string, z.ZodType> = {
  init: InitResultSchema,
  status: WorkspaceStatusSchema,
  'task show': TaskShowSchema,
  'recipe run': RecipeRunDocumentSchema,
  'blueprint lint': LintReportSchema,
  'blueprint sync': SyncReportSchema,
  'blueprint status': DriftViewSchema,
  'task list': TaskListSchema,
  'task ready': ReadyViewSchema,
  'task frontier': FrontierViewSchema,
  'task approve': LifecycleMoveSchema,
  'task reopen': LifecycleMoveSchema,
  'task cancel': LifecycleMoveSchema,
  'task deps add': DependencyChangeSchema,
  'task deps remove': DependencyRemovalSchema,
  'task deps list': DependencyListSchema,
  'graph show': GraphDocumentSchema,
  /** Printed once the server listens; the server then runs until Ctrl-C or TERM. */
  serve: ServeStartedSchema,
  'orchestration health': BackendHealthSchema,
  'orchestration stop-dev': StopDevResultSchema,
  /** The summary once the loop ended, or the preview with --dry-run. */
  'run continuous': RunContinuousOutputSchema,
  ...WORKFLOW_CLI_OUTPUTS,
};

/** The schema of `penguin <words...> --json`: the longest command path the words start with. */
export function cliOutputSchema(words: readonly string[]): { command: string; schema: z.ZodType } | null {
  for (let n = Math.min(words.length, 3); n > 0; n -= 1) {
    const command = words.slice(0, n).join(' ');
    const schema = CLI_OUTPUTS[command];
    if (schema !== undefined) return { command, schema };
  }
  return null;
}

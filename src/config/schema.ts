// The penguin.yaml schema (DESIGN §2). Every key is optional and defaulted here, so the rest of
// Penguin reads a fully populated PenguinConfig and never re-states a default. Objects are strict:
// a misspelt key is an error, not a silently ignored setting.
import { z } from 'zod';

/** Frontier tie-breakers (DESIGN §4). Config is a leaf module, so the list lives here too. */
export const CONFIG_TIE_BREAKERS = [
  'priority_desc',
  'due_date_asc',
  'sequence',
  'effort_asc',
  'value_desc',
  'risk_asc',
  'created_at_asc',
] as const;

export const CONFIG_DEFAULT_TIE_BREAKERS: readonly (typeof CONFIG_TIE_BREAKERS)[number][] = [
  'priority_desc',
  'due_date_asc',
  'sequence',
  'created_at_asc',
];

export const CONFIG_ON_FAILURE = ['pause_dependents', 'continue', 'stop'] as const;

const POSITIVE_INT = { error: 'must be a positive integer' };
const positiveInt = z.number(POSITIVE_INT).int(POSITIVE_INT).positive(POSITIVE_INT);
const positiveNumber = z
  .number({ error: 'must be a positive number' })
  .positive({ error: 'must be a positive number' });
const percent = z
  .number({ error: 'must be a percentage between 1 and 100' })
  .min(1, { error: 'must be a percentage between 1 and 100' })
  .max(100, { error: 'must be a percentage between 1 and 100' });
const nonEmpty = z
  .string({ error: 'must be a non-empty string' })
  .min(1, { error: 'must be a non-empty string' });

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

const testMappingSchema = z.strictObject({
  /** explicit: TEST selects by an item's Tests field only; auto and patterns: Tests first, then `patterns`. */
  strategy: z.enum(['auto', 'explicit', 'patterns']).default('auto'),
  // Test-file globs with an `{id}` placeholder (the task's blueprint id), e.g. `test/**/{id}*.test.ts`.
  patterns: z.array(nonEmpty).default([]),
});

const blueprintsSchema = z.strictObject({
  sources: z.array(nonEmpty).default(['context/specs/**/*.{md,yaml,yml,json}']),
  formats: z.array(z.enum(['markdown', 'yaml', 'json'])).default(['markdown', 'yaml', 'json']),
  default_dir: nonEmpty.default('context/specs'),
  auto_create_tasks: z.boolean().default(true),
  test_mapping: testMappingSchema.prefault({}),
  /** Read sources that are symlinks leading outside the workspace (refused with a warning by default). */
  follow_symlinks: z.boolean().default(false),
});

const usageRunnerSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Reserved: not read yet (recipes run in the workspace itself). */
  sandbox: z.boolean().default(false),
  network: z.boolean().default(true),
  timeout_sec: positiveInt.default(120),
  /** Executables recipe steps may run; empty means all are allowed. */
  allow_commands: z.array(nonEmpty).default([]),
  /** Environment variables passed through to recipe steps and services. */
  pass_env: z.array(nonEmpty).default([]),
  /** May hold `{{ port }}`: the port run mode gives each workflow. */
  base_url: z
    .string({ error: 'must be an http(s) URL' })
    .refine((url) => isHttpUrl(url.replace(/\{\{\s*port\s*\}\}/g, '1')), { error: 'must be an http(s) URL' })
    .nullable()
    .default(null),
});

const phaseTimeboxSchema = z.strictObject({
  implement: positiveInt.default(600),
  test: positiveInt.default(300),
  use: positiveInt.default(180),
  verify: positiveInt.default(120),
});

const runmodeSchema = z.strictObject({
  ituv: z
    .strictObject({
      enabled: z.boolean().default(true),
      phase_timebox_sec: phaseTimeboxSchema.prefault({}),
      max_iterations: positiveInt.default(3),
    })
    .prefault({}),
  watchdog: z
    .strictObject({
      /** Identical agent output or diff this many iterations in a row: the run waits for a human. */
      repeat_limit: z
        .number({ error: 'must be an integer >= 2' })
        .int({ error: 'must be an integer >= 2' })
        .min(2, { error: 'must be an integer >= 2' })
        .default(2),
    })
    .prefault({}),
  health: z
    .strictObject({
      /** Above this CPU use (all cores) no new workflow starts beside a running one; 100: never. */
      max_cpu_percent: percent.default(100),
      /** Above this memory use no new workflow starts beside a running one; 100: never. */
      max_memory_percent: percent.default(100),
      /** Seconds between heartbeat events of `run continuous`. */
      heartbeat_sec: positiveNumber.default(10),
    })
    .prefault({}),
});

const schedulerSchema = z.strictObject({
  strategy: z.enum(['frontier']).default('frontier'),
  tie_breakers: z.array(z.enum(CONFIG_TIE_BREAKERS)).default([...CONFIG_DEFAULT_TIE_BREAKERS]),
  ready_parallelism: positiveInt.default(1),
  on_failure: z.enum(CONFIG_ON_FAILURE).default('pause_dependents'),
  max_frontier: positiveInt.default(20),
  /**
   * worktree: each workflow of `run continuous` works in its own git worktree and branch, merged into
   * the base branch after VERIFY; shared: all work in the workspace itself. Null (the default):
   * worktree in a git repository when more than one workflow may run at once, else shared.
   */
  isolation: z.enum(['worktree', 'shared']).nullable().default(null),
});

const orchestrationSchema = z.strictObject({
  backend: z.enum(['native', 'temporal']).default('native'),
  retry: z
    .strictObject({
      max_attempts: positiveInt.default(3),
      initial_interval_sec: positiveNumber.default(1),
      backoff: z
        .number({ error: 'must be a number >= 1' })
        .min(1, { error: 'must be a number >= 1' })
        .default(2),
      max_interval_sec: positiveNumber.default(60),
    })
    .prefault({}),
  temporal: z
    .strictObject({
      address: nonEmpty.default('localhost:7233'),
      namespace: nonEmpty.default('penguin'),
      task_queue: nonEmpty.default('penguin-ituv'),
      auto_start: z.boolean().default(true),
    })
    .prefault({}),
});

const checkSchema = z.strictObject({ name: nonEmpty, command: nonEmpty });

const verificationSchema = z.strictObject({
  /** Failing `checks` fail VERIFY (else they are only reported); evidence per criterion is always required. */
  strict: z.boolean().default(true),
  /** A task that passes VERIFY goes straight to completed instead of pending_review. */
  auto_approve: z.boolean().default(true),
  allow_no_tests: z.boolean().default(false),
  checks: z.array(checkSchema).default([]),
});

const testRunnerSchema = z.strictObject({
  /** Command template with `{files}`, `{filter}` and `{junit}` placeholders. Null: detect from the workspace. */
  command: nonEmpty.nullable().default(null),
  /** Where the command writes JUnit XML, when it does not take `{junit}`. */
  junit: nonEmpty.nullable().default(null),
});

const agentSchema = z.strictObject({
  id: nonEmpty,
  role: nonEmpty.default('implementer'),
  skills: z.array(nonEmpty).default([]),
  tools: z.array(nonEmpty).default([]),
  capacity: positiveInt.default(1),
  kind: z.enum(['command', 'manual']).default('command'),
  command: nonEmpty.nullable().default(null),
  /** The agent an empty result (exit 0, no change, no summary) is retried on once. */
  fallback: nonEmpty.nullable().default(null),
});

export const penguinConfigSchema = z.strictObject({
  blueprints: blueprintsSchema.prefault({}),
  usage_runner: usageRunnerSchema.prefault({}),
  runmode: runmodeSchema.prefault({}),
  scheduler: schedulerSchema.prefault({}),
  orchestration: orchestrationSchema.prefault({}),
  verification: verificationSchema.prefault({}),
  test_runner: testRunnerSchema.prefault({}),
  agents: z
    .array(agentSchema)
    .default([])
    .superRefine((agents, ctx) => {
      const seen = new Set<string>();
      agents.forEach((agent, i) => {
        if (agent.kind === 'command' && agent.command === null) {
          ctx.addIssue({ code: 'custom', path: [i, 'command'], message: 'is required when kind is command' });
        }
        if (seen.has(agent.id)) {
          ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicates agent id "${agent.id}"` });
        }
        seen.add(agent.id);
      });
      agents.forEach((agent, i) => {
        if (agent.fallback !== null && (agent.fallback === agent.id || !seen.has(agent.fallback))) {
          ctx.addIssue({
            code: 'custom',
            path: [i, 'fallback'],
            message: `names no other configured agent ("${agent.fallback}")`,
          });
        }
      });
    }),
});

/** The fully defaulted configuration every part of Penguin reads. */
export type PenguinConfig = z.output<typeof penguinConfigSchema>;
/** What a penguin.yaml may contain (every key optional). */
export type PenguinConfigInput = z.input<typeof penguinConfigSchema>;
export type AgentConfig = PenguinConfig['agents'][number];

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Every default, frozen: callers that need to change a value parse their own copy. */
export const DEFAULT_CONFIG: PenguinConfig = deepFreeze(penguinConfigSchema.parse({}));

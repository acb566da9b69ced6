// Options of a recipe run (the `usage_runner` config plus what the USE phase knows).

export interface RecipeRunOptions {
  /** Service cwd, shell steps and artifact paths are relative to it. */
  workspaceRoot: string;
  /** `usage_runner.base_url`: where http steps go when the service has no ready URL. */
  baseUrl?: string;
  /** Host variables the recipe may see; their values are masked as secrets. */
  passEnv: string[];
  /** When non-empty, the only programs a shell step or the service may start. */
  allowCommands: string[];
  /** false: everything the recipe runs sees only a loopback interface. */
  network: boolean;
  /** The recipe's timeout when it sets no `timeout_sec`. */
  timeoutSec: number;
  /** Where passEnv values come from; default process.env. */
  sourceEnv?: NodeJS.ProcessEnv;
  /** transcript.json and service.log are written here. */
  transcriptDir: string;
  /** Cancels the run: the current step and the service are killed. */
  signal?: AbortSignal;
  /** Initial `{{ }}` variables (e.g. from an earlier phase). */
  vars?: Record<string, string>;
  /** Literal variables every process of the recipe sees (not secrets: never masked), e.g. PENGUIN_PORT. */
  env?: Record<string, string>;
}

/** The limit used when neither the recipe nor the options give one (both normally do). */
export const DEFAULT_READY_TIMEOUT_SEC = 30;

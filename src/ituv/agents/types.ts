// The agent shape IMPLEMENT needs. Kept structural so both a validated penguin.yaml entry and a
// hand-built test value fit; validation happens where the config is loaded.
export interface AgentConfig {
  id: string;
  role?: string | null;
  skills?: readonly string[];
  tools?: readonly string[];
  capacity?: number;
  kind: 'command' | 'manual';
  /** The shell command for `command` agents, run in the workspace root. */
  command?: string | null;
}

export interface AgentRunInput {
  /** The enriched prompt: on the agent's stdin and in `$PENGUIN_PROMPT_FILE`. */
  prompt: string;
  workspaceRoot: string;
  taskId: string;
  blueprintId: string;
  workflowId: string;
  /** Where prompt.md, stdout.log, stderr.log and result.json go. */
  outputDir: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** The base environment of the agent; defaults to Penguin's own. */
  env?: NodeJS.ProcessEnv;
  /** Live output, e.g. to publish agent.output events. */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
}

/** The agent used when none is configured: a human does the work and resumes the workflow. */
export const DEFAULT_MANUAL_AGENT: AgentConfig = Object.freeze({ id: 'manual', kind: 'manual' });

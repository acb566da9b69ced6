// The one place command groups are registered, each behind a loader so that a command loads only
// the group it runs (issue 7 item 7: start-up is mostly loading modules). A new group (run, ...) is
// one file exporting a CommandGroup, added to this list under its top-level word.
import type { CommandGroup } from '../context.js';

interface GroupEntry {
  /** The top-level command word the group registers, or registers under. */
  word: string;
  /** For a group that adds one subcommand under `word` (`task ituv`): that subcommand. */
  sub?: string;
  load: () => Promise<CommandGroup>;
}

// In help order. `task ituv` is registered by ituv.ts under `task`, after the task group; it brings
// the ITUV run machinery, which no other `task` command needs.
const GROUPS: readonly GroupEntry[] = [
  { word: 'init', load: async () => (await import('./init.js')).registerInitCommand },
  { word: 'status', load: async () => (await import('./status.js')).registerStatusCommand },
  { word: 'blueprint', load: async () => (await import('./blueprint.js')).registerBlueprintCommands },
  { word: 'task', load: async () => (await import('./task.js')).registerTaskCommands },
  { word: 'graph', load: async () => (await import('./graph.js')).registerGraphCommands },
  { word: 'task', sub: 'ituv', load: async () => (await import('./ituv.js')).registerItuvCommands },
  { word: 'workflow', load: async () => (await import('./workflow.js')).registerWorkflowCommands },
  { word: 'run', load: async () => (await import('./run.js')).registerRunCommands },
  { word: 'runmode', load: async () => (await import('./runmode.js')).registerRunmodeCommands },
  { word: 'recipe', load: async () => (await import('./recipe.js')).registerRecipeCommands },
  { word: 'demo', load: async () => (await import('./demo.js')).registerDemoCommand },
  { word: 'worker', load: async () => (await import('./worker.js')).registerWorkerCommand },
  {
    word: 'orchestration',
    load: async () => (await import('./orchestration.js')).registerOrchestrationCommands,
  },
  { word: 'serve', load: async () => (await import('./serve.js')).registerServeCommand },
];

/** Every top-level command word, for telling a command from an unknown word. */
export const COMMAND_WORDS: ReadonlySet<string> = new Set(GROUPS.map((g) => g.word));

/**
 * The groups to register, in order: every group when `word` is undefined or not a command (help and
 * commander's "did you mean" need them all), else the groups of `word` but those adding a
 * subcommand under it (see loadSubcommandGroups).
 */
export async function loadCommandGroups(word?: string): Promise<CommandGroup[]> {
  const wanted =
    word !== undefined && COMMAND_WORDS.has(word)
      ? GROUPS.filter((g) => g.word === word && g.sub === undefined)
      : GROUPS;
  return Promise.all(wanted.map((g) => g.load()));
}

/**
 * After loadCommandGroups(word): the groups adding a subcommand under `word` that the command line
 * needs. Not needed when `next`, the word after `word`, names another subcommand (`known`, asked of
 * what is registered): `task ready` needs no `task ituv`, while `task`, `task --help`, `task ituv
 * ...` and a mistyped `task ituvv` (for the suggestion) get it.
 */
export async function loadSubcommandGroups(
  word: string,
  next: string | undefined,
  known: (name: string) => boolean,
): Promise<CommandGroup[]> {
  const wanted = GROUPS.filter(
    (g) => g.word === word && g.sub !== undefined && (next === undefined || next === g.sub || !known(next)),
  );
  return Promise.all(wanted.map((g) => g.load()));
}

// The one place command groups are registered, each behind a loader so that a command loads only
// the group it runs (issue 7 item 7: start-up is mostly loading modules). A new group (run, ...) is
// one file exporting a CommandGroup, added to this list under its top-level word.
import type { CommandGroup } from '../context.js';

interface GroupEntry {
  /** The top-level command word the group registers (or, for `task ituv`, registers under). */
  word: string;
  load: () => Promise<CommandGroup>;
}

// In help order. `task ituv` is registered by ituv.ts under `task`, after the task group.
const GROUPS: readonly GroupEntry[] = [
  { word: 'init', load: async () => (await import('./init.js')).registerInitCommand },
  { word: 'status', load: async () => (await import('./status.js')).registerStatusCommand },
  { word: 'blueprint', load: async () => (await import('./blueprint.js')).registerBlueprintCommands },
  { word: 'task', load: async () => (await import('./task.js')).registerTaskCommands },
  { word: 'graph', load: async () => (await import('./graph.js')).registerGraphCommands },
  { word: 'task', load: async () => (await import('./ituv.js')).registerItuvCommands },
  { word: 'workflow', load: async () => (await import('./workflow.js')).registerWorkflowCommands },
  { word: 'runmode', load: async () => (await import('./runmode.js')).registerRunmodeCommands },
  { word: 'recipe', load: async () => (await import('./recipe.js')).registerRecipeCommands },
  { word: 'demo', load: async () => (await import('./demo.js')).registerDemoCommand },
  { word: 'worker', load: async () => (await import('./worker.js')).registerWorkerCommand },
  { word: 'serve', load: async () => (await import('./serve.js')).registerServeCommand },
];

/** Every top-level command word, for telling a command from an unknown word. */
export const COMMAND_WORDS: ReadonlySet<string> = new Set(GROUPS.map((g) => g.word));

/**
 * The groups to register, in order: those of `word`, or every group when `word` is undefined or
 * not a command (help and commander's "did you mean" need them all).
 */
export async function loadCommandGroups(word?: string): Promise<CommandGroup[]> {
  const wanted =
    word !== undefined && COMMAND_WORDS.has(word) ? GROUPS.filter((g) => g.word === word) : GROUPS;
  return Promise.all(wanted.map((g) => g.load()));
}

// The one place command groups are registered. A new group (task ituv, workflow, recipe, run,
// serve, worker, runmode) is one file exporting a CommandGroup, added to this list.
import type { CommandGroup } from '../context.js';
import { registerBlueprintCommands } from './blueprint.js';
import { registerGraphCommands } from './graph.js';
import { registerDemoCommand } from './demo.js';
import { registerInitCommand } from './init.js';
import { registerItuvCommands } from './ituv.js';
import { registerRecipeCommands } from './recipe.js';
import { registerRunmodeCommands } from './runmode.js';
import { registerServeCommand } from './serve.js';
import { registerStatusCommand } from './status.js';
import { registerTaskCommands } from './task.js';
import { registerWorkerCommand } from './worker.js';
import { registerWorkflowCommands } from './workflow.js';

export const COMMAND_GROUPS: readonly CommandGroup[] = [
  registerInitCommand,
  registerStatusCommand,
  registerBlueprintCommands,
  registerTaskCommands,
  registerGraphCommands,
  registerItuvCommands,
  registerWorkflowCommands,
  registerRunmodeCommands,
  registerRecipeCommands,
  registerDemoCommand,
  registerWorkerCommand,
  registerServeCommand,
];

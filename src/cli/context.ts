// What every command handler gets: the global options, the output, and the workspace (opened on
// demand, closed by main). Handlers set `exitCode` for a failed check; errors are thrown.
// The workspace and orchestration modules are imported on first use, so a command that needs
// neither (`--version`, `init`) does not load them (issue 7 item 7).
import type { Command } from 'commander';
import type { WorkflowService } from '../orchestration/workflow-service.js';
import type { Workspace } from '../project/workspace.js';
import { Output, type CliIo } from './output.js';

export interface GlobalOptions {
  json: boolean;
  debug: boolean;
  workspace?: string;
}

/** How a long-running handler learns of Ctrl-C or TERM; the process entry point (main.ts) provides it. */
export interface Interrupts {
  /** The signal to wind down on. A handler that takes it handles Ctrl-C itself (stops, then returns). */
  take(): AbortSignal;
}

const NO_INTERRUPTS: Interrupts = { take: () => new AbortController().signal };

export class CliContext {
  readonly io: CliIo;
  /** Set by a handler whose check failed (lint errors, a sync with errors). */
  exitCode = 0;
  // Promises, so two handlers' first uses share one open.
  private opened: Promise<Workspace> | null = null;
  /** The workspace once opened, for naming its store in an error. */
  private openedWorkspace: Workspace | null = null;
  private openedWorkflows: Promise<WorkflowService> | null = null;

  constructor(
    io: CliIo,
    private readonly interrupts: Interrupts = NO_INTERRUPTS,
  ) {
    this.io = io;
  }

  /** Aborted by Ctrl-C or TERM; see Interrupts.take. */
  interruptSignal(): AbortSignal {
    return this.interrupts.take();
  }

  globals(command: Command): GlobalOptions {
    const opts = command.optsWithGlobals<{ json?: boolean; debug?: boolean; workspace?: string }>();
    return { json: opts.json === true, debug: opts.debug === true, workspace: opts.workspace };
  }

  output(command: Command): Output {
    return new Output(this.io, this.globals(command).json);
  }

  workspace(command: Command): Promise<Workspace> {
    const options = { workspace: this.globals(command).workspace, cwd: this.io.cwd, env: this.io.env };
    this.opened ??= import('../project/workspace.js').then(
      ({ openWorkspace }) => (this.openedWorkspace = openWorkspace(options)),
    );
    return this.opened;
  }

  /** The workspace's orchestration (client, host, events, artifacts), created on first use. */
  workflows(command: Command): Promise<WorkflowService> {
    this.openedWorkflows ??= Promise.all([import('../app/service.js'), this.workspace(command)]).then(
      ([{ openWorkflowService }, ws]) => openWorkflowService(ws),
    );
    return this.openedWorkflows;
  }

  /** The store file of the workspace opened so far, to name it in an error. */
  get storeFile(): string | null {
    return this.openedWorkspace?.paths.dbFile ?? null;
  }

  async close(): Promise<void> {
    // A failed open was already reported by the handler that awaited it; nothing is left to close.
    const workflows = await this.openedWorkflows?.catch(() => null);
    this.openedWorkflows = null;
    await workflows?.close();
    const workspace = await this.opened?.catch(() => null);
    this.opened = null;
    this.openedWorkspace = null;
    await workspace?.close();
  }
}

/** Registers one command group (`task`, `blueprint`, ...) on the program. */
export type CommandGroup = (program: Command, ctx: CliContext) => void;

/**
 * Adapts a handler to commander's action signature (positional args..., options, command), so a
 * handler receives its command and can read its own and the global options.
 */
export function action<Args extends unknown[]>(
  handler: (command: Command, ...args: Args) => void | Promise<void>,
): (...raw: unknown[]) => Promise<void> {
  return async (...raw: unknown[]) => {
    const command = raw[raw.length - 1] as Command;
    await handler(command, ...(raw.slice(0, -2) as Args));
  };
}

// The workspace a command works in (DESIGN §2): its root and paths, its config, and its task store,
// opened on first use so that commands that need no database never create one. The application
// layer (src/app/) takes one of these for every use case; lower layers take its parts.
import { EventLog } from '../events/log.js';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import type { PenguinConfig } from '../config/schema.js';
import {
  assertDirectoryArgument,
  findWorkspaceRoot,
  PENGUIN_DIR,
  workspacePaths,
  type WorkspacePaths,
} from '../config/workspace.js';
import { UsageError } from '../errors.js';
import { openWorkspaceStore } from './sqlite/store.js';
import type { Store } from './store.js';

export interface OpenWorkspaceOptions {
  /** An explicit workspace directory (--workspace); it must hold `.penguin/`. */
  workspace?: string;
  /** Where to start looking upward for `.penguin/` when no workspace is given. */
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

export class Workspace {
  readonly paths: WorkspacePaths;
  readonly config: PenguinConfig;
  /** The directory the command was run from; relative file arguments resolve against it. */
  readonly cwd: string;
  private openedStore: Store | null = null;
  private openedEvents: EventLog | null = null;

  constructor(root: string, cwd: string, env: NodeJS.ProcessEnv) {
    this.paths = workspacePaths(root);
    this.cwd = cwd;
    this.config = loadConfig(this.paths.root, env);
  }

  /**
   * The task store, opened on first use. In a workspace Penguin cannot write (a read-only mount or
   * permissions) it is a read-only view: read commands work, writes fail with a StoreError.
   */
  get store(): Store {
    this.openedStore ??= openWorkspaceStore(this.paths.dbFile, this.paths.penguinDir);
    return this.openedStore;
  }

  /**
   * The workspace's one event log: every writer in this process appends through it, so its
   * subscribers (an HTTP event stream, a live view) hear each commit of this process at once.
   */
  get events(): EventLog {
    this.openedEvents ??= new EventLog(this.store);
    return this.openedEvents;
  }

  async close(): Promise<void> {
    const store = this.openedStore;
    this.openedStore = null;
    this.openedEvents = null;
    await store?.close();
  }
}

/** Finds the workspace (explicit or by walking up), loads its config; the store opens on first use. */
export function openWorkspace(options: OpenWorkspaceOptions): Workspace {
  const env = options.env ?? process.env;
  if (options.workspace !== undefined) {
    const root = resolve(options.cwd, options.workspace);
    assertDirectoryArgument(root, options.workspace);
    if (!existsSync(resolve(root, PENGUIN_DIR))) {
      throw new UsageError(
        `${root} is not a Penguin workspace (no ${PENGUIN_DIR}/); run \`penguin init ${options.workspace}\``,
      );
    }
    return new Workspace(root, options.cwd, env);
  }
  const root = findWorkspaceRoot(options.cwd);
  if (root === null) {
    throw new UsageError(`no Penguin workspace here or above ${resolve(options.cwd)}; run \`penguin init\``);
  }
  return new Workspace(root, options.cwd, env);
}

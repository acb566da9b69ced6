// The workspace on disk (DESIGN §2): a directory holding `.penguin/`, found by walking up like git.
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createDatabaseFile } from '../db/database.js';
import { UsageError } from '../errors.js';
import { findConfigFile } from './load.js';

export const PENGUIN_DIR = '.penguin';

export interface WorkspacePaths {
  root: string;
  penguinDir: string;
  dbFile: string;
  artifactsDir: string;
  /** The existing penguin.yaml / penguin.yml, or where penguin.yaml would go. */
  configFile: string;
  /** Where blueprints go by default (blueprints.default_dir's default). */
  specsDir: string;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The nearest directory at or above `startDir` that holds `.penguin/`, or null. */
export function findWorkspaceRoot(startDir: string): string | null {
  let dir = resolve(startDir);
  for (;;) {
    if (isDirectory(join(dir, PENGUIN_DIR))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

export function workspacePaths(root: string): WorkspacePaths {
  const abs = resolve(root);
  const penguinDir = join(abs, PENGUIN_DIR);
  return {
    root: abs,
    penguinDir,
    dbFile: join(penguinDir, 'penguin.db'),
    artifactsDir: join(penguinDir, 'artifacts'),
    configFile: findConfigFile(abs) ?? join(abs, 'penguin.yaml'),
    specsDir: join(abs, 'context', 'specs'),
  };
}

/** Commented starter config: every line is a default, so the file changes nothing until edited. */
export const STARTER_CONFIG = `# Penguin configuration. Every key is optional; the values shown are the defaults.
# See docs/configuration.md for every key.

# blueprints:
#   sources: ["context/specs/**/*.{md,yaml,yml,json}"]
#   default_dir: context/specs
#   auto_create_tasks: true

# scheduler:
#   tie_breakers: [priority_desc, due_date_asc, sequence, created_at_asc]
#   ready_parallelism: 1
#   on_failure: pause_dependents   # pause_dependents | continue | stop
#   max_frontier: 20

# runmode:
#   ituv:
#     phase_timebox_sec: { implement: 600, test: 300, use: 180, verify: 120 }
#     max_iterations: 3

# orchestration:
#   backend: native   # native | temporal

# verification:
#   strict: true

# agents:
#   - id: my-agent
#     role: implementer
#     kind: command
#     command: ./scripts/agent.sh
`;

export interface InitResult {
  /** False when the workspace already existed and nothing had to be created. */
  created: boolean;
  /** What this call created, relative to the root. */
  createdPaths: string[];
  paths: WorkspacePaths;
}

/** `--workspace DIR` (or `init DIR`) must name a directory, or nothing yet for init. */
export function assertDirectoryArgument(path: string, shown: string): void {
  if (existsSync(path) && !statSync(path).isDirectory()) {
    throw new UsageError(`${shown} is a file, not a workspace directory`);
  }
}

/**
 * Creates `.penguin/` with an empty store, a starter penguin.yaml and context/specs/ as needed.
 * Idempotent; the one place a store file is created (other commands refuse a missing one).
 */
export function initWorkspace(dir: string): InitResult {
  const root = resolve(dir);
  assertDirectoryArgument(root, dir);
  const paths = workspacePaths(root);
  const createdPaths: string[] = [];
  const ensureDir = (path: string, shown: string): void => {
    if (existsSync(path)) return;
    mkdirSync(path, { recursive: true });
    createdPaths.push(shown);
  };
  const ensureFile = (path: string, shown: string, text: string): void => {
    if (existsSync(path)) return;
    writeFileSync(path, text);
    createdPaths.push(shown);
  };

  ensureDir(paths.penguinDir, `${PENGUIN_DIR}/`);
  // Keeps the database and artifacts out of git without touching the user's own .gitignore.
  ensureFile(join(paths.penguinDir, '.gitignore'), `${PENGUIN_DIR}/.gitignore`, '*\n');
  ensureDir(paths.artifactsDir, `${PENGUIN_DIR}/artifacts/`);
  if (!existsSync(paths.dbFile)) {
    // The tables come with the first open of the store; here the file is made, in WAL mode.
    createDatabaseFile(paths.dbFile);
    createdPaths.push(`${PENGUIN_DIR}/penguin.db`);
  }
  if (findConfigFile(root) === null) ensureFile(paths.configFile, 'penguin.yaml', STARTER_CONFIG);
  ensureDir(paths.specsDir, 'context/specs/');

  return { created: createdPaths.length > 0, createdPaths, paths };
}

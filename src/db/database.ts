// The workspace database connection: the settings every Penguin process shares, and the checks that
// turn a missing, emptied or damaged file into one sentence naming the file and what to do.
import Database from 'better-sqlite3';
import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { StoreError } from '../errors.js';
import { asStoreError, STORE_REMEDY } from './errors.js';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** SQLite `synchronous` pragma; FULL keeps every committed phase across power loss. */
  synchronous?: 'FULL' | 'NORMAL' | 'OFF';
  /** How long a writer waits for another process's lock before failing. */
  busyTimeoutMs?: number;
  readonly?: boolean;
  /**
   * Refuse to create the file: an initialised workspace whose store is gone or empty is reported,
   * never silently re-created empty (only `penguin init` creates a store).
   */
  mustExist?: boolean;
}

/** Whether the directory holding the store can be written (a read-only mount or permissions say no). */
export function isWritableDirectory(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Opens a read-only view of the store in a directory Penguin cannot write. SQLite cannot open a WAL
 * database read-only there (it needs its shared-memory file beside it), so this reads a private copy,
 * switched out of WAL mode and already unlinked: read commands work, and any write fails as read-only.
 */
export function openReadOnlySnapshot(
  file: string,
  options: Omit<OpenDatabaseOptions, 'readonly'> & {
    /** Runs on the private copy, still writable, before it is reopened read-only (migrations). */
    prepare?: (copy: Db) => void;
  } = {},
): Db {
  assertPresent(file);
  const dir = mkdtempSync(join(tmpdir(), 'penguin-readonly-'));
  try {
    const copy = join(dir, 'penguin.db');
    copyFileSync(file, copy);
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
    const writable = new Database(copy);
    try {
      writable.pragma('journal_mode = DELETE');
      options.prepare?.(writable);
    } catch (error) {
      throw asStoreError(error, file);
    } finally {
      writable.close();
    }
    const { prepare: _prepare, ...settings } = options;
    return openDatabase(copy, { ...settings, readonly: true, mustExist: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertPresent(file: string): void {
  if (!existsSync(file)) {
    throw new StoreError(`the workspace store ${file} is missing; ${STORE_REMEDY}`);
  }
  if (statSync(file).size === 0) {
    throw new StoreError(`the workspace store ${file} is empty (0 bytes); ${STORE_REMEDY}`);
  }
}

/**
 * Opens the workspace database with the settings every Penguin process must share: WAL so readers
 * never block the writer, a busy timeout so several penguin processes can use one workspace, and
 * foreign keys on.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Db {
  if (options.mustExist) assertPresent(file);
  else if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, {
    readonly: options.readonly ?? false,
    fileMustExist: options.mustExist ?? false,
  });
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
    if (!options.readonly) db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    db.pragma('foreign_keys = ON');
    // A 32 MiB page cache keeps a large sync (10,000 tasks in one transaction) from spilling pages to
    // the WAL before it commits.
    db.pragma('cache_size = -32768');
  } catch (error) {
    db.close();
    throw asStoreError(error, file);
  }
  return db;
}

/** Creates an empty database file at `file` with the shared settings (WAL), for `penguin init`. */
export function createDatabaseFile(file: string): void {
  openDatabase(file).close();
}

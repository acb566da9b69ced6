// The workspace database connection: the settings every Penguin process shares, and the checks that
// turn a missing, emptied or damaged file into one sentence naming the file and what to do.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreError } from '../errors.js';

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

/** What to tell a user whose store cannot be opened. */
const REMEDY =
  'restore it from a backup, or move it aside and run `penguin init` and `penguin blueprint sync` to start a new one';

/** SQLite's codes for a file that is not (or no longer) a database. */
const DAMAGED_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);

/** A damaged-database error of SQLite, as a StoreError naming `file`; anything else unchanged. */
export function asStoreError(error: unknown, file: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && DAMAGED_CODES.has(code)) {
    const reason = error instanceof Error ? error.message : code;
    return new StoreError(`${file} is damaged (${reason}); ${REMEDY}`, { cause: error });
  }
  return error;
}

function assertPresent(file: string): void {
  if (!existsSync(file)) {
    throw new StoreError(`the workspace store ${file} is missing; ${REMEDY}`);
  }
  if (statSync(file).size === 0) {
    throw new StoreError(`the workspace store ${file} is empty (0 bytes); ${REMEDY}`);
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

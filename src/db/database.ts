import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** SQLite `synchronous` pragma; FULL keeps every committed phase across power loss. */
  synchronous?: 'FULL' | 'NORMAL' | 'OFF';
  /** How long a writer waits for another process's lock before failing. */
  busyTimeoutMs?: number;
  readonly?: boolean;
}

/**
 * Opens the workspace database with the settings every Penguin process must share: WAL so readers
 * never block the writer, a busy timeout so several penguin processes can use one workspace, and
 * foreign keys on.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { readonly: options.readonly ?? false });
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
  if (!options.readonly) db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  db.pragma('foreign_keys = ON');
  // A 32 MiB page cache keeps a large sync (10,000 tasks in one transaction) from spilling pages to
  // the WAL before it commits.
  db.pragma('cache_size = -32768');
  return db;
}

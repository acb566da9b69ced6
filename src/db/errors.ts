// Store failures as one sentence naming the file: a damaged or read-only SQLite database becomes a
// StoreError. Kept apart from database.ts so that the CLI's error renderer, loaded by every command
// (even `--version`), does not load the SQLite driver.
import { StoreError } from '../errors.js';

/** What to tell a user whose store cannot be opened. */
export const STORE_REMEDY =
  'restore it from a backup, or move it aside and run `penguin init` and `penguin blueprint sync` to start a new one';

/** SQLite's codes for a file that is not (or no longer) a database. */
const DAMAGED_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);

/**
 * A damaged-database or read-only error of SQLite, as a StoreError naming `file`; anything else
 * unchanged.
 */
export function asStoreError(error: unknown, file: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return error;
  if (DAMAGED_CODES.has(code)) {
    const reason = error instanceof Error ? error.message : code;
    return new StoreError(`${file} is damaged (${reason}); ${STORE_REMEDY}`, { cause: error });
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new StoreError(
      `${file} is read-only (the workspace cannot be written); this command changes it, while read commands such as \`penguin task list\` still work`,
      { cause: error },
    );
  }
  return error;
}

// What every SQLite repository shares: the connection's prepared statements, cached by their SQL
// (built from a filter's shape, or fixed), and the synchronous form of a repository interface that
// the store turns into the async one (better-sqlite3 is synchronous; see store.ts).
import type Database from 'better-sqlite3';
import type { Db } from '../../db/database.js';

export type SqlValue = string | number | null;
export type Statement = Database.Statement<unknown[]>;

/** A repository interface with every method synchronous (`Promise<R>` becomes `R`). */
export type Sync<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : never;
};

export class Statements {
  private readonly cache = new Map<string, Statement>();

  constructor(readonly db: Db) {}

  /** The prepared statement of `sql`, prepared on first use (so opening a store prepares nothing). */
  get(sql: string): Statement {
    let statement = this.cache.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<unknown[]>(sql);
      this.cache.set(sql, statement);
    }
    return statement;
  }
}

export const nowIso = (): string => new Date().toISOString();

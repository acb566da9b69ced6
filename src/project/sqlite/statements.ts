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

/**
 * The WHERE clause of a list filter, built from the conditions whose value was given. Filters are
 * few and small, and the statement cache keys on the SQL, so each filter shape is prepared once.
 */
export class Where {
  private readonly clauses: string[] = [];
  readonly params: SqlValue[] = [];
  /** An IN list that was empty: nothing can match. */
  empty = false;

  /** `clause` (one `?`) with `value`, when the value is given. */
  eq(clause: string, value: SqlValue | undefined): this {
    if (value !== undefined) {
      this.clauses.push(clause);
      this.params.push(value);
    }
    return this;
  }

  /** `column IN (...)` of one value or a list, when given; an empty list matches nothing. */
  in(column: string, values: SqlValue | readonly SqlValue[] | undefined): this {
    if (values === undefined) return this;
    const list = Array.isArray(values) ? (values as readonly SqlValue[]) : [values as SqlValue];
    if (list.length === 0) this.empty = true;
    this.clauses.push(`${column} IN (${list.map(() => '?').join(', ')})`);
    this.params.push(...list);
    return this;
  }

  /** A condition without a parameter. */
  when(condition: boolean, clause: string): this {
    if (condition) this.clauses.push(clause);
    return this;
  }

  /** ` WHERE a AND b`, or '' without conditions. */
  toString(): string {
    return this.clauses.length === 0 ? '' : ` WHERE ${this.clauses.join(' AND ')}`;
  }
}

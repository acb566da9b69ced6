// The Store (DESIGN §1, §10): everything Penguin keeps in its workspace database, as repositories
// that each part declares (project: projects, tasks, dependencies, transitions; events; ituv:
// artifacts; orchestration: workflows, steps, signals; scheduler: claims) and a storage implementation provides. SQLite
// (project/sqlite/) is the one today; PostgreSQL will be another, run against the same contract
// suite (test/project/store.contract.ts). Nothing outside an implementation touches the database.
//
// Writing is a unit of work: `store.transaction(async (tx) => ...)` commits everything `fn` wrote
// through `tx` together, or nothing when it throws. Reading is `store.<part>.<method>` (one
// consistent read each) or `store.read(async (r) => ...)` (several reads from one snapshot).
import type { ArtifactReader, ArtifactRepository } from './artifacts.js';
import type { ClaimReader, ClaimRepository } from './claims.js';
import type { EventReader, EventRepository } from './events.js';
import type {
  DependencyReader,
  DependencyRepository,
  ProjectReader,
  ProjectRepository,
  TaskReader,
  TaskRepository,
  TransitionReader,
} from './tasks.js';
import type { WorkflowReader, WorkflowRepository } from './workflows.js';

export type * from './artifacts.js';
export type * from './claims.js';
export type * from './events.js';
export type * from './tasks.js';
export type * from './workflows.js';

/** What can be read; a transaction is a reader too (it sees its own writes). */
export interface StoreReader {
  readonly projects: ProjectReader;
  readonly tasks: TaskReader;
  readonly dependencies: DependencyReader;
  readonly transitions: TransitionReader;
  readonly events: EventReader;
  readonly artifacts: ArtifactReader;
  readonly workflows: WorkflowReader;
  readonly claims: ClaimReader;
}

/** One transaction: the repositories to write through, savepoints, and work for after the commit. */
export interface StoreTx extends StoreReader {
  readonly projects: ProjectRepository;
  readonly tasks: TaskRepository;
  readonly dependencies: DependencyRepository;
  /** Transitions are written by `tasks.transition` and `tasks.create`. */
  readonly transitions: TransitionReader;
  readonly events: EventRepository;
  readonly artifacts: ArtifactRepository;
  readonly workflows: WorkflowRepository;
  readonly claims: ClaimRepository;
  /**
   * Runs `fn` in a savepoint: a throw rolls back only what `fn` wrote and is rethrown, the rest of
   * the transaction stays. Savepoints nest; two at once in one transaction are refused.
   */
  savepoint<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /**
   * Calls `fn` once the transaction has committed, before `store.transaction` resolves; never after a
   * rollback. The same function registered twice runs once. Its errors are ignored: the commit stood.
   */
  afterCommit(fn: () => void | Promise<void>): void;
}

export interface StoreHealth {
  ok: boolean;
  /** What the store is (e.g. the database file), or why it is not usable. */
  detail: string;
}

export interface Store extends StoreReader {
  /**
   * Runs `fn` as one transaction and resolves with its result once it has committed and its
   * afterCommit work has run; a throw rolls everything back and rejects with it. Transactions of one
   * store are serialised, and `fn` should await only the store: the write lock is held until it
   * returns (SQLite takes it at BEGIN). Called inside a transaction, it runs `fn` in a savepoint of
   * that one.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` over one consistent snapshot (inside a transaction: that transaction). `fn` may not
   * write, and should await only the store.
   */
  read<T>(fn: (reader: StoreReader) => Promise<T>): Promise<T>;
  health(): Promise<StoreHealth>;
  /** Waits for the transactions under way, then releases the connection. */
  close(): Promise<void>;
}

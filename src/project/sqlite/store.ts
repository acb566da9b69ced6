// The Store (contracts/store) on SQLite: the one connection to the workspace database, its
// migrations, and the unit of work around better-sqlite3's synchronous API.
//
// - Transactions are serialised on the connection by a promise queue: each one runs alone from
//   BEGIN IMMEDIATE (the write lock, so two processes never both read and then both write) to COMMIT.
//   A transaction's fn should await only the store: anything else it awaits keeps the lock held.
// - Which transaction a call belongs to follows the async context (AsyncLocalStorage), so a
//   `store.transaction` inside one becomes a savepoint of it instead of waiting behind it forever,
//   and a store-level read inside one reads that transaction.
// - Reads outside a transaction run at once when nothing is queued (better-sqlite3 answers
//   synchronously), else behind the queue, so they never see another caller's uncommitted writes.
// - afterCommit work (the event log's publishing) runs after COMMIT, outside the queue, before
//   `transaction` resolves.
import { AsyncLocalStorage } from 'node:async_hooks';
import type {
  ArtifactReader,
  ArtifactRepository,
  ClaimReader,
  ClaimRepository,
  DependencyReader,
  DependencyRepository,
  EventReader,
  EventRepository,
  ProjectReader,
  ProjectRepository,
  Store,
  StoreHealth,
  StoreReader,
  StoreTx,
  TaskReader,
  TaskRepository,
  TransitionReader,
  WorkflowReader,
  WorkflowRepository,
} from '../../contracts/store/index.js';
import { asStoreError } from '../../db/errors.js';
import {
  isWritableDirectory,
  openDatabase,
  openReadOnlySnapshot,
  type Db,
  type OpenDatabaseOptions,
} from '../../db/database.js';
import { migrate } from '../../db/migrations.js';
import { SqliteArtifacts } from './artifacts.js';
import { SqliteClaims } from './claims.js';
import { SqliteEvents } from './events.js';
import { ALL_MIGRATIONS } from './migrations.js';
import { Statements, type Sync } from './statements.js';
import { SqliteDependencies, SqliteProjects, SqliteTasks, SqliteTransitions } from './tasks.js';
import { SqliteWorkflows } from './workflows.js';

type AfterCommit = () => void | Promise<void>;

/** One transaction or read session: its savepoint frames share it. */
interface Session {
  readonly writable: boolean;
  /** Work for after the commit (a set: the same hook registered twice runs once). */
  readonly hooks: Set<AfterCommit>;
}

/** A transaction, a savepoint inside one, or a read session: what the current async context is in. */
class Frame {
  open = true;
  /** The savepoint open inside this frame, if any: the frame itself must wait for it. */
  child: Frame | null = null;

  constructor(
    readonly session: Session,
    readonly parent: Frame | null,
  ) {}
}

/** The method names of a repository interface, listed once so a facade cannot miss one. */
type Methods<T> = Record<keyof T, true>;

const PROJECT_READS = { get: true, getByKey: true, list: true } satisfies Methods<ProjectReader>;
const PROJECT_WRITES = { ...PROJECT_READS, upsert: true } satisfies Methods<ProjectRepository>;
const TASK_READS = {
  get: true,
  getByBlueprintId: true,
  findByBlueprintId: true,
  list: true,
  listFrontierTasks: true,
  frontierTasksById: true,
  frontierGraph: true,
  listDigests: true,
} satisfies Methods<TaskReader>;
const TASK_WRITES = {
  ...TASK_READS,
  create: true,
  createMany: true,
  updateContent: true,
  updateContentMany: true,
  transition: true,
} satisfies Methods<TaskRepository>;
const TRANSITION_READS = { list: true } satisfies Methods<TransitionReader>;
const DEPENDENCY_READS = { list: true } satisfies Methods<DependencyReader>;
const DEPENDENCY_WRITES = {
  ...DEPENDENCY_READS,
  set: true,
  setMany: true,
  add: true,
  remove: true,
} satisfies Methods<DependencyRepository>;
const EVENT_READS = { readPage: true, lastSeq: true } satisfies Methods<EventReader>;
const EVENT_WRITES = { ...EVENT_READS, append: true } satisfies Methods<EventRepository>;
const ARTIFACT_READS = { list: true, listKeyed: true } satisfies Methods<ArtifactReader>;
const ARTIFACT_WRITES = { ...ARTIFACT_READS, upsert: true } satisfies Methods<ArtifactRepository>;
const CLAIM_READS = { get: true, forWorkflow: true, list: true } satisfies Methods<ClaimReader>;
const CLAIM_WRITES = {
  ...CLAIM_READS,
  claim: true,
  adopt: true,
  attach: true,
  renew: true,
  release: true,
} satisfies Methods<ClaimRepository>;
const WORKFLOW_READS = {
  get: true,
  liveForTask: true,
  list: true,
  steps: true,
  passedSteps: true,
  claimable: true,
  ownedIds: true,
  pendingSignals: true,
  pendingSignalsOwnedBy: true,
} satisfies Methods<WorkflowReader>;
const WORKFLOW_WRITES = {
  ...WORKFLOW_READS,
  insert: true,
  save: true,
  claim: true,
  release: true,
  renewLeases: true,
  openStep: true,
  recordStep: true,
  insertSignal: true,
  consumeSignal: true,
} satisfies Methods<WorkflowRepository>;

/** Runs one synchronous repository call for the session a facade is bound to (null: the store's). */
type Call = (
  session: Session | null,
  method: (...args: unknown[]) => unknown,
  impl: object,
  args: unknown[],
) => Promise<unknown>;

const SESSION = Symbol('session');
type Bound = { [SESSION]: Session | null };

/**
 * The async interface `T` over its synchronous implementation, as a prototype whose methods run
 * through `call` with the session of the object they are called on (see `bind`).
 */
function facade<T>(impl: Sync<T>, methods: Methods<T>, call: Call): T {
  const proto: Record<string, unknown> = {};
  const target = impl as Record<string, (...args: unknown[]) => unknown>;
  for (const name of Object.keys(methods)) {
    const method = target[name];
    if (typeof method !== 'function') throw new Error(`the SQLite store has no ${name}()`);
    proto[name] = function (this: Bound, ...args: unknown[]) {
      return call(this[SESSION], method, impl, args);
    };
  }
  return proto as T;
}

/** A facade bound to `session`: one small object per repository and transaction. */
function bind<T extends object>(proto: T, session: Session | null): T {
  const bound = Object.create(proto) as T & Bound;
  bound[SESSION] = session;
  return bound;
}

/** Runs a synchronous step as a settled promise (its throw becomes a rejection). */
function settle<R>(run: () => R): Promise<R> {
  try {
    return Promise.resolve(run());
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

/** `settle` of one repository method call, without a closure (the hot path of every store call). */
function settleCall(
  method: (...args: unknown[]) => unknown,
  impl: object,
  args: unknown[],
): Promise<unknown> {
  try {
    return Promise.resolve(method.apply(impl, args));
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

type Repositories = Omit<StoreTx, 'savepoint' | 'afterCommit'>;

export interface SqliteStoreOptions {
  /** Apply the migrations not yet recorded (default true; a read-only snapshot has them already). */
  migrate?: boolean;
}

export class SqliteStore implements Store {
  readonly projects: ProjectReader;
  readonly tasks: TaskReader;
  readonly dependencies: DependencyReader;
  readonly transitions: TransitionReader;
  readonly events: EventReader;
  readonly artifacts: ArtifactReader;
  readonly workflows: WorkflowReader;
  readonly claims: ClaimReader;

  private readonly db: Db;
  private readonly sql: Statements;
  private readonly context = new AsyncLocalStorage<Frame>();
  /** Prototypes of the repositories a transaction writes through; `bind` ties them to one. */
  private readonly repositories: Repositories;
  /** Queue of transactions and read sessions; `queued` counts those not finished yet. */
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;
  private closed = false;

  constructor(db: Db, options: SqliteStoreOptions = {}) {
    this.db = db;
    if (options.migrate !== false) migrate(db, ALL_MIGRATIONS);
    this.sql = new Statements(db);
    const tasks = new SqliteTasks(this.sql);
    const projects = new SqliteProjects(this.sql);
    const dependencies = new SqliteDependencies(this.sql, tasks);
    const transitions = new SqliteTransitions(this.sql);
    const events = new SqliteEvents(this.sql);
    const artifacts = new SqliteArtifacts(this.sql);
    const workflows = new SqliteWorkflows(this.sql);
    const claims = new SqliteClaims(this.sql);
    const inTx: Call = (session, method, impl, args) => this.inSession(session, method, impl, args);
    this.repositories = {
      projects: facade<ProjectRepository>(projects, PROJECT_WRITES, inTx),
      tasks: facade<TaskRepository>(tasks, TASK_WRITES, inTx),
      dependencies: facade<DependencyRepository>(dependencies, DEPENDENCY_WRITES, inTx),
      transitions: facade<TransitionReader>(transitions, TRANSITION_READS, inTx),
      events: facade<EventRepository>(events, EVENT_WRITES, inTx),
      artifacts: facade<ArtifactRepository>(artifacts, ARTIFACT_WRITES, inTx),
      workflows: facade<WorkflowRepository>(workflows, WORKFLOW_WRITES, inTx),
      claims: facade<ClaimRepository>(claims, CLAIM_WRITES, inTx),
    };
    const outside: Call = (_session, method, impl, args) =>
      this.fastPath() ? settleCall(method, impl, args) : this.exclusive(() => settleCall(method, impl, args));
    this.projects = bind(facade<ProjectReader>(projects, PROJECT_READS, outside), null);
    this.tasks = bind(facade<TaskReader>(tasks, TASK_READS, outside), null);
    this.dependencies = bind(facade<DependencyReader>(dependencies, DEPENDENCY_READS, outside), null);
    this.transitions = bind(facade<TransitionReader>(transitions, TRANSITION_READS, outside), null);
    this.events = bind(facade<EventReader>(events, EVENT_READS, outside), null);
    this.artifacts = bind(facade<ArtifactReader>(artifacts, ARTIFACT_READS, outside), null);
    this.workflows = bind(facade<WorkflowReader>(workflows, WORKFLOW_READS, outside), null);
    this.claims = bind(facade<ClaimReader>(claims, CLAIM_READS, outside), null);
  }

  /**
   * The open frame of this store the calling async context is in: its own, or, when that savepoint
   * has ended (a callback outlived it), the nearest enclosing one still open.
   */
  private current(): Frame | null {
    let frame = this.context.getStore() ?? null;
    while (frame !== null && !frame.open) frame = frame.parent;
    return frame;
  }

  /** A call through a transaction's repositories: only inside that transaction, and in turn. */
  private inSession(
    session: Session | null,
    method: (...args: unknown[]) => unknown,
    impl: object,
    args: unknown[],
  ): Promise<unknown> {
    const frame = this.current();
    if (frame === null || frame.session !== session) {
      return Promise.reject(new Error('a store call through a transaction that has ended'));
    }
    if (frame.child !== null) {
      return Promise.reject(
        new Error('a transaction was used while one of its savepoints was open; await the savepoint first'),
      );
    }
    return settleCall(method, impl, args);
  }

  /**
   * Whether a store-level read may run at once: in the caller's frame (its own transaction), or when
   * nothing is queued; else it waits its turn.
   */
  private fastPath(): boolean {
    return this.current() !== null || (this.queued === 0 && !this.db.inTransaction);
  }

  /** A store-level read of the store's own (health). */
  private readNow<R>(run: () => R): Promise<R> {
    return this.fastPath() ? settle(run) : this.exclusive(() => settle(run));
  }

  /** Runs `job` alone on the connection, after everything queued before it. */
  private exclusive<R>(job: () => Promise<R>): Promise<R> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    this.queued++;
    const done = this.tail.then(job);
    this.tail = done.then(
      () => this.settled(),
      () => this.settled(),
    );
    return done;
  }

  /**
   * A job left the queue. With none left no frame is open, so the async context is not needed until
   * the next one: disabling it turns Node's promise hooks off meanwhile (they cost every promise in
   * the process, the engine's and the agents' too), and the next `run` turns them on again.
   */
  private settled(): void {
    this.queued--;
    if (this.queued === 0) this.context.disable();
  }

  async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const frame = this.current();
    if (frame !== null) {
      if (!frame.session.writable) throw new Error('store.read cannot write; use store.transaction');
      return this.savepoint(frame, fn);
    }
    const { result, hooks } = await this.exclusive(() => this.runTransaction(fn));
    for (const hook of hooks) {
      try {
        await hook();
      } catch {
        // The commit stood; work after it must not turn it into a failure.
      }
    }
    return result;
  }

  private async runTransaction<T>(
    fn: (tx: StoreTx) => Promise<T>,
  ): Promise<{ result: T; hooks: Set<AfterCommit> }> {
    this.sql.get('BEGIN IMMEDIATE').run();
    const session: Session = { writable: true, hooks: new Set() };
    const root = new Frame(session, null);
    const tx = this.txOf(root);
    try {
      const result = await this.context.run(root, () => fn(tx));
      if (root.child !== null) throw new Error('a transaction ended while one of its savepoints was open');
      this.sql.get('COMMIT').run();
      return { result, hooks: session.hooks };
    } catch (error) {
      if (this.db.inTransaction) this.sql.get('ROLLBACK').run();
      throw error;
    } finally {
      root.open = false;
    }
  }

  private async savepoint<T>(parent: Frame, fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (parent.child !== null) {
      throw new Error('a transaction may have one savepoint open at a time; await the one before');
    }
    let depth = 0;
    let root = parent;
    for (; root.parent !== null; root = root.parent) depth++;
    const name = `penguin_sp${depth}`;
    const tx = this.txs.get(root);
    if (tx === undefined) throw new Error('a savepoint of a transaction that has ended');
    this.sql.get(`SAVEPOINT ${name}`).run();
    const child = new Frame(parent.session, parent);
    parent.child = child;
    try {
      const result = await this.context.run(child, () => fn(tx));
      if (child.child !== null) throw new Error('a savepoint ended while one inside it was open');
      this.sql.get(`RELEASE ${name}`).run();
      return result;
    } catch (error) {
      if (this.db.inTransaction) {
        this.sql.get(`ROLLBACK TO ${name}`).run();
        this.sql.get(`RELEASE ${name}`).run();
      }
      throw error;
    } finally {
      child.open = false;
      parent.child = null;
    }
  }

  /** The tx of each open transaction, by its root frame (for the savepoints inside it). */
  private readonly txs = new WeakMap<Frame, StoreTx>();

  /** The tx a transaction's fn is given: its repositories and what is bound to its root frame. */
  private txOf(root: Frame): StoreTx {
    const { session } = root;
    const r = this.repositories;
    const tx: StoreTx = {
      projects: bind(r.projects, session),
      tasks: bind(r.tasks, session),
      dependencies: bind(r.dependencies, session),
      transitions: bind(r.transitions, session),
      events: bind(r.events, session),
      artifacts: bind(r.artifacts, session),
      workflows: bind(r.workflows, session),
      claims: bind(r.claims, session),
      savepoint: <T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> => {
        const frame = this.current();
        if (frame === null || frame.session !== session) {
          return Promise.reject(new Error('a savepoint of a transaction that has ended'));
        }
        return this.savepoint(frame, fn);
      },
      afterCommit: (hook: AfterCommit): void => {
        if (!root.open) throw new Error('afterCommit on a transaction that has ended');
        session.hooks.add(hook);
      },
    };
    this.txs.set(root, tx);
    return tx;
  }

  async read<T>(fn: (reader: StoreReader) => Promise<T>): Promise<T> {
    const frame = this.current();
    if (frame !== null) {
      let root = frame;
      while (root.parent !== null) root = root.parent;
      return fn(this.txs.get(root) ?? this);
    }
    return this.exclusive(async () => {
      // A deferred read transaction: one snapshot for every read of fn, and no lock on writers.
      this.sql.get('BEGIN').run();
      const root = new Frame({ writable: false, hooks: new Set() }, null);
      try {
        return await this.context.run(root, () => fn(this));
      } finally {
        root.open = false;
        if (this.db.inTransaction) this.sql.get('COMMIT').run();
      }
    });
  }

  async health(): Promise<StoreHealth> {
    try {
      await this.readNow(() => this.sql.get('SELECT 1').get());
      return { ok: true, detail: `database ${this.db.name}` };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const done = this.exclusive(async () => this.db.close());
    this.closed = true;
    await done;
  }
}

/**
 * Opens the workspace database at `dbFile` (created if needed, unless `mustExist`) and the store on
 * it, applying pending migrations. A damaged file is a StoreError naming it.
 */
export function openSqliteStore(dbFile: string, options?: OpenDatabaseOptions): SqliteStore {
  const db = openDatabase(dbFile, options);
  try {
    return new SqliteStore(db);
  } catch (error) {
    db.close();
    throw asStoreError(error, dbFile);
  }
}

/**
 * A read-only store over a private copy of `dbFile`, migrated first: every table can be read, and
 * every write fails as read-only (for a workspace Penguin cannot write).
 */
export function openSqliteSnapshot(dbFile: string): SqliteStore {
  const db = openReadOnlySnapshot(dbFile, { prepare: (copy) => migrate(copy, ALL_MIGRATIONS) });
  return new SqliteStore(db, { migrate: false });
}

/**
 * The store of a workspace: read-write, or, in a directory Penguin cannot write (a read-only mount or
 * permissions), the read-only snapshot on which read commands work.
 */
export function openWorkspaceStore(dbFile: string, penguinDir: string): SqliteStore {
  return isWritableDirectory(penguinDir)
    ? openSqliteStore(dbFile, { mustExist: true })
    : openSqliteSnapshot(dbFile);
}

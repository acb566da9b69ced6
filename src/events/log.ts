// The persisted, ordered event log (DESIGN §7). An event is appended inside the writer's own
// transaction (so a phase result, a task transition and their events commit together) and is
// published to in-process subscribers only after that transaction commits. Subscribers always read
// committed rows from the table, so a rolled-back append is never published and events written by
// other processes on the same database are delivered in order too, never twice.
import type { Db } from '../db/database.js';
import { migrate, type Migration } from '../db/migrations.js';
import type { EventArtifact, EventDraft, EventFilter, EventType, PenguinEvent } from './types.js';
import { parseEventData } from '../contracts/event.js';

export const eventMigrations: Migration[] = [
  {
    id: 'events-001',
    // seq is the rowid: without AUTOINCREMENT SQLite assigns max(seq)+1 inside the writing
    // transaction, so a rollback frees the number again and the sequence stays gapless. Rows are
    // never deleted.
    sql: `
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        ts TEXT NOT NULL,
        type TEXT NOT NULL,
        project_id TEXT,
        task_id TEXT,
        blueprint_id TEXT,
        workflow_id TEXT,
        agent_id TEXT,
        phase TEXT,
        iteration INTEGER,
        progress INTEGER,
        artifacts TEXT,
        data TEXT NOT NULL
      );
      CREATE INDEX events_workflow ON events (workflow_id, seq);
      CREATE INDEX events_task ON events (task_id, seq);
    `,
  },
];

interface EventRow {
  seq: number;
  ts: string;
  type: string;
  project_id: string | null;
  task_id: string | null;
  blueprint_id: string | null;
  workflow_id: string | null;
  agent_id: string | null;
  phase: string | null;
  iteration: number | null;
  progress: number | null;
  artifacts: string | null;
  data: string;
}

export type EventListener = (event: PenguinEvent) => void;

export interface SubscribeOptions {
  /** Deliver events after this seq (a resuming subscriber passes its last seq); default: only new ones. */
  afterSeq?: number;
  filter?: EventFilter;
}

interface Subscription {
  listener: EventListener;
  filter: EventFilter | undefined;
  cursor: number;
}

/** One page of the log: the matching events and the seq a reader continues after. */
export interface EventPage {
  events: PenguinEvent[];
  cursor: number;
}

const DEFAULT_LIMIT = 1_000;

export class EventLog {
  readonly db: Db;
  private readonly subscriptions = new Set<Subscription>();
  /** Something was appended since the last publish. */
  private dirty = false;
  private publishing = false;
  private readonly insert;
  private readonly maxSeq;

  constructor(db: Db) {
    this.db = db;
    migrate(db, eventMigrations);
    this.insert = db.prepare(
      `INSERT INTO events (ts, type, project_id, task_id, blueprint_id, workflow_id, agent_id, phase, iteration, progress, artifacts, data)
       VALUES (@ts, @type, @project_id, @task_id, @blueprint_id, @workflow_id, @agent_id, @phase, @iteration, @progress, @artifacts, @data)`,
    );
    this.maxSeq = db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM events');
  }

  /**
   * Appends an event inside the caller's transaction and returns it with its seq. Called outside a
   * transaction it commits (and publishes) on its own.
   */
  append(draft: EventDraft): PenguinEvent {
    if (!this.db.inTransaction) {
      return this.commit(() => this.db.transaction(() => this.append(draft)).immediate());
    }
    const ts = new Date().toISOString();
    const data = draft.data ?? {};
    const checked = parseEventData(draft.type, data);
    if (!checked.success) {
      throw new Error(
        `a ${draft.type} event with invalid data: ${checked.error.message.split('\n').join(' ')}`,
      );
    }
    const info = this.insert.run({
      ts,
      type: draft.type,
      project_id: draft.project_id ?? null,
      task_id: draft.task_id ?? null,
      blueprint_id: draft.blueprint_id ?? null,
      workflow_id: draft.workflow_id ?? null,
      agent_id: draft.agent_id ?? null,
      phase: draft.phase ?? null,
      iteration: draft.iteration ?? null,
      progress: draft.progress ?? null,
      artifacts: draft.artifacts === undefined ? null : JSON.stringify(draft.artifacts),
      data: JSON.stringify(data),
    });
    this.dirty = true;
    // Checked above: the data fits its type, so this is the typed event.
    return { ...draft, seq: Number(info.lastInsertRowid), ts, data } as PenguinEvent;
  }

  /**
   * Runs `fn` (which opens and commits a transaction, e.g. `() => store.transaction(...)`) and
   * publishes what it appended once it has committed. A throw publishes nothing.
   */
  commit<T>(fn: () => T): T {
    const result = fn();
    this.flush();
    return result;
  }

  /** Publishes committed events to in-process subscribers; a no-op inside a transaction. */
  flush(): void {
    if (this.db.inTransaction || this.publishing) return;
    this.publishing = true;
    try {
      // A listener may append (and so dirty the log) while we deliver: loop until quiet.
      while (this.dirty) {
        this.dirty = false;
        for (const sub of [...this.subscriptions]) this.deliver(sub);
      }
    } finally {
      this.publishing = false;
    }
  }

  /** Calls `listener` for every committed event after `afterSeq` (default: from now), in order. */
  subscribe(listener: EventListener, options: SubscribeOptions = {}): () => void {
    const sub: Subscription = {
      listener,
      filter: options.filter,
      cursor: options.afterSeq ?? this.lastSeq(),
    };
    this.subscriptions.add(sub);
    if (options.afterSeq !== undefined && !this.db.inTransaction) this.deliver(sub);
    return () => {
      this.subscriptions.delete(sub);
    };
  }

  lastSeq(): number {
    return this.maxSeq.get()?.seq ?? 0;
  }

  /** Committed events after `afterSeq` matching `filter`, oldest first. */
  readFrom(afterSeq: number, filter?: EventFilter, limit = DEFAULT_LIMIT): PenguinEvent[] {
    return this.readPage(afterSeq, filter, limit).events;
  }

  /**
   * Like readFrom, and also the seq to continue after: past the last returned event, or past every
   * event that existed when the page was read when fewer than `limit` matched (so filtered readers
   * do not rescan non-matching rows).
   */
  readPage(afterSeq: number, filter?: EventFilter, limit = DEFAULT_LIMIT): EventPage {
    return readEventPage(this.db, afterSeq, filter, limit);
  }

  private deliver(sub: Subscription): void {
    for (;;) {
      const page = readEventPage(this.db, sub.cursor, sub.filter, DEFAULT_LIMIT);
      sub.cursor = page.cursor;
      for (const event of page.events) {
        try {
          sub.listener(event);
        } catch {
          // A failing subscriber must not break the writer that triggered the publish.
        }
      }
      if (page.events.length < DEFAULT_LIMIT) return;
    }
  }
}

/** Reads one page in a single read transaction so `cursor` is consistent with the rows returned. */
export function readEventPage(
  db: Db,
  afterSeq: number,
  filter: EventFilter | undefined,
  limit: number,
): EventPage {
  const where = ['seq > ?'];
  const params: (string | number)[] = [afterSeq];
  if (filter?.workflow_id !== undefined) {
    where.push('workflow_id = ?');
    params.push(filter.workflow_id);
  }
  if (filter?.task_id !== undefined) {
    where.push('task_id = ?');
    params.push(filter.task_id);
  }
  if (filter?.types !== undefined) {
    if (filter.types.length === 0) return { events: [], cursor: afterSeq };
    where.push(`type IN (${filter.types.map(() => '?').join(', ')})`);
    params.push(...filter.types);
  }
  const read = (): EventPage => {
    const rows = db
      .prepare<(string | number)[], EventRow>(
        `SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`,
      )
      .all(...params, limit);
    const events = rows.map(rowToEvent);
    if (rows.length === limit) return { events, cursor: rows[rows.length - 1]?.seq ?? afterSeq };
    const max = db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM events').get()?.seq ?? 0;
    return { events, cursor: Math.max(afterSeq, max) };
  };
  // Inside the caller's transaction the snapshot is already consistent.
  return db.inTransaction ? read() : db.transaction(read).deferred();
}

function rowToEvent(row: EventRow): PenguinEvent {
  // Rows were checked against their type's schema when appended.
  const event = {
    seq: row.seq,
    ts: row.ts,
    type: row.type as EventType,
    data: parseObject(row.data),
  } as PenguinEvent;
  if (row.project_id !== null) event.project_id = row.project_id;
  if (row.task_id !== null) event.task_id = row.task_id;
  if (row.blueprint_id !== null) event.blueprint_id = row.blueprint_id;
  if (row.workflow_id !== null) event.workflow_id = row.workflow_id;
  if (row.agent_id !== null) event.agent_id = row.agent_id;
  if (row.phase !== null) event.phase = row.phase;
  if (row.iteration !== null) event.iteration = row.iteration;
  if (row.progress !== null) event.progress = row.progress;
  if (row.artifacts !== null) event.artifacts = JSON.parse(row.artifacts) as EventArtifact[];
  return event;
}

function parseObject(text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

// The events part of the Store on SQLite (contracts/store/events.ts). `seq` is the table's rowid:
// without AUTOINCREMENT SQLite assigns max(seq)+1 inside the writing transaction, so a rollback
// frees the number again and the sequence stays gapless. Rows are never deleted.
import type { EventPage, EventRepository } from '../../contracts/store/index.js';
import type { EventArtifact, EventDraft, EventFilter, EventType, PenguinEvent } from '../../events/types.js';
import { Where, type Statements, type Sync } from './statements.js';

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

const INSERT = `INSERT INTO events (ts, type, project_id, task_id, blueprint_id, workflow_id, agent_id, phase, iteration, progress, artifacts, data)
  VALUES (@ts, @type, @project_id, @task_id, @blueprint_id, @workflow_id, @agent_id, @phase, @iteration, @progress, @artifacts, @data)`;
const MAX_SEQ = 'SELECT max(seq) AS seq FROM events';

export class SqliteEvents implements Sync<EventRepository> {
  constructor(private readonly sql: Statements) {}

  append(draft: EventDraft): PenguinEvent {
    const ts = new Date().toISOString();
    const data = draft.data ?? {};
    const info = this.sql.get(INSERT).run({
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
    // EventLog.append checked `data` against its type's schema: this is the typed event.
    return { ...draft, seq: Number(info.lastInsertRowid), ts, data } as PenguinEvent;
  }

  lastSeq(): number {
    return (this.sql.get(MAX_SEQ).get() as { seq: number | null } | undefined)?.seq ?? 0;
  }

  readPage(afterSeq: number, filter: EventFilter | undefined, limit: number): EventPage {
    const where = new Where()
      .eq('seq > ?', afterSeq)
      .eq('workflow_id = ?', filter?.workflow_id)
      .eq('task_id = ?', filter?.task_id)
      .in('type', filter?.types);
    if (where.empty) return { events: [], cursor: afterSeq };
    // The log's end first, then the rows up to it: with one writer at a time, every seq up to a
    // committed max(seq) is committed, so `cursor` is consistent with the rows without holding a
    // read transaction open for the two statements (a reader runs after every commit that appends).
    const last = this.lastSeq();
    if (last <= afterSeq) return { events: [], cursor: afterSeq };
    const rows = this.sql
      .get(`SELECT * FROM events${where} AND seq <= ? ORDER BY seq LIMIT ?`)
      .all(...where.params, last, limit) as EventRow[];
    const events = rows.map(rowToEvent);
    if (rows.length === limit) return { events, cursor: rows[rows.length - 1]?.seq ?? afterSeq };
    return { events, cursor: last };
  }
}

function rowToEvent(row: EventRow): PenguinEvent {
  // Rows were checked against their type's data schema when appended (EventLog.append).
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

// The artifacts part of the Store on SQLite (contracts/store/artifacts.ts): one row per evidence
// file, the newest attempt of a task, workflow, phase and name replacing an older one.
import { randomUUID } from 'node:crypto';
import type {
  ArtifactKind,
  ArtifactRecord,
  ArtifactRepository,
  ListArtifactsFilter,
  NewArtifactRecord,
} from '../../contracts/store/index.js';
import { nowIso, Where, type Statements, type Sync } from './statements.js';

type ArtifactRow = Omit<ArtifactRecord, 'kind'> & { kind: string };

const UPSERT = `
  INSERT INTO artifacts (id, task_id, workflow_id, phase, name, kind, key, path, size, sha256, created_at)
  VALUES (@id, @task_id, @workflow_id, @phase, @name, @kind, @key, @path, @size, @sha256, @created_at)
  ON CONFLICT (task_id, workflow_id, phase, name) DO UPDATE SET
    kind = excluded.kind, key = excluded.key, path = excluded.path, size = excluded.size,
    sha256 = excluded.sha256, created_at = excluded.created_at
  RETURNING *`;

export class SqliteArtifacts implements Sync<ArtifactRepository> {
  constructor(private readonly sql: Statements) {}

  upsert(record: NewArtifactRecord): ArtifactRecord {
    const row = this.sql.get(UPSERT).get({ ...record, id: randomUUID(), created_at: nowIso() }) as
      ArtifactRow | undefined;
    if (!row) throw new Error(`artifact insert for ${record.path} returned no row`);
    return toRecord(row);
  }

  list(filter: ListArtifactsFilter = {}): ArtifactRecord[] {
    const where = new Where()
      .eq('task_id = ?', filter.taskId)
      .eq('workflow_id = ?', filter.workflowId)
      .eq('phase = ?', filter.phase);
    const sql = `SELECT * FROM artifacts${where} ORDER BY created_at, id`;
    return (this.sql.get(sql).all(...where.params) as ArtifactRow[]).map(toRecord);
  }

  listKeyed(taskId: string): ArtifactRecord[] {
    return (
      this.sql
        .get('SELECT * FROM artifacts WHERE task_id = ? AND key IS NOT NULL ORDER BY created_at, id')
        .all(taskId) as ArtifactRow[]
    ).map(toRecord);
  }
}

function toRecord(row: ArtifactRow): ArtifactRecord {
  return { ...row, kind: row.kind as ArtifactKind };
}

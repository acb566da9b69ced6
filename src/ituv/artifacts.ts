// Evidence files kept per task, workflow and phase (DESIGN §2: .penguin/artifacts/<task>/<workflow>/
// <phase>/...). Each file is written durably before its row is inserted, and is hashed so that a
// deleted or edited file no longer counts as a valid artifact for `artifact_ready` dependents.
import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { Db } from '../db/database.js';
import { migrate, type Migration } from '../db/migrations.js';
import { UsageError } from '../errors.js';
import type { ArtifactFile } from './results.js';

export type ArtifactKind = ArtifactFile['kind'];

export interface ArtifactRecord {
  id: string;
  task_id: string;
  workflow_id: string;
  phase: string;
  /** Relative name inside the phase directory; may contain `/`. */
  name: string;
  kind: ArtifactKind;
  /** Set for artifacts that satisfy `artifact_ready` dependents. */
  key: string | null;
  /** Relative to the store's artifacts directory, always with `/` separators. */
  path: string;
  size: number;
  sha256: string;
  created_at: string;
}

export interface RecordArtifactInput {
  taskId: string;
  workflowId: string;
  phase: string;
  name: string;
  kind: ArtifactKind;
  key?: string | null;
  /** Exactly one of content and sourcePath. */
  content?: string | Buffer;
  sourcePath?: string;
}

export interface ListArtifactsFilter {
  taskId?: string;
  workflowId?: string;
  phase?: string;
}

export const artifactMigrations: Migration[] = [
  {
    id: 'artifacts-001',
    sql: `
      CREATE TABLE artifacts (
        id TEXT PRIMARY KEY,
        task_id TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        phase TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        key TEXT NULL,
        path TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX artifacts_task_key ON artifacts (task_id, key);
      CREATE INDEX artifacts_workflow ON artifacts (workflow_id, phase);
      -- A rerun phase (at-least-once) rewrites its files; the row follows instead of duplicating.
      CREATE UNIQUE INDEX artifacts_location ON artifacts (task_id, workflow_id, phase, name);
    `,
  },
];

// Conservative on purpose: names come from blueprints and agents, and must stay inside the store.
const SAFE_SEGMENT = /^[A-Za-z0-9_@+=,-][A-Za-z0-9._@+=,-]*$/;
const MAX_SEGMENT = 200;

/** Why `segment` is not a safe single path segment, or null when it is. */
function segmentProblem(segment: string): string | null {
  if (segment.length === 0) return 'it has an empty segment';
  if (segment === '.' || segment === '..') return `'${segment}' segments are not allowed`;
  if (segment.includes('\0')) return 'it contains a NUL byte';
  if (segment.includes('\\')) return 'backslashes are not allowed';
  if (segment.includes('%')) return 'percent-encoded characters are not allowed';
  if (segment.length > MAX_SEGMENT) return `a segment is longer than ${MAX_SEGMENT} characters`;
  if (!SAFE_SEGMENT.test(segment)) return 'only letters, digits and . _ - @ + = , are allowed';
  return null;
}

/** Throws UsageError unless `value` is one safe path segment (a task, workflow or phase id). */
export function assertSafeSegment(value: string, what: string): void {
  const problem = value.includes('/') ? 'it contains a slash' : segmentProblem(value);
  if (problem)
    throw new UsageError(`${what} ${JSON.stringify(value)} is not a safe path segment: ${problem}.`);
}

/** Throws UsageError unless `name` is a relative path of safe segments that cannot leave its directory. */
export function assertSafeArtifactName(name: string, context: string): void {
  const fail = (problem: string): never => {
    throw new UsageError(
      `artifact ${JSON.stringify(name)} ${context} is not a safe relative path: ${problem}.`,
    );
  };
  if (name.length === 0) fail('it is empty');
  if (name.includes('\0')) fail('it contains a NUL byte');
  if (name.includes('\\')) fail('backslashes are not allowed');
  if (name.startsWith('/') || isAbsolute(name)) fail('absolute paths are not allowed');
  for (const segment of name.split('/')) {
    const problem = segmentProblem(segment);
    if (problem) fail(problem);
  }
}

interface ArtifactRow {
  id: string;
  task_id: string;
  workflow_id: string;
  phase: string;
  name: string;
  kind: string;
  key: string | null;
  path: string;
  size: number;
  sha256: string;
  created_at: string;
}

export class ArtifactStore {
  private readonly insert;
  private readonly byTaskWithKey;

  constructor(
    private readonly db: Db,
    readonly artifactsDir: string,
  ) {
    migrate(db, artifactMigrations);
    this.insert = db.prepare<[ArtifactRow], ArtifactRow>(`
      INSERT INTO artifacts (id, task_id, workflow_id, phase, name, kind, key, path, size, sha256, created_at)
      VALUES (@id, @task_id, @workflow_id, @phase, @name, @kind, @key, @path, @size, @sha256, @created_at)
      ON CONFLICT (task_id, workflow_id, phase, name) DO UPDATE SET
        kind = excluded.kind, key = excluded.key, path = excluded.path, size = excluded.size,
        sha256 = excluded.sha256, created_at = excluded.created_at
      RETURNING *`);
    this.byTaskWithKey = db.prepare<[string], ArtifactRow>(
      'SELECT * FROM artifacts WHERE task_id = ? AND key IS NOT NULL ORDER BY created_at, id',
    );
  }

  /**
   * Writes (or copies) the file durably to `<artifactsDir>/<task>/<workflow>/<phase>/<name>`, then
   * inserts its row. Synchronous, so callers can run it inside their own transaction to commit the
   * row together with a phase result.
   */
  record(input: RecordArtifactInput): ArtifactRecord {
    assertSafeSegment(input.taskId, 'task id');
    assertSafeSegment(input.workflowId, 'workflow id');
    assertSafeSegment(input.phase, 'phase');
    const context = `of task ${input.taskId} (${input.phase})`;
    assertSafeArtifactName(input.name, context);
    if ((input.content === undefined) === (input.sourcePath === undefined)) {
      throw new UsageError(
        `artifact ${JSON.stringify(input.name)} ${context} needs exactly one of content and sourcePath.`,
      );
    }
    const relPath = [input.taskId, input.workflowId, input.phase, input.name].join('/');
    const target = join(this.artifactsDir, ...relPath.split('/'));
    this.makeDirectories(relPath.split('/').slice(0, -1), input.name, context);

    const temp = join(dirname(target), `.${randomUUID()}.tmp`);
    try {
      if (input.content !== undefined) writeDurably(temp, input.content);
      else copyDurably(input.sourcePath as string, temp, input.name, context);
      renameSync(temp, target);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
    fsyncDirectory(dirname(target));
    const { size, sha256 } = hashFile(target);
    const row = this.insert.get({
      id: randomUUID(),
      task_id: input.taskId,
      workflow_id: input.workflowId,
      phase: input.phase,
      name: input.name,
      kind: input.kind,
      key: input.key ?? null,
      path: relPath,
      size,
      sha256,
      created_at: new Date().toISOString(),
    });
    if (!row) throw new Error(`artifact insert for ${relPath} returned no row`);
    return toRecord(row);
  }

  /** Records the files a phase produced (absolute paths), keeping each file's base name. */
  recordFiles(
    ctx: { taskId: string; workflowId: string; phase: string },
    files: readonly ArtifactFile[],
  ): ArtifactRecord[] {
    return files.map((file) =>
      this.record({ ...ctx, name: file.name, kind: file.kind, key: file.key ?? null, sourcePath: file.path }),
    );
  }

  list(filter: ListArtifactsFilter = {}): ArtifactRecord[] {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.taskId !== undefined) {
      where.push('task_id = ?');
      params.push(filter.taskId);
    }
    if (filter.workflowId !== undefined) {
      where.push('workflow_id = ?');
      params.push(filter.workflowId);
    }
    if (filter.phase !== undefined) {
      where.push('phase = ?');
      params.push(filter.phase);
    }
    const sql = `SELECT * FROM artifacts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id`;
    return this.db
      .prepare<string[], ArtifactRow>(sql)
      .all(...params)
      .map(toRecord);
  }

  /** Keys of the task's artifacts whose file still exists with its recorded hash. */
  artifactKeys(taskId: string): Set<string> {
    const keys = new Set<string>();
    for (const row of this.byTaskWithKey.all(taskId)) {
      if (row.key !== null && !keys.has(row.key) && this.verify(toRecord(row))) keys.add(row.key);
    }
    return keys;
  }

  /** Absolute path of a recorded artifact. */
  absolutePath(record: Pick<ArtifactRecord, 'path'>): string {
    return join(this.artifactsDir, ...record.path.split('/'));
  }

  /** True when the file exists with the recorded size and sha256. */
  verify(record: ArtifactRecord): boolean {
    const file = this.absolutePath(record);
    try {
      if (!statSync(file).isFile()) return false;
      const { size, sha256 } = hashFile(file);
      return size === record.size && sha256 === record.sha256;
    } catch {
      return false;
    }
  }

  /**
   * Creates the directories below the store one at a time, refusing symlinks: defence in depth, so
   * that even a planted link cannot lead a write outside the artifacts directory.
   */
  private makeDirectories(segments: readonly string[], name: string, context: string): void {
    mkdirSync(this.artifactsDir, { recursive: true });
    let current = this.artifactsDir;
    for (const segment of segments) {
      current = join(current, segment);
      let stats;
      try {
        stats = lstatSync(current);
      } catch {
        mkdirSync(current, { recursive: true }); // tolerate a concurrent creator
        continue;
      }
      if (!stats.isDirectory()) {
        throw new UsageError(
          `artifact ${JSON.stringify(name)} ${context} cannot be stored: ${current} is not a plain directory.`,
        );
      }
    }
  }
}

function toRecord(row: ArtifactRow): ArtifactRecord {
  return { ...row, kind: row.kind as ArtifactKind };
}

function writeDurably(file: string, content: string | Buffer): void {
  const fd = openSync(file, 'wx');
  try {
    const buffer = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    let offset = 0;
    while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function copyDurably(source: string, temp: string, name: string, context: string): void {
  try {
    if (!statSync(source).isFile()) throw new Error('not a regular file');
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new UsageError(
      `artifact ${JSON.stringify(name)} ${context}: cannot read source ${source}: ${why}.`,
      {
        cause: error,
      },
    );
  }
  copyFileSync(source, temp);
  const fd = openSync(temp, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDirectory(directory: string): void {
  // Makes the rename itself durable; some filesystems refuse fsync on a directory, which is fine.
  try {
    const fd = openSync(directory, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // best effort
  }
}

function hashFile(file: string): { size: number; sha256: string } {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(1 << 16);
  const fd = openSync(file, 'r');
  let size = 0;
  try {
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      hash.update(buffer.subarray(0, read));
      size += read;
    }
  } finally {
    closeSync(fd);
  }
  return { size, sha256: hash.digest('hex') };
}

// Evidence files kept per task, workflow and phase (DESIGN §2: .penguin/artifacts/<task>/<workflow>/
// <phase>/...). Each file is written durably before its row is recorded (through the Store's
// artifacts repository), and is hashed so that a deleted or edited file no longer counts as a valid
// artifact for `artifact_ready` dependents.
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
import type {
  ArtifactRecord,
  ListArtifactsFilter,
  NewArtifactRecord,
  Store,
  StoreTx,
} from '../contracts/store/index.js';
import { UsageError } from '../errors.js';
import type { ArtifactFile } from './results.js';

export type { ArtifactKind, ArtifactRecord, ListArtifactsFilter } from '../contracts/store/index.js';

export interface RecordArtifactInput {
  taskId: string;
  workflowId: string;
  phase: string;
  name: string;
  kind: ArtifactRecord['kind'];
  key?: string | null;
  /** Exactly one of content and sourcePath. */
  content?: string | Buffer;
  sourcePath?: string;
}

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

export class ArtifactStore {
  constructor(
    private readonly store: Store,
    readonly artifactsDir: string,
  ) {}

  /**
   * Writes (or copies) the file durably to `<artifactsDir>/<task>/<workflow>/<phase>/<name>`, then
   * records its row: in `tx` when given (so the row commits with the caller's other writes), else in
   * a transaction of its own.
   */
  async record(input: RecordArtifactInput, tx?: StoreTx): Promise<ArtifactRecord> {
    const row = this.writeFile(input);
    return tx ? tx.artifacts.upsert(row) : this.store.transaction((own) => own.artifacts.upsert(row));
  }

  /**
   * Records the files a phase produced (absolute paths), keeping each file's base name. Without `tx`
   * every file is copied first and the rows are recorded in one short transaction after.
   */
  async recordFiles(
    ctx: { taskId: string; workflowId: string; phase: string },
    files: readonly ArtifactFile[],
    tx?: StoreTx,
  ): Promise<ArtifactRecord[]> {
    const rows = files.map((file) =>
      this.writeFile({
        ...ctx,
        name: file.name,
        kind: file.kind,
        key: file.key ?? null,
        sourcePath: file.path,
      }),
    );
    const upsertAll = async (into: StoreTx): Promise<ArtifactRecord[]> => {
      const records: ArtifactRecord[] = [];
      for (const row of rows) records.push(await into.artifacts.upsert(row));
      return records;
    };
    if (tx) return upsertAll(tx);
    return rows.length === 0 ? [] : this.store.transaction(upsertAll);
  }

  /** Checks the input, writes the file durably and returns the row that records it. */
  private writeFile(input: RecordArtifactInput): NewArtifactRecord {
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
    return {
      task_id: input.taskId,
      workflow_id: input.workflowId,
      phase: input.phase,
      name: input.name,
      kind: input.kind,
      key: input.key ?? null,
      path: relPath,
      size,
      sha256,
    };
  }

  list(filter: ListArtifactsFilter = {}): Promise<ArtifactRecord[]> {
    return this.store.artifacts.list(filter);
  }

  /** Keys of the task's artifacts whose file still exists with its recorded hash. */
  async artifactKeys(taskId: string): Promise<Set<string>> {
    const keys = new Set<string>();
    for (const record of await this.store.artifacts.listKeyed(taskId)) {
      if (record.key !== null && !keys.has(record.key) && this.verify(record)) keys.add(record.key);
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

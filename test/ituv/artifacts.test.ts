// ArtifactStore on a real SQLite store: files written under task/workflow/phase with size and sha256,
// rows in the caller's transaction, unsafe names and symlinked directories refused, and the artifact
// keys artifact_ready reads, which drop deleted and tampered files.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { ArtifactStore } from '../../src/ituv/artifacts.js';
import { openSqliteStore, type SqliteStore } from '../../src/project/sqlite/store.js';

let dir: string;
let db: SqliteStore;
let store: ArtifactStore;
const ctx = { taskId: 't-abc123', workflowId: 'wf-1', phase: 'use' } as const;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'penguin-artifacts-'));
  db = openSqliteStore(join(dir, 'penguin.db'));
  store = new ArtifactStore(db, join(dir, 'artifacts'));
});

afterEach(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('ArtifactStore.record', () => {
  it('writes the file under task/workflow/phase and records size and sha256', async () => {
    const record = await store.record({
      ...ctx,
      name: 'transcript.json',
      kind: 'transcript',
      content: '{"ok":true}',
    });
    expect(record).toMatchObject({
      task_id: 't-abc123',
      workflow_id: 'wf-1',
      phase: 'use',
      name: 'transcript.json',
      kind: 'transcript',
      key: null,
      path: 't-abc123/wf-1/use/transcript.json',
      size: 11,
      sha256: sha('{"ok":true}'),
    });
    const file = join(dir, 'artifacts', 't-abc123', 'wf-1', 'use', 'transcript.json');
    expect(readFileSync(file, 'utf8')).toBe('{"ok":true}');
    expect(store.absolutePath(record)).toBe(file);
    expect(store.verify(record)).toBe(true);
    // No temp file is left behind.
    expect(readdir(join(dir, 'artifacts', 't-abc123', 'wf-1', 'use'))).toEqual(['transcript.json']);
  });

  it('copies a source file, allows nested names and persists across reopening', async () => {
    const source = join(dir, 'report.bin');
    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    writeFileSync(source, bytes);
    const record = await store.record({
      ...ctx,
      name: 'out/report.bin',
      kind: 'file',
      key: 'report',
      sourcePath: source,
    });
    expect(record.size).toBe(5);
    expect(record.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    await db.close();
    db = openSqliteStore(join(dir, 'penguin.db'));
    store = new ArtifactStore(db, join(dir, 'artifacts'));
    expect(await store.list({ taskId: ctx.taskId })).toEqual([record]);
    expect(await store.artifactKeys(ctx.taskId)).toEqual(new Set(['report']));
  });

  it('rewrites a rerun phase artifact in place instead of duplicating the row', async () => {
    const first = await store.record({ ...ctx, name: 'stdout.log', kind: 'log', content: 'attempt 1' });
    const second = await store.record({ ...ctx, name: 'stdout.log', kind: 'log', content: 'attempt two' });
    expect(second.id).toBe(first.id);
    expect(second.sha256).toBe(sha('attempt two'));
    expect(await store.list({ workflowId: 'wf-1' })).toHaveLength(1);
    expect(store.verify(second)).toBe(true);
  });

  it('commits or rolls back its row with the caller transaction', async () => {
    const failing = db.transaction(async (tx) => {
      await store.record({ ...ctx, name: 'a.log', kind: 'log', content: 'x' }, tx);
      throw new Error('phase result insert failed');
    });
    await expect(failing).rejects.toThrow('phase result insert failed');
    expect(await store.list()).toEqual([]);
    await db.transaction((tx) => store.record({ ...ctx, name: 'a.log', kind: 'log', content: 'x' }, tx));
    expect(await store.list()).toHaveLength(1);
  });

  it('records a phase’s files in one transaction after copying them all: one unreadable, none recorded', async () => {
    const good = join(dir, 'good.log');
    writeFileSync(good, 'ok');
    await expect(
      store.recordFiles(ctx, [
        { name: 'good.log', path: good, kind: 'log' },
        { name: 'gone.log', path: join(dir, 'gone.log'), kind: 'log' },
      ]),
    ).rejects.toThrow(/cannot read source/);
    expect(await store.list()).toEqual([]);
  });

  it.each([
    '../../etc/passwd',
    '/abs/file',
    '/etc/passwd',
    'a/../../b',
    'a\\..\\b',
    '..\\..\\windows',
    '%2e%2e/%2e%2e/etc/passwd',
    '..%2fetc',
    'ok/./x',
    'nul\0byte',
    '',
    'a//b',
    '..',
  ])('rejects the unsafe name %j without writing anything', async (name) => {
    await expect(store.record({ ...ctx, name, kind: 'file', content: 'pwned' })).rejects.toThrow(UsageError);
    await expect(store.record({ ...ctx, name, kind: 'file', content: 'pwned' })).rejects.toThrow(
      /^artifact ".*" of task t-abc123/,
    );
    expect(await store.list()).toEqual([]);
    expect(existsSync(join(dir, 'etc'))).toBe(false);
  });

  it.each([
    ['taskId', '../other'],
    ['taskId', 'a/b'],
    ['workflowId', '..'],
    ['workflowId', '/tmp'],
    ['phase', 'use/../../x'],
  ] as const)('rejects an unsafe %s %j', async (field, value) => {
    await expect(
      store.record({ ...ctx, [field]: value, name: 'x.log', kind: 'log', content: 'x' }),
    ).rejects.toThrow(/is not a safe path segment/);
  });

  it('refuses to write through a symlinked directory inside the store', async () => {
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    mkdirSync(join(dir, 'artifacts'), { recursive: true });
    symlinkSync(outside, join(dir, 'artifacts', 't-evil'));
    await expect(
      store.record({ ...ctx, taskId: 't-evil', name: 'x.log', kind: 'log', content: 'x' }),
    ).rejects.toThrow(/is not a plain directory/);
    expect(readdir(outside)).toEqual([]);
  });

  it('needs exactly one of content and sourcePath, and a readable source', async () => {
    await expect(store.record({ ...ctx, name: 'x', kind: 'file' })).rejects.toThrow(
      /exactly one of content and sourcePath/,
    );
    await expect(
      store.record({ ...ctx, name: 'x', kind: 'file', sourcePath: join(dir, 'missing.txt') }),
    ).rejects.toThrow(/cannot read source/);
  });
});

describe('ArtifactStore queries', () => {
  it('lists by task, workflow and phase', async () => {
    await store.record({ ...ctx, name: 'a.log', kind: 'log', content: 'a' });
    await store.record({ ...ctx, phase: 'test', name: 'junit.xml', kind: 'junit', content: '<x/>' });
    await store.record({ ...ctx, workflowId: 'wf-2', name: 'b.log', kind: 'log', content: 'b' });
    await store.record({ ...ctx, taskId: 't-other', name: 'c.log', kind: 'log', content: 'c' });
    expect((await store.list({ taskId: 't-abc123' })).map((r) => r.name).sort()).toEqual([
      'a.log',
      'b.log',
      'junit.xml',
    ]);
    expect(await store.list({ taskId: 't-abc123', workflowId: 'wf-1' })).toHaveLength(2);
    expect(
      (await store.list({ taskId: 't-abc123', workflowId: 'wf-1', phase: 'test' })).map((r) => r.name),
    ).toEqual(['junit.xml']);
    expect(await store.list()).toHaveLength(4);
  });

  it('artifactKeys reflects deleted and tampered files', async () => {
    const schema = await store.record({
      ...ctx,
      name: 'schema.sql',
      kind: 'file',
      key: 'schema',
      content: 'CREATE TABLE t;',
    });
    const api = await store.record({ ...ctx, name: 'api.json', kind: 'file', key: 'api', content: '{}' });
    await store.record({ ...ctx, name: 'plain.log', kind: 'log', content: 'no key' });
    expect(await store.artifactKeys(ctx.taskId)).toEqual(new Set(['schema', 'api']));
    expect(await store.artifactKeys('t-other')).toEqual(new Set());

    unlinkSync(store.absolutePath(schema));
    expect(store.verify(schema)).toBe(false);
    expect(await store.artifactKeys(ctx.taskId)).toEqual(new Set(['api']));

    // Same size, different content: the hash catches it.
    writeFileSync(store.absolutePath(api), '[]');
    expect(store.verify(api)).toBe(false);
    expect(await store.artifactKeys(ctx.taskId)).toEqual(new Set());
  });

  it('a key stays valid while any of its recorded files is intact', async () => {
    const first = await store.record({
      ...ctx,
      name: 'schema.sql',
      kind: 'file',
      key: 'schema',
      content: 'v1',
    });
    await store.record({
      ...ctx,
      workflowId: 'wf-2',
      name: 'schema.sql',
      kind: 'file',
      key: 'schema',
      content: 'v2',
    });
    unlinkSync(store.absolutePath(first));
    expect(await store.artifactKeys(ctx.taskId)).toEqual(new Set(['schema']));
  });

  it('recordFiles copies phase output files', async () => {
    const source = join(dir, 'stdout.log');
    writeFileSync(source, 'agent output');
    const [record] = await store.recordFiles(ctx, [{ name: 'stdout.log', path: source, kind: 'log' }]);
    expect(record?.path).toBe('t-abc123/wf-1/use/stdout.log');
    expect(readFileSync(join(dir, 'artifacts', 't-abc123', 'wf-1', 'use', 'stdout.log'), 'utf8')).toBe(
      'agent output',
    );
  });
});

function readdir(path: string): string[] {
  return existsSync(path) ? readdirSync(path) : [];
}

// artifact_ready: a recipe keeps a file as an artifact (keyed by its stem) and that alone makes the
// dependent task ready, while completion_required dependents would still wait.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, syncedWorkspace, FIXTURES, runCli } from './run-cli.js';

interface FrontierJson {
  ready: { blueprint_id: string }[];
  blocked: { blueprint_id: string; blockers: { blueprint_id: string; policy: string; reason: string }[] }[];
}

describe('artifact_ready dependencies', () => {
  let ws: string;
  beforeAll(() => {
    assertBuilt();
    ws = mkdtempSync(join(tmpdir(), 'penguin-artifact-'));
    syncedWorkspace(join(FIXTURES, 'e2e-artifact'), ws);
  });
  afterAll(() => rmSync(ws, { recursive: true, force: true }));

  const frontier = (): FrontierJson =>
    JSON.parse(runCli(['task', 'frontier', '--json'], { cwd: ws }).stdout) as FrontierJson;

  it('holds the consumer until the producer records the keyed artifact', () => {
    const before = frontier();
    expect(before.ready.map((t) => t.blueprint_id)).toEqual(['EXP-1']);
    expect(before.blocked).toEqual([
      expect.objectContaining({
        blueprint_id: 'EXP-2',
        blockers: [expect.objectContaining({ blueprint_id: 'EXP-1', policy: 'artifact_ready' })],
      }),
    ]);
    expect(before.blocked[0]?.blockers[0]?.reason).toMatch(/export_schema/);

    const run = runCli(['task', 'ituv', 'start', 'EXP-1', '--json'], { cwd: ws });
    expect(run.status, run.stderr).toBe(0);
    const artifacts = JSON.parse(runCli(['task', 'show', 'EXP-1', '--json'], { cwd: ws }).stdout) as {
      status: string;
    };
    expect(artifacts.status).toBe('completed');

    expect(frontier().ready.map((t) => t.blueprint_id)).toEqual(['EXP-2']);
  }, 90_000);
});

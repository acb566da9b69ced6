// `penguin recipe run` end to end through the built CLI: the node example's health recipe starts the
// real service, waits for it, runs its HTTP step and tears it down.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, REPO_ROOT, runCli, runJson, tempDir } from './run-cli.js';

interface RecipeJson {
  recipe: string;
  passed: boolean;
  failure: string | null;
  steps: {
    index: number;
    kind: string;
    run: string;
    passed: boolean;
    failure: string | null;
    covers: number[];
  }[];
  service: { command: string; started: boolean; ready: boolean; stopped: boolean } | null;
  artifacts: { name: string; path: string; kind: string }[];
  file: string;
}

const EXAMPLE = join(REPO_ROOT, 'examples', 'node-service');
let scratch: string;

beforeAll(() => {
  assertBuilt();
  scratch = tempDir('penguin-e2e-recipe-');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the node example; a Penguin workspace (init + sync) unless `workspace` is false. */
function copyExample(name: string, workspace = true): string {
  const dir = join(scratch, name);
  cpSync(EXAMPLE, dir, { recursive: true });
  if (workspace) {
    expect(runCli(['init'], { cwd: dir }).status).toBe(0);
    expect(runCli(['blueprint', 'sync'], { cwd: dir }).status).toBe(0);
  }
  return dir;
}

/** Implements GREET-1 the way the example's scripted agent does, without Penguin. */
function implementGreet1(dir: string): void {
  const result = spawnSync(process.execPath, ['agent/apply.mjs'], {
    cwd: dir,
    env: { ...process.env, PENGUIN_BLUEPRINT_ID: 'GREET-1' },
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  expect(existsSync(join(dir, 'src', 'server.mjs'))).toBe(true);
}

describe('penguin recipe run', () => {
  it('fails before the service exists, naming the service, and passes once GREET-1 is implemented', () => {
    const dir = copyExample('in-workspace');

    const before = runJson<RecipeJson>(['recipe', 'run', 'health'], { cwd: dir });
    expect(before.status).toBe(1);
    expect(before.json.passed).toBe(false);
    expect(before.json.failure).toContain('node src/server.mjs');
    expect(before.json.service).toMatchObject({
      command: 'node src/server.mjs',
      ready: false,
      stopped: true,
    });
    expect(before.json.steps).toEqual([]);

    implementGreet1(dir);
    const after = runJson<RecipeJson>(['recipe', 'run', 'health'], { cwd: dir });
    expect(after.status, after.stderr).toBe(0);
    expect(after.json.passed).toBe(true);
    expect(after.json.failure).toBeNull();
    expect(after.json.file).toBe(join(dir, 'context', 'specs', 'greeter.md'));
    expect(after.json.steps).toEqual([
      expect.objectContaining({ index: 1, kind: 'http', run: 'GET /health', passed: true, covers: [1, 2] }),
    ]);
    expect(after.json.service).toMatchObject({ started: true, ready: true, stopped: true });
    // The transcript is kept as an artifact.
    const transcript = after.json.artifacts.find((a) => a.kind === 'transcript');
    expect(transcript && existsSync(transcript.path)).toBe(true);

    // The service was torn down: its port is free for the next run, which passes again.
    const again = runCli(['recipe', 'run', 'health'], { cwd: dir });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/recipe health .*: passed/);
    expect(again.stdout).toMatch(/ok +step 1 http GET \/health/);
  }, 60_000);

  it('refuses an unknown recipe with one line listing the known ones', () => {
    const dir = copyExample('unknown');
    for (const args of [
      ['recipe', 'run', 'nope'],
      ['recipe', 'run', 'nope', '--json'],
    ]) {
      const result = runCli(args, { cwd: dir });
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/no recipe 'nope'/);
      expect(lines[0]).toMatch(/known recipes: health, greet/);
    }
  }, 60_000);

  it('runs a recipe from --blueprint FILE outside any workspace', () => {
    const dir = copyExample('no-workspace', false);
    implementGreet1(dir);
    const result = runJson<RecipeJson>(
      ['recipe', 'run', 'health', '--blueprint', 'context/specs/greeter.md'],
      {
        cwd: dir,
      },
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.json.passed).toBe(true);
    expect(result.json.file).toBe(join(dir, 'context', 'specs', 'greeter.md'));
    expect(result.json.steps.map((s) => s.passed)).toEqual([true]);

    // The unknown-recipe error names the recipes of that file too.
    const unknown = runCli(['recipe', 'run', 'nope', '--blueprint', 'context/specs/greeter.md'], {
      cwd: dir,
    });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/known recipes: health, greet/);
  }, 60_000);

  it('leaves a directory that is not a workspace without one after a --blueprint run', () => {
    const dir = copyExample('stays-plain', false);
    implementGreet1(dir);
    const result = runCli(['recipe', 'run', 'health', '--blueprint', 'context/specs/greeter.md'], {
      cwd: dir,
    });
    expect(result.status, result.stderr).toBe(0);
    // Transcripts must not turn the directory into a Penguin workspace behind the user's back:
    // a later command here must still say there is no workspace.
    expect(existsSync(join(dir, '.penguin'))).toBe(false);
    const later = runCli(['task', 'list'], { cwd: dir });
    expect(later.status).toBe(2);
  }, 60_000);
});

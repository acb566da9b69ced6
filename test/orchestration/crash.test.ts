// Crash test: hosts (child processes running the BUILT engine from dist/; `npm test` builds first)
// are SIGKILLed at random points at least 20 times. At the end every workflow has finished, no
// phase whose result was committed ran again, the event log is gapless without duplicates, and no
// artifact recorded before a crash was lost.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeEngine } from '../../src/orchestration/native/engine.js';
import type { PhaseExecutor } from '../../src/orchestration/phase-executor.js';
import type { StepRecord } from '../../src/contracts/store/index.js';
import {
  killChild,
  makeWorkspace,
  processAlive,
  seedTasks,
  sideEffects,
  TEST_CONFIG,
  until,
  type Workspace,
} from './helpers.js';

const HOST = resolve(import.meta.dirname, '../fixtures/orchestration/host.mjs');
const BUILT_ENGINE = resolve(import.meta.dirname, '../../dist/orchestration/native/engine.js');
const LEASE_MS = 500;
const KILLS = 22;

const neverRuns: PhaseExecutor = {
  execute: () => Promise.reject(new Error('the test process never hosts')),
};

function spawnHost(ws: Workspace, owner: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [HOST, ws.dbFile, ws.dir, owner, String(LEASE_MS)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolvePromise, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolvePromise(child);
    });
    child.once('exit', (code) =>
      reject(new Error(`host ${owner} exited (${code}) before it was ready: ${stderr}`)),
    );
  });
}

describe('native engine crash recovery', () => {
  let ws: Workspace;
  let engine: NativeEngine;
  let host: ChildProcess | undefined;

  beforeAll(() => {
    if (!existsSync(BUILT_ENGINE)) {
      throw new Error(
        'the crash test runs the built engine: run `npx tsc -p tsconfig.build.json` (npm test does) first',
      );
    }
    ws = makeWorkspace();
    engine = new NativeEngine({
      store: ws.store,
      events: ws.events,
      executor: neverRuns,
      config: TEST_CONFIG,
    });
  });

  afterAll(async () => {
    if (host) await killChild(host, 'SIGKILL');
    // Agents of killed hosts are orphaned (their own process groups): end the ones still running.
    for (const file of readdirSync(ws.dir).filter((f) => f.endsWith('.pid'))) {
      const pid = Number(readFileSync(join(ws.dir, file), 'utf8'));
      if (pid > 0 && processAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    await engine.close();
    await ws.cleanup();
  });

  it(
    'survives 20+ SIGKILLs without rerunning a committed phase or losing events and artifacts',
    { timeout: 120_000 },
    async () => {
      const tasks = await seedTasks(
        ws.store,
        'CRASH',
        Array.from({ length: 10 }, (_, i) => `CRASH-${i + 1}`),
      );
      // Every third task fails TEST once, so gate loops are crashed into too.
      const scripts = Object.fromEntries(
        tasks.filter((_, i) => i % 3 === 0).map((t) => [t.id, { 'test:1': 'fail' }]),
      );
      writeFileSync(join(ws.dir, 'script.json'), JSON.stringify(scripts));
      const ids = await Promise.all(tasks.map((t) => engine.startWorkflow(t.id)));

      const artifactSnapshots = new Map<string, string>();
      let kills = 0;
      for (let round = 0; kills < KILLS; round++) {
        host = await spawnHost(ws, `host-${round}`);
        await new Promise((r) => setTimeout(r, 150 + Math.floor(Math.random() * 900)));
        await killChild(host, 'SIGKILL');
        host = undefined;
        kills++;
        // Everything committed so far must survive every later crash.
        for (const id of ids) {
          for (const artifact of (await engine.query(id, 'artifacts')) as {
            phase: string;
            iteration: number;
            attempt: number;
            path: string;
          }[]) {
            artifactSnapshots.set(
              `${id}:${artifact.phase}:${artifact.iteration}:${artifact.attempt}`,
              artifact.path,
            );
          }
        }
      }

      host = await spawnHost(ws, 'host-final');
      await until(
        'every workflow to finish',
        async () =>
          (await engine.list({ status: ['completed', 'failed', 'cancelled'] })).length === ids.length,
        60_000,
      );
      await killChild(host, 'SIGTERM');
      host = undefined;

      const statuses = await engine.list();
      expect(statuses.map((s) => s.state)).toEqual(ids.map(() => 'completed'));
      for (const t of tasks)
        expect(await ws.store.tasks.get(t.id)).toMatchObject({ status: 'completed', phase: 'done' });

      // No committed phase ran again; every side effect belongs to a recorded attempt; none ran twice.
      const steps: StepRecord[] = [];
      for (const id of ids) steps.push(...(await ws.store.workflows.steps(id)));
      steps.sort((a, b) => a.id - b.id);
      const byKey = new Map(steps.map((s) => [s.idempotency_key, s]));
      const lines = sideEffects(ws.dir);
      expect(new Set(lines).size).toBe(lines.length);
      for (const line of lines) expect(byKey.has(line)).toBe(true);
      const committed = steps.filter((s) => s.outcome === 'passed' || s.outcome === 'gate_failed');
      for (const step of committed) {
        expect(lines).toContain(step.idempotency_key);
        const later = steps.filter(
          (s) =>
            s.workflow_id === step.workflow_id &&
            s.phase === step.phase &&
            s.iteration === step.iteration &&
            s.attempt > step.attempt,
        );
        expect(later).toEqual([]);
      }
      for (const status of statuses) {
        const passed = status.phases
          .filter((p) => p.outcome === 'passed')
          .map((p) => `${p.phase}${p.iteration}`);
        expect(new Set(passed).size).toBe(passed.length);
      }

      // Events: gapless, and each phase completion recorded once.
      const events = await ws.events.readFrom(0, undefined, 100_000);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      const completions = events
        .filter((e) => e.type === 'workflow.phase_completed')
        .map((e) => `${e.workflow_id}:${e.phase}:${e.iteration}`);
      expect(new Set(completions).size).toBe(completions.length);
      expect(completions.length).toBe(committed.filter((s) => s.outcome === 'passed').length);

      // Artifacts recorded before any crash are still recorded, with their files.
      const finalArtifacts = new Set<string>();
      for (const id of ids) {
        for (const a of (await engine.query(id, 'artifacts')) as {
          phase: string;
          iteration: number;
          attempt: number;
          path: string;
        }[]) {
          finalArtifacts.add(`${id}:${a.phase}:${a.iteration}:${a.attempt}`);
          expect(existsSync(a.path)).toBe(true);
        }
      }
      for (const key of artifactSnapshots.keys()) expect(finalArtifacts.has(key)).toBe(true);

      const abandoned = steps.filter((s) => s.outcome === 'abandoned').length;
      expect(kills).toBeGreaterThanOrEqual(20);
      console.log(
        `crash test: ${kills} kills, ${steps.length} attempts, ${abandoned} abandoned and rerun, ${events.length} events`,
      );
    },
  );
});

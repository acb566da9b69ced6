// An agent whose host was SIGKILLed keeps running in its own process group; the next IMPLEMENT
// attempt must end it before starting another agent on the same workspace.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AGENT_PGID_FILE,
  endOrphanedAgents,
  runCommandAgent,
} from '../../../src/ituv/agents/command-agent.js';
import { processGroupAlive, startProcess } from '../../../src/ituv/process.js';
import { detachedSleeper, killMarked, newMarker, sleeperStarted, survivors } from '../orphans.js';

const dirs: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'penguin-orphans-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  killMarked();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function gone(pgid: number): Promise<boolean> {
  for (let i = 0; i < 50 && processGroupAlive(pgid); i++) await new Promise((r) => setTimeout(r, 100));
  return !processGroupAlive(pgid);
}

describe('endOrphanedAgents', () => {
  it('kills the group recorded by an attempt that never finished, and only that one', async () => {
    const runs = scratch();
    const crashed = join(runs, 'implement-1-1');
    const current = join(runs, 'implement-1-2');
    mkdirSync(crashed);
    mkdirSync(current);
    // Stands in for an agent left behind by a killed host: a live group nobody waits for.
    const orphan = startProcess('sleep 60 & sleep 60', { cwd: runs, env: { PATH: process.env.PATH } });
    const pgid = orphan.pid as number;
    expect(processGroupAlive(pgid)).toBe(true);
    writeFileSync(join(crashed, AGENT_PGID_FILE), String(pgid));
    writeFileSync(join(current, AGENT_PGID_FILE), '1'); // the caller's own directory is never touched

    expect(endOrphanedAgents(runs, current)).toEqual([pgid]);
    expect(await gone(pgid)).toBe(true);
    expect(existsSync(join(crashed, AGENT_PGID_FILE))).toBe(false);
    expect(existsSync(join(current, AGENT_PGID_FILE))).toBe(true);
    await orphan.exited;
  });

  it('also ends the setsid children of a process-group agent, by the marker its processes carry', async () => {
    const runs = scratch();
    const crashed = join(runs, 'implement-1-1');
    mkdirSync(crashed);
    const marker = newMarker();
    let recorded = '';
    const orphan = startProcess(`${detachedSleeper(marker)} & sleep 60`, {
      cwd: runs,
      env: { PATH: process.env.PATH },
      containment: 'process-group',
      onSpawn: (pgid, processMarker) => (recorded = `${pgid}\n${processMarker}\n`),
    });
    await sleeperStarted(marker);
    writeFileSync(join(crashed, AGENT_PGID_FILE), recorded);

    expect(endOrphanedAgents(runs, join(runs, 'implement-1-2'))).toEqual([orphan.pid]);
    expect(await survivors(marker)).toEqual([]);
    await orphan.exited;
  });

  it('finds nothing to end after agents that finished normally', async () => {
    const root = scratch();
    const runs = join(root, 'runs');
    const out = join(runs, 'implement-1-1');
    mkdirSync(out, { recursive: true });
    const result = await runCommandAgent(
      {
        id: 'quick',
        role: 'implementer',
        kind: 'command',
        command: 'echo done',
        skills: [],
        tools: [],
        capacity: 1,
      },
      {
        prompt: 'p',
        workspaceRoot: root,
        taskId: 't-1',
        blueprintId: 'T-1',
        workflowId: 'wf-1',
        outputDir: out,
        timeoutMs: 10_000,
        env: { PATH: process.env.PATH },
      },
    );
    expect(result.status).toBe('done');
    expect(existsSync(join(out, AGENT_PGID_FILE))).toBe(false);
    expect(endOrphanedAgents(runs, join(runs, 'implement-1-2'))).toEqual([]);
  });
});

// The selection rule of run mode (src/scheduler/select.ts, routing.ts): frontier order, the
// parallelism cap, tasks that run alone, batches dispatched together, and routing to agents by role,
// skills and tools with capacity and round robin; a task no agent can take is refused with what is missing.
import { describe, expect, it } from 'vitest';
import { penguinConfigSchema, type AgentConfig } from '../../src/config/schema.js';
import { missingFor, route } from '../../src/scheduler/routing.js';
import { selectDispatch, type Candidate, type RunningTask } from '../../src/scheduler/select.js';

function task(id: string, over: Partial<Candidate> = {}): Candidate {
  return {
    id,
    blueprint_id: id,
    title: id,
    agent_role: null,
    skills: [],
    required_tools: [],
    parallelizable: null,
    batch: null,
    ...over,
  };
}

function agents(...list: Record<string, unknown>[]): AgentConfig[] {
  return penguinConfigSchema.parse({ agents: list.map((a) => ({ command: 'run.sh', ...a })) }).agents;
}

const running = (id: string, over: Partial<RunningTask> = {}): RunningTask => ({
  task_id: id,
  blueprint_id: id,
  parallelizable: null,
  agent_id: null,
  ...over,
});

const ids = (s: ReturnType<typeof selectDispatch>): string[] => s.dispatch.map((d) => d.task.id);

describe('selectDispatch', () => {
  it('takes ready tasks in frontier order up to the free slots, and says why the rest waits', () => {
    const s = selectDispatch({
      ready: [task('A'), task('B'), task('C')],
      running: [running('X')],
      parallelism: 3,
      agents: [],
      lastUsed: new Map(),
    });
    expect(ids(s)).toEqual(['A', 'B']);
    expect(s.waiting).toEqual([{ task: task('C'), reason: 'no free slot (3 of 3 running)' }]);
    expect(s.dispatch.every((d) => d.agent === null)).toBe(true);
  });

  it('starts a parallelizable: false task only when nothing runs, and nothing beside it', () => {
    const ready = [task('SOLO', { parallelizable: false }), task('B')];
    const busy = selectDispatch({
      ready,
      running: [running('X')],
      parallelism: 4,
      agents: [],
      lastUsed: new Map(),
    });
    // B may not overtake SOLO, or SOLO could wait forever.
    expect(ids(busy)).toEqual([]);
    expect(busy.waiting.map((w) => w.reason)).toEqual([
      'runs alone (parallelizable: false); waits for 1 running task(s)',
      'waits: SOLO runs alone and waits for the running tasks',
    ]);
    const idle = selectDispatch({ ready, running: [], parallelism: 4, agents: [], lastUsed: new Map() });
    expect(ids(idle)).toEqual(['SOLO']);
    expect(idle.waiting[0]?.reason).toBe('waits: SOLO runs alone (parallelizable: false)');
    const beside = selectDispatch({
      ready: [task('B')],
      running: [running('SOLO', { parallelizable: false })],
      parallelism: 4,
      agents: [],
      lastUsed: new Map(),
    });
    expect(ids(beside)).toEqual([]);
  });

  it('dispatches the ready tasks of one batch together, once there are slots for all of them', () => {
    const ready = [task('B1', { batch: 'b' }), task('A'), task('B2', { batch: 'b' }), task('C')];
    const all = selectDispatch({ ready, running: [], parallelism: 3, agents: [], lastUsed: new Map() });
    expect(ids(all)).toEqual(['B1', 'B2', 'A']);
    const short = selectDispatch({
      ready,
      running: [running('X'), running('Y')],
      parallelism: 3,
      agents: [],
      lastUsed: new Map(),
    });
    expect(ids(short)).toEqual([]);
    expect(short.waiting.map((w) => w.task.id)).toEqual(['B1', 'B2', 'A', 'C']);
    expect(short.waiting[0]?.reason).toBe('batch b needs 2 free slot(s), 1 free');
    // A batch larger than the parallelism starts as many as fit.
    const big = selectDispatch({ ready, running: [], parallelism: 1, agents: [], lastUsed: new Map() });
    expect(ids(big)).toEqual(['B1']);
  });

  it('routes by role, skills and tools, within capacity, round robin over ties', () => {
    const team = agents(
      { id: 'py1', skills: ['python'], capacity: 1 },
      { id: 'py2', skills: ['python'], capacity: 1 },
      { id: 'rev', role: 'reviewer', tools: ['docker'] },
    );
    const s = selectDispatch({
      ready: [
        task('P1', { skills: ['python'] }),
        task('R1', { agent_role: 'reviewer', required_tools: ['docker'] }),
        task('P2', { skills: ['python'] }),
        task('P3', { skills: ['python'] }),
        task('RUST', { skills: ['rust'] }),
      ],
      running: [],
      parallelism: 8,
      agents: team,
      lastUsed: new Map(),
    });
    expect(s.dispatch.map((d) => `${d.task.id}:${d.agent?.id ?? '-'}`)).toEqual([
      'P1:py1',
      'R1:rev',
      'P2:py2',
    ]);
    expect(s.waiting).toEqual([
      { task: expect.objectContaining({ id: 'P3' }), reason: 'agents at capacity: py1, py2' },
    ]);
    expect(s.refused).toEqual([{ task: expect.objectContaining({ id: 'RUST' }), missing: ['skill rust'] }]);
  });
});

describe('routing', () => {
  const team = agents(
    { id: 'a', skills: ['ts'] },
    { id: 'b', tools: ['docker'] },
    { id: 'c', skills: ['ts'] },
  );

  it('prefers the covering agent used longest ago, then config order', () => {
    const load = (lastUsed: [string, number][]) => ({ running: new Map(), lastUsed: new Map(lastUsed) });
    const ts = { agent_role: null, skills: ['ts'], required_tools: [] };
    expect(route(team, ts, load([]))).toMatchObject({ kind: 'agent', agent: { id: 'a' } });
    expect(route(team, ts, load([['a', 1]]))).toMatchObject({ kind: 'agent', agent: { id: 'c' } });
    expect(
      route(
        team,
        ts,
        load([
          ['a', 2],
          ['c', 1],
        ]),
      ),
    ).toMatchObject({ kind: 'agent', agent: { id: 'c' } });
  });

  it('says what is missing: what no agent offers, or that no one agent offers it all', () => {
    expect(missingFor(team, { agent_role: 'reviewer', skills: ['go'], required_tools: ['k8s'] })).toEqual([
      'role reviewer',
      'skill go',
      'tool k8s',
    ]);
    expect(missingFor(team, { agent_role: null, skills: ['ts'], required_tools: ['docker'] })).toEqual([
      'one agent with skill ts, tool docker',
    ]);
    expect(
      route(
        [],
        { agent_role: 'x', skills: [], required_tools: [] },
        { running: new Map(), lastUsed: new Map() },
      ),
    ).toEqual({
      kind: 'agent',
      agent: null,
    });
  });
});

// The ITUVWorkflow's commit activity on a real store, no server needed: Temporal may run an activity
// twice (its answer lost with a dying worker), so a commit tried again writes nothing twice, also one
// that stopped at a task move the task refused; and a record someone else moved is not overwritten.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  step,
  type MachineInput,
  type RunState,
  type Step,
} from '../../../src/orchestration/machine/index.js';
import { StepInterpreter } from '../../../src/orchestration/native/interpreter.js';
import { createActivities, RunningPhases } from '../../../src/orchestration/temporal/activities.js';
import type { ItuvActivities } from '../../../src/orchestration/temporal/api.js';
import type { Task } from '../../../src/project/model.js';
import { makeWorkspace, ScriptedExecutor, seedTasks, TEST_CONFIG, type Workspace } from '../helpers.js';

describe('the commit activity', () => {
  let ws: Workspace;
  let task: Task;
  let activities: ItuvActivities;
  let started: RunState;

  beforeEach(async () => {
    ws = makeWorkspace();
    [task] = (await seedTasks(ws.store, 'BOOK', ['BOOK-1'])) as [Task];
    const interpreter = new StepInterpreter(ws.events, TEST_CONFIG);
    started = await ws.store.transaction((tx) =>
      interpreter.start(tx, {
        type: 'start',
        now: Date.now(),
        subject: { id: 'wf-commit', task_id: task.id, project_id: task.project_id, blueprint_id: 'BOOK-1' },
        origin: null,
        feedback: [],
        pause_after_phase: false,
      }),
    );
    const deps = {
      store: ws.store,
      events: ws.events,
      executor: new ScriptedExecutor(ws.dir),
      config: TEST_CONFIG,
    };
    activities = createActivities(
      {
        ...deps,
        onError: (e) => {
          throw e;
        },
      },
      new RunningPhases(),
    );
  });
  afterEach(() => ws.cleanup());

  /** `first` and the boundaries it reaches, as the workflow steps them. */
  function chain(from: RunState, first: MachineInput): Step[] {
    const steps: Step[] = [];
    let input: MachineInput | undefined = first;
    let state = from;
    while (input) {
      const result = step(state, input, TEST_CONFIG);
      steps.push(result);
      state = result.state;
      input = result.effects.some((e) => e.type === 'advance')
        ? { type: 'advance', now: Date.now() }
        : undefined;
    }
    return steps;
  }

  async function written(): Promise<{ events: string[]; steps: number; transitions: number }> {
    return {
      events: (await ws.events.readFrom(0, { workflow_id: 'wf-commit' }, 1_000)).map((e) => e.type),
      steps: (await ws.store.workflows.steps('wf-commit')).length,
      transitions: (await ws.store.transitions.list(task.id)).length,
    };
  }

  it('writes a chain of steps once, however often it is tried', async () => {
    const steps = chain(started, { type: 'claimed', now: Date.now() });
    const input = { workflowId: 'wf-commit', from: started, steps, signals: [] };
    expect(await activities.commit(input)).toBeNull();
    const once = await written();
    expect(once.events).toEqual([
      'workflow.started',
      'task.status_changed',
      'task.phase_changed',
      'workflow.phase_started',
    ]);
    expect(once.steps).toBe(1);

    expect(await activities.commit(input)).toBeNull();
    expect(await written()).toEqual(once);
    expect(await ws.store.workflows.get('wf-commit')).toMatchObject({ state: 'running', owner: 'temporal' });
  });

  it('stops at a refused task move, and says so again when tried again', async () => {
    await ws.store.transaction((tx) =>
      tx.tasks.transition(task.id, { status: 'cancelled', reason: 'by hand' }),
    );
    const steps = chain(started, { type: 'claimed', now: Date.now() });
    const input = { workflowId: 'wf-commit', from: started, steps, signals: [] };
    const refused = await activities.commit(input);
    expect(refused).toMatchObject({ index: 1, taskStatus: 'cancelled' });
    const once = await written();
    expect(once.events).toEqual(['workflow.started']);

    expect(await activities.commit(input)).toEqual(refused);
    expect(await written()).toEqual(once);
  });

  it('refuses to overwrite a record someone else moved', async () => {
    const steps = chain(started, { type: 'claimed', now: Date.now() });
    await activities.commit({ workflowId: 'wf-commit', from: started, steps, signals: [] });
    const elsewhere = chain(started, {
      type: 'signal',
      now: Date.now(),
      hosted: false,
      signal: { name: 'pause' },
    });
    await expect(
      activities.commit({ workflowId: 'wf-commit', from: started, steps: elsewhere, signals: [] }),
    ).rejects.toThrow(/was changed by someone else/);
    await expect(
      activities.commit({ workflowId: 'wf-nope', from: started, steps, signals: [] }),
    ).rejects.toThrow(/has no record in this worker's store/);
  });
});

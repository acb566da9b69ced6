// The rules of an ITUV run, one by one, on the pure machine (DESIGN §5-6): inputs in, state and
// effects out, no database and no processes.
import { describe, expect, it } from 'vitest';
import {
  admitSignal,
  parseSignal,
  retryDelayMs,
  startRefusal,
  step,
  type RunState,
} from '../../../src/orchestration/machine/index.js';
import { CONFIG, Driver, events, moves, ofType, T0 } from './helpers.js';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Runs the four phases passing, from a fresh claim. */
function runThrough(d: Driver): void {
  d.claim();
  for (let i = 0; i < 4; i++) d.pass();
}

describe('a run', () => {
  it('starts queued at IMPLEMENT and announces itself', () => {
    const d = new Driver(CONFIG, { feedback: ['from the start'] });
    expect(d.state).toMatchObject({
      state: 'pending',
      phase: 'implement',
      iteration: 1,
      attempt: 1,
      progress: 0,
    });
    expect(events(d.log[0]!.effects)).toEqual(['workflow.started:implement']);
    expect(d.state.feedback).toEqual(['from the start']);
  });

  it('moves the task first, then opens an attempt with its key, timebox and feedback', () => {
    const d = new Driver(CONFIG, { feedback: ['use sqlite'] });
    expect(d.claim()[0]).toEqual({ type: 'advance' });
    // The boundary step: the required move comes first, so a task that refuses it drops the step.
    const effects = d.log.at(-1)!.effects;
    expect(effects[0]).toMatchObject({
      type: 'move_task',
      status: 'running',
      phase: 'implement',
      required: true,
    });
    expect(ofType(effects, 'run_phase')).toEqual([
      {
        type: 'run_phase',
        phase: 'implement',
        iteration: 1,
        attempt: 1,
        key: 'wf-1:implement:1:1',
        feedback: ['use sqlite'],
        resumed: false,
        timeout_ms: 600_000,
        results_of_iteration: 1,
      },
    ]);
    expect(d.state).toMatchObject({ state: 'running', attempt_state: 'open' });
  });

  it('runs IMPLEMENT, TEST, USE, VERIFY in order and completes the task', () => {
    const d = new Driver();
    runThrough(d);
    const all = d.log.flatMap((l) => l.effects);
    expect(ofType(all, 'run_phase').map((r) => r.phase)).toEqual(['implement', 'test', 'use', 'verify']);
    expect(d.state).toMatchObject({ state: 'completed', phase: 'done', progress: 100 });
    expect(d.state.finished_at).toBe(new Date(T0).toISOString());
    expect(moves(all).at(-1)).toBe('completed/done');
    expect(events(all).slice(-2)).toEqual(['workflow.phase_completed:verify', 'workflow.completed:done']);
    const progress = ofType(all, 'emit').map((e) => e.event.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(ofType(all, 'finish')).toEqual([
      { type: 'finish', outcome: 'completed', reason: 'VERIFY passed' },
    ]);
  });

  it('sends a VERIFY pass to pending_review without auto-approve', () => {
    const d = new Driver({ ...CONFIG, autoApprove: false });
    runThrough(d);
    expect(moves(d.log.flatMap((l) => l.effects)).at(-1)).toBe('pending_review/done');
  });

  it('ignores a result for an attempt that is not the open one', () => {
    const d = new Driver();
    d.claim();
    const before = d.state;
    const stale = step(
      before,
      {
        type: 'phase_result',
        now: T0,
        key: 'wf-1:implement:1:9',
        outcome: { kind: 'passed', summary: 'late' },
      },
      CONFIG,
    );
    expect(stale).toEqual({ state: before, effects: [] });
  });

  it('never changes the state it is given', () => {
    const d = new Driver();
    d.claim();
    const frozen = deepFreeze(structuredClone(d.state));
    const run = d.running()!;
    expect(() =>
      step(
        frozen,
        { type: 'phase_result', now: T0, key: run.key, outcome: { kind: 'gate_failed', summary: 'no' } },
        CONFIG,
      ),
    ).not.toThrow();
  });
});

describe('gate failures', () => {
  it('loop back to IMPLEMENT in a new iteration with the failure as feedback', () => {
    const d = new Driver();
    d.claim();
    d.pass();
    const effects = d.result({ kind: 'gate_failed', summary: '2 of 2 tests failed' });
    expect(d.state).toMatchObject({ phase: 'implement', iteration: 2, attempt: 1, progress: 0 });
    expect(d.state.last_failure).toBe('TEST failed (iteration 1): 2 of 2 tests failed');
    expect(ofType(effects, 'run_phase')[0]).toMatchObject({
      phase: 'implement',
      iteration: 2,
      feedback: ['TEST failed (iteration 1): 2 of 2 tests failed'],
    });
    expect(ofType(effects, 'record_step')[0]).toMatchObject({ key: 'wf-1:test:1:1', outcome: 'gate_failed' });
  });

  it('wait for a human after max_iterations, then an answer gives a fresh budget', () => {
    const d = new Driver({ ...CONFIG, maxIterations: 2 });
    d.claim();
    for (let i = 0; i < 2; i++) {
      d.pass();
      d.result({ kind: 'gate_failed', summary: `fail ${i + 1}` });
    }
    expect(d.state).toMatchObject({
      state: 'waiting_input',
      waiting_reason: 'clarification_needed',
      phase: 'implement',
      iteration: 2,
    });
    expect(moves(d.log.at(-1)!.effects)).toEqual(['waiting_input/blocked']);
    expect(ofType(d.log.at(-1)!.effects, 'wait_for_human')).toEqual([
      { type: 'wait_for_human', reason: 'clarification_needed', question: null },
    ]);

    const answer = d.signal({ name: 'inject_feedback', text: 'listen on 8080' }, false);
    expect(events(answer)).toEqual(['workflow.feedback:implement', 'workflow.resumed:implement']);
    expect(d.state).toMatchObject({ state: 'pending', iteration: 3, iteration_base: 2, resumed: true });
    d.claim();
    expect(d.running()).toMatchObject({ iteration: 3, resumed: true });
    expect(d.running()?.feedback).toEqual([
      'TEST failed (iteration 1): fail 1',
      'TEST failed (iteration 2): fail 2',
      'listen on 8080',
    ]);
    // Two more failing iterations are allowed before the next wait: counted from the answer.
    d.result({ kind: 'gate_failed', summary: 'fail 3' });
    expect(d.state).toMatchObject({ state: 'running', iteration: 4 });
    d.result({ kind: 'gate_failed', summary: 'fail 4' });
    expect(d.state).toMatchObject({ state: 'waiting_input', iteration: 4, iteration_base: 2 });
  });

  it('resume of a run out of iterations starts IMPLEMENT with a fresh budget too', () => {
    const d = new Driver({ ...CONFIG, maxIterations: 1 });
    d.claim();
    d.result({ kind: 'gate_failed', summary: 'partial' });
    d.signal({ name: 'resume', pause_after_phase: false }, false);
    expect(d.state).toMatchObject({ state: 'pending', phase: 'implement', iteration: 2, iteration_base: 1 });
  });
});

describe('a question', () => {
  it('waits for the answer and runs the same phase again, resumed', () => {
    const d = new Driver();
    d.claim();
    d.result({ kind: 'needs_input', question: 'Which port?' });
    expect(d.state).toMatchObject({
      state: 'waiting_input',
      waiting_reason: 'agent_question',
      question: 'Which port?',
      phase: 'implement',
      attempt: 2,
    });
    d.signal({ name: 'resume', pause_after_phase: false }, false);
    d.claim();
    expect(d.running()).toMatchObject({
      phase: 'implement',
      attempt: 2,
      resumed: true,
      key: 'wf-1:implement:1:2',
    });
  });
});

describe('transient errors', () => {
  it('retry the phase after an exponential backoff, then fail the run', () => {
    const d = new Driver();
    d.claim();
    const first = d.result({ kind: 'transient_error', summary: 'agent crashed' });
    expect(events(first)).toEqual(['workflow.phase_failed:implement', 'workflow.retrying:implement']);
    expect(ofType(first, 'start_timer')).toEqual([{ type: 'start_timer', until: T0 + 1_000 }]);
    expect(d.running()).toBeNull();
    expect(d.tick(500)).toEqual([{ type: 'start_timer', until: T0 + 1_000 }]);
    d.tick(500);
    expect(d.running()).toMatchObject({ attempt: 2, key: 'wf-1:implement:1:2' });
    d.result({ kind: 'timed_out' });
    expect(d.state.not_before).toBe(d.now + 2_000);
    expect(d.state.last_failure).toBe('implement exceeded its timebox of 600 s and was stopped');
    d.tick(2_000);
    d.result({ kind: 'transient_error', summary: 'crashed again' });
    expect(d.state).toMatchObject({
      state: 'failed',
      last_failure: 'implement failed 3 times; last: crashed again',
    });
    expect(moves(d.log.at(-1)!.effects)).toEqual(['failed/blocked']);
  });

  it('spread the delay by the jitter with the random number handed in', () => {
    const retry = { ...CONFIG.retry, jitter: 0.5 };
    expect(retryDelayMs(retry, 1, 0)).toBe(500);
    expect(retryDelayMs(retry, 1, 0.5)).toBe(1_000);
    expect(retryDelayMs(retry, 1, 1)).toBe(1_500);
    expect(retryDelayMs(CONFIG.retry, 1, 0)).toBe(1_000);
    const d = new Driver({ ...CONFIG, retry });
    d.claim();
    d.result({ kind: 'transient_error', summary: 'x' }, 0.25);
    expect(d.state.not_before).toBe(T0 + 750);
  });
});

describe('pause', () => {
  it('asked during a phase takes effect at its boundary and hands the task back', () => {
    const d = new Driver();
    d.claim();
    expect(d.signal({ name: 'pause' }, true)).toEqual([]);
    expect(d.state.pause_requested).toBe(true);
    const effects = d.pass();
    expect(ofType(effects, 'run_phase')).toEqual([]);
    expect(d.state).toMatchObject({ state: 'paused', phase: 'test', pause_requested: false });
    expect(moves(effects)).toEqual(['active/pending']);
    expect(events(effects).at(-1)).toBe('workflow.paused:test');
    d.signal({ name: 'resume', pause_after_phase: false }, false);
    d.claim();
    expect(d.running()).toMatchObject({ phase: 'test', attempt: 1 });
  });

  it('asked during a backoff takes effect at once; resume of a hosted run withdraws it', () => {
    const d = new Driver();
    d.claim();
    d.signal({ name: 'pause' }, true);
    d.signal({ name: 'resume', pause_after_phase: false }, true);
    expect(d.state.pause_requested).toBe(false);
    d.result({ kind: 'transient_error', summary: 'x' });
    d.signal({ name: 'pause' }, true);
    expect(d.state.state).toBe('paused');
  });

  it('after one phase (`task ituv next`) also after a gate failure, and only once', () => {
    const d = new Driver(CONFIG, { pauseAfterPhase: true });
    d.claim();
    d.pass();
    expect(d.state).toMatchObject({ state: 'paused', phase: 'test', pause_after_phase: false });
    d.signal({ name: 'resume', pause_after_phase: true }, false);
    d.claim();
    d.result({ kind: 'gate_failed', summary: 'red' });
    expect(d.state).toMatchObject({ state: 'paused', phase: 'implement', iteration: 2 });
    d.signal({ name: 'resume', pause_after_phase: false }, false);
    d.claim();
    d.pass();
    expect(d.state).toMatchObject({ state: 'running', phase: 'test' });
  });

  it('is used up by a wait for a human, so the answer does not pause the run at once', () => {
    const d = new Driver({ ...CONFIG, maxIterations: 1 }, { pauseAfterPhase: true });
    d.claim();
    d.result({ kind: 'gate_failed', summary: 'red' });
    expect(d.state).toMatchObject({ state: 'waiting_input', pause_requested: false });
    d.signal({ name: 'inject_feedback', text: 'try again' }, false);
    d.claim();
    expect(d.running()).toMatchObject({ phase: 'implement', iteration: 2 });
  });
});

describe('cancel', () => {
  it('of a running phase stops it first, then cancels the run and the task', () => {
    const d = new Driver();
    d.claim();
    expect(d.signal({ name: 'cancel' }, true)).toEqual([
      { type: 'abort_phase', key: 'wf-1:implement:1:1', reason: 'cancel' },
    ]);
    const effects = d.result({ kind: 'cancelled' });
    expect(ofType(effects, 'record_step')).toMatchObject([{ outcome: 'cancelled' }]);
    expect(d.state).toMatchObject({ state: 'cancelled', cancel_requested: false });
    expect(moves(effects)).toEqual(['cancelled/-']);
  });

  it('of a run nobody hosts is at once, and closes an attempt left open by a dead host', () => {
    const d = new Driver();
    d.claim();
    const effects = d.signal({ name: 'cancel' }, false);
    expect(ofType(effects, 'record_step')).toMatchObject([
      { key: 'wf-1:implement:1:1', outcome: 'abandoned' },
    ]);
    expect(d.state.state).toBe('cancelled');
  });

  it('of a finished run is refused; a second cancel is ignored', () => {
    const d = new Driver();
    d.signal({ name: 'cancel' }, false);
    expect(admitSignal(d.state, 'cancel', false)).toEqual({ kind: 'ignore' });
    expect(admitSignal(d.state, 'pause', false)).toEqual({
      kind: 'refuse',
      reason: 'workflow wf-1 is cancelled; it cannot take the pause signal',
    });
  });
});

describe('recovery', () => {
  it('closes the attempt a dead host left open and runs it again as a new attempt', () => {
    const d = new Driver();
    d.claim();
    const effects = d.claim();
    expect(ofType(effects, 'record_step')).toMatchObject([
      { key: 'wf-1:implement:1:1', outcome: 'abandoned' },
    ]);
    expect(events(effects)).toContain('workflow.retrying:implement');
    expect(d.log.at(-1)!.effects[0]).toMatchObject({ type: 'move_task', required: true });
    expect(d.running()).toMatchObject({ attempt: 2, key: 'wf-1:implement:1:2' });
  });

  it('fails the run when the same phase was interrupted max_attempts times', () => {
    const d = new Driver();
    for (let i = 0; i < 3; i++) d.claim();
    d.claim();
    expect(d.state).toMatchObject({ state: 'failed', last_failure: 'implement was interrupted 3 times' });
  });

  it('reruns an attempt abandoned at a pause when the run resumes', () => {
    const d = new Driver();
    d.claim();
    d.signal({ name: 'pause' }, false);
    expect(d.state).toMatchObject({ state: 'paused', attempt_state: 'spent' });
    d.signal({ name: 'resume', pause_after_phase: false }, false);
    d.claim();
    expect(d.running()).toMatchObject({ attempt: 2 });
  });
});

describe('a task that will not run', () => {
  it('stops the run as cancelled when the task was cancelled or archived', () => {
    const d = new Driver();
    d.claim();
    d.pass();
    const effects = d.feed({ type: 'task_refused', now: T0, reason: 'cannot go', task_status: 'cancelled' });
    expect(d.state).toMatchObject({ state: 'cancelled' });
    expect(ofType(effects, 'finish')[0]?.reason).toBe('stopped: task BOOK-1 is cancelled');
  });

  it('fails the run with the refusal otherwise', () => {
    const d = new Driver();
    d.claim();
    d.feed({
      type: 'task_refused',
      now: T0,
      reason: 'task BOOK-1 cannot go from completed to running',
      task_status: 'completed',
    });
    expect(d.state).toMatchObject({
      state: 'failed',
      last_failure: 'task BOOK-1 cannot go from completed to running',
    });
  });

  it('is refused a start unless it is active or waiting for input', () => {
    const task = { id: 't-1', blueprint_id: 'BOOK-1' };
    expect(startRefusal({ ...task, status: 'active' })).toBeNull();
    expect(startRefusal({ ...task, status: 'waiting_input' })).toBeNull();
    expect(startRefusal({ ...task, status: 'completed' })).toBe(
      'task BOOK-1 (t-1) is completed; a workflow starts only from an active task',
    );
  });
});

describe('a VERIFY re-run', () => {
  function waitingAfterVerify(): Driver {
    const d = new Driver({ ...CONFIG, maxIterations: 1 });
    d.claim();
    for (let i = 0; i < 3; i++) d.pass();
    d.result({ kind: 'gate_failed', summary: 'AC2 has no evidence' });
    return d;
  }

  it('that passed completes the run: the task moves through VERIFY, the override is recorded', () => {
    const d = waitingAfterVerify();
    const effects = d.signal(
      {
        name: 'reverify',
        verdict: { passed: true, summary: 'all 2 criteria have evidence', result: { passed: true } },
        override: { criterion: 2, justification: 'checked by hand' },
      },
      false,
    );
    expect(effects[0]).toMatchObject({
      type: 'move_task',
      status: 'running',
      phase: 'verify',
      required: true,
    });
    expect(ofType(effects, 'record_override')).toEqual([
      {
        type: 'record_override',
        criterion: 2,
        justification: 'checked by hand',
        at: new Date(T0).toISOString(),
      },
    ]);
    expect(ofType(effects, 'record_step')).toEqual([
      expect.objectContaining({
        key: 'wf-1:verify:1:reverify-1',
        attempt: 0,
        outcome: 'passed',
        opened: false,
      }),
    ]);
    expect(moves(effects)).toEqual(['running/verify!', 'completed/done']);
    expect(d.state.state).toBe('completed');
  });

  it('that failed is recorded and changes nothing else', () => {
    const d = waitingAfterVerify();
    const before = d.state;
    const effects = d.signal(
      { name: 'reverify', verdict: { passed: false, summary: 'still no', result: null }, override: null },
      false,
    );
    expect(moves(effects)).toEqual([]);
    expect(events(effects)).toEqual(['workflow.phase_failed:verify']);
    expect(d.state).toEqual({ ...before, reverifications: 1 });
    d.signal(
      { name: 'reverify', verdict: { passed: false, summary: 'still no', result: null }, override: null },
      false,
    );
    expect(ofType(d.log.at(-1)!.effects, 'record_step')[0]?.key).toBe('wf-1:verify:1:reverify-2');
  });

  it('is refused for a run a host is running', () => {
    const d = new Driver();
    d.claim();
    expect(admitSignal(d.state, 'reverify', true)).toEqual({
      kind: 'refuse',
      reason: 'task BOOK-1 has a running workflow wf-1; wait for it or cancel it first',
    });
  });
});

describe('a finished run', () => {
  it('absorbs every input', () => {
    const d = new Driver();
    runThrough(d);
    const done: RunState = d.state;
    for (const input of [
      { type: 'claimed', now: T0 },
      { type: 'advance', now: T0 },
      { type: 'timer_fired', now: T0 },
      { type: 'signal', now: T0, hosted: false, signal: { name: 'cancel' } },
      { type: 'phase_result', now: T0, key: 'wf-1:verify:1:1', outcome: { kind: 'passed', summary: 'x' } },
    ] as const) {
      expect(step(done, input, CONFIG)).toEqual({ state: done, effects: [] });
    }
  });
});

describe('stored signals', () => {
  it('parse into inputs, and a payload that no longer parses gives null', () => {
    expect(parseSignal('resume', { pause_after_phase: true })).toEqual({
      name: 'resume',
      pause_after_phase: true,
    });
    expect(parseSignal('resume', null)).toEqual({ name: 'resume', pause_after_phase: false });
    expect(parseSignal('inject_feedback', 'text')).toEqual({ name: 'inject_feedback', text: 'text' });
    expect(parseSignal('inject_feedback', { text: ' ' })).toBeNull();
    expect(parseSignal('reverify', { verdict: { passed: true, summary: 's', result: 1 } })).toEqual({
      name: 'reverify',
      verdict: { passed: true, summary: 's', result: 1 },
      override: null,
    });
    expect(parseSignal('reverify', { verdict: 'yes' })).toBeNull();
  });
});

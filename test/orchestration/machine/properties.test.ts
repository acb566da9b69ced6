// Property traces of the machine (fast-check): random sequences of inputs, as hosts, humans and a
// flaky world would send them, must keep the invariants of DESIGN §5-6 whatever their order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTerminal, STEP_OUTCOMES } from '../../../src/contracts/workflow.js';
import {
  step,
  type Effect,
  type MachineConfig,
  type MachineInput,
  type RunState,
} from '../../../src/orchestration/machine/index.js';
import { Driver } from './helpers.js';

/** What happens next to a run: each is turned into a machine input for the state it finds. */
type Action =
  /** The host running the run dies; another claims the run. */
  | { kind: 'crash' }
  | {
      kind: 'result';
      outcome: 'passed' | 'gate_failed' | 'needs_input' | 'transient_error' | 'timed_out' | 'abandoned';
    }
  | { kind: 'stale_result' }
  | { kind: 'time'; ms: number }
  | { kind: 'signal'; name: 'pause' | 'resume' | 'resume_step' | 'cancel' | 'feedback'; hosted: boolean }
  | { kind: 'reverify'; passed: boolean; override: boolean }
  | { kind: 'refused'; status: 'cancelled' | 'completed' | null };

// Weighted so that runs get far (several iterations, all four phases) before a cancel ends them.
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Action>({ kind: 'crash' }) },
  {
    weight: 30,
    arbitrary: fc
      .constantFrom(
        'passed',
        'passed',
        'passed',
        'gate_failed',
        'gate_failed',
        'needs_input',
        'transient_error',
        'timed_out',
        'abandoned',
      )
      .map((outcome): Action => ({ kind: 'result', outcome })),
  },
  { weight: 1, arbitrary: fc.constant<Action>({ kind: 'stale_result' }) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 15_000 }).map((ms): Action => ({ kind: 'time', ms })) },
  {
    weight: 8,
    arbitrary: fc
      .record({
        name: fc.constantFrom('pause', 'resume', 'resume_step', 'feedback' as const),
        hosted: fc.boolean(),
      })
      .map((s): Action => ({ kind: 'signal', ...s })),
  },
  {
    weight: 1,
    arbitrary: fc.boolean().map((hosted): Action => ({ kind: 'signal', name: 'cancel', hosted })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ passed: fc.boolean(), override: fc.boolean() })
      .map((r): Action => ({ kind: 'reverify', ...r })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('cancelled', 'completed', null)
      .map((status): Action => ({ kind: 'refused', status })),
  },
);

const config: fc.Arbitrary<MachineConfig> = fc.record({
  retry: fc.record({
    max_attempts: fc.integer({ min: 1, max: 4 }),
    initial_interval_sec: fc.constantFrom(0.5, 1, 5),
    backoff: fc.constantFrom(1, 2),
    max_interval_sec: fc.constantFrom(5, 10),
    jitter: fc.constantFrom(0, 0.3),
  }),
  timeboxSec: fc.constant({ implement: 600, test: 300, use: 180, verify: 120 }),
  maxIterations: fc.integer({ min: 1, max: 3 }),
  autoApprove: fc.boolean(),
});

/** The input an action becomes for the run as it is now; null when it does not apply. */
function inputFor(d: Driver, a: Action, random: number): MachineInput | null {
  const now = d.now;
  switch (a.kind) {
    case 'crash':
      return d.state.state === 'running' ? { type: 'claimed', now } : null;
    case 'result': {
      const run = d.running();
      if (!run) return null;
      const outcome =
        a.outcome === 'passed' || a.outcome === 'gate_failed'
          ? { kind: a.outcome, summary: `${run.phase} ${a.outcome}`, result: { key: run.key } }
          : a.outcome === 'needs_input'
            ? { kind: a.outcome, question: 'which port?' }
            : a.outcome === 'transient_error'
              ? { kind: a.outcome, summary: 'agent crashed' }
              : { kind: a.outcome };
      return { type: 'phase_result', now, key: run.key, outcome, random };
    }
    case 'stale_result':
      return {
        type: 'phase_result',
        now,
        key: `${d.state.id}:implement:99:1`,
        outcome: { kind: 'passed', summary: 'late' },
      };
    case 'time':
      d.now += a.ms;
      return { type: 'timer_fired', now: d.now };
    case 'signal': {
      const hosted = a.hosted && d.state.state === 'running';
      const signal =
        a.name === 'feedback'
          ? { name: 'inject_feedback' as const, text: 'more tests please' }
          : a.name === 'resume' || a.name === 'resume_step'
            ? { name: 'resume' as const, pause_after_phase: a.name === 'resume_step' }
            : { name: a.name };
      return { type: 'signal', now, hosted, signal };
    }
    case 'reverify':
      // Refused for a hosted run before it is sent (admitSignal), so only ever applied unhosted.
      return {
        type: 'signal',
        now,
        hosted: false,
        signal: {
          name: 'reverify',
          verdict: { passed: a.passed, summary: a.passed ? 'all met' : 'AC1 unmet', result: null },
          override: a.override ? { criterion: 1, justification: 'by hand' } : null,
        },
      };
    case 'refused':
      return { type: 'task_refused', now, reason: 'the task refused', task_status: a.status };
  }
}

interface Trace {
  d: Driver;
  /** Every machine step taken: the state before, the input and what came out. */
  steps: { before: RunState; input: MachineInput; after: RunState; effects: Effect[] }[];
}

function trace(cfg: MachineConfig, actions: Action[], randoms: number[]): Trace {
  const d = new Driver(cfg);
  actions.forEach((a, i) => {
    // A host claims a queued run at once.
    if (d.state.state === 'pending') d.feed({ type: 'claimed', now: d.now });
    const input = inputFor(d, a, randoms[i % randoms.length] ?? 0.5);
    if (input) d.feed(input);
  });
  return {
    d,
    steps: d.log
      .slice(1)
      .map((l) => ({ before: l.before, input: l.input, after: l.after, effects: l.effects })),
  };
}

const traces = fc.tuple(
  config,
  fc.array(action, { minLength: 30, maxLength: 150 }),
  fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { minLength: 1, maxLength: 5 }),
);

function keyOf(e: { phase: string; iteration: number }): string {
  return `${e.phase}:${e.iteration}`;
}

describe('machine properties', () => {
  it('never runs a phase again in an iteration once it passed or failed its gate there', () => {
    fc.assert(
      fc.property(traces, ([cfg, actions, randoms]) => {
        const finished = new Set<string>();
        for (const s of trace(cfg, actions, randoms).steps) {
          for (const e of s.effects) {
            if (e.type === 'run_phase') expect(finished.has(keyOf(e)), keyOf(e)).toBe(false);
            // Attempts the run ran (opened), not VERIFY re-runs recorded from outside.
            if (
              e.type === 'record_step' &&
              e.opened &&
              (e.outcome === 'passed' || e.outcome === 'gate_failed')
            )
              finished.add(keyOf(e));
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('never spends more than max_iterations iterations since the last human input', () => {
    fc.assert(
      fc.property(traces, ([cfg, actions, randoms]) => {
        for (const s of trace(cfg, actions, randoms).steps) {
          expect(s.after.iteration - s.after.iteration_base).toBeLessThanOrEqual(cfg.maxIterations);
          expect(s.after.iteration).toBeGreaterThan(s.after.iteration_base);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('absorbs every input once finished: same state, no effects', () => {
    fc.assert(
      fc.property(traces, fc.array(action, { maxLength: 20 }), ([cfg, actions, randoms], later) => {
        const { d } = trace(cfg, actions, randoms);
        if (!isTerminal(d.state.state)) return;
        const done = structuredClone(d.state);
        for (const a of later) {
          const input = inputFor(d, a, 0.5) ?? { type: 'advance', now: d.now };
          expect(step(d.state, input, cfg)).toEqual({ state: done, effects: [] });
        }
      }),
      { numRuns: 400 },
    );
  });

  it('asks only for effects that fit the state each step leaves', () => {
    fc.assert(
      fc.property(traces, ([cfg, actions, randoms]) => {
        for (const { before, after, effects, input } of trace(cfg, actions, randoms).steps) {
          const runs = effects.filter((e) => e.type === 'run_phase');
          // At most one attempt in flight: a phase starts only when none was open, and leaves one open.
          expect(runs.length).toBeLessThanOrEqual(1);
          for (const run of runs) {
            expect(before.attempt_state).not.toBe('open');
            expect(after).toMatchObject({
              state: 'running',
              attempt_state: 'open',
              phase: run.phase,
              attempt: run.attempt,
            });
            expect(run.key).toBe(`${after.id}:${run.phase}:${after.iteration}:${after.attempt}`);
            expect(run.iteration).toBe(after.iteration);
          }
          effects.forEach((e, i) => {
            switch (e.type) {
              case 'move_task':
                // A required move comes first, so a refusal drops the step whole.
                if (e.required) expect(i).toBe(0);
                if (e.status === 'running') expect(['implement', 'test', 'use', 'verify']).toContain(e.phase);
                return;
              case 'advance':
                expect(i).toBe(effects.length - 1);
                expect(after.state).toBe('running');
                return;
              case 'start_timer':
                expect(after.state).toBe('running');
                expect(e.until).toBeGreaterThan(input.now);
                return;
              case 'abort_phase':
                expect(after).toMatchObject({
                  state: 'running',
                  attempt_state: 'open',
                  cancel_requested: true,
                });
                return;
              case 'record_step':
                expect(STEP_OUTCOMES).toContain(e.outcome);
                // Closing an attempt: the one that was open, never a new one.
                if (e.opened) {
                  expect(before.attempt_state).toBe('open');
                  expect(e.key).toBe(`${before.id}:${before.phase}:${before.iteration}:${before.attempt}`);
                } else {
                  expect(e.attempt).toBe(0);
                }
                return;
              case 'wait_for_human':
                expect(after.state).toBe('waiting_input');
                return;
              case 'finish':
                expect(isTerminal(after.state)).toBe(true);
                expect(isTerminal(before.state)).toBe(false);
                return;
              default:
                return;
            }
          });
          // Finishing is announced exactly once, by the step that finishes.
          expect(effects.filter((e) => e.type === 'finish').length).toBe(
            isTerminal(after.state) && !isTerminal(before.state) ? 1 : 0,
          );
          expect(after.progress).toBeGreaterThanOrEqual(0);
          expect(after.progress).toBeLessThanOrEqual(100);
          expect(after.attempt).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('is deterministic and leaves the state it is given alone', () => {
    fc.assert(
      fc.property(traces, ([cfg, actions, randoms]) => {
        for (const { before, input, after, effects } of trace(cfg, actions, randoms).steps) {
          const copy = structuredClone(before);
          expect(step(before, input, cfg)).toEqual({ state: after, effects });
          expect(before).toEqual(copy);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps its state plain JSON', () => {
    fc.assert(
      fc.property(traces, ([cfg, actions, randoms]) => {
        const { d } = trace(cfg, actions, randoms);
        expect(JSON.parse(JSON.stringify(d.state))).toEqual(d.state);
      }),
      { numRuns: 100 },
    );
  });
});

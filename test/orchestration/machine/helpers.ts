// Drives the pure machine the way a host does (steps again after `advance`, feeds results for the
// attempt it was asked to run), so rule tests read as a story of inputs and property tests can
// generate one. No I/O: effects are only collected.
import {
  startRun,
  step,
  type Effect,
  type MachineConfig,
  type MachineInput,
  type PhaseOutcomeInput,
  type RunState,
  type SignalInput,
} from '../../../src/orchestration/machine/index.js';

export const CONFIG: MachineConfig = {
  retry: { max_attempts: 3, initial_interval_sec: 1, backoff: 2, max_interval_sec: 10 },
  timeboxSec: { implement: 600, test: 300, use: 180, verify: 120 },
  maxIterations: 3,
  autoApprove: true,
};

export const T0 = Date.parse('2026-01-01T00:00:00Z');

export type RunEffect = Extract<Effect, { type: 'run_phase' }>;

/** A run under test: its state, every effect so far, and the clock. */
export class Driver {
  state: RunState;
  readonly log: { input: MachineInput; effects: Effect[]; before: RunState; after: RunState }[] = [];
  now = T0;

  constructor(
    readonly config: MachineConfig = CONFIG,
    options: { feedback?: string[]; pauseAfterPhase?: boolean } = {},
  ) {
    const started = startRun({
      type: 'start',
      now: this.now,
      subject: { id: 'wf-1', task_id: 't-1', project_id: 'p-1', blueprint_id: 'BOOK-1' },
      origin: 'test',
      feedback: options.feedback ?? [],
      pause_after_phase: options.pauseAfterPhase === true,
    });
    this.state = started.state;
    this.log.push({
      input: { type: 'claimed', now: this.now },
      effects: started.effects,
      before: started.state,
      after: started.state,
    });
  }

  /** Steps with `input`, then with `advance` for as long as the machine asks for it; returns all effects. */
  feed(input: MachineInput): Effect[] {
    const all: Effect[] = [];
    let next: MachineInput | null = input;
    while (next) {
      const before = this.state;
      const { state, effects } = step(before, next, this.config);
      this.log.push({ input: next, effects, before, after: state });
      this.state = state;
      all.push(...effects);
      next = effects.some((e) => e.type === 'advance') ? { type: 'advance', now: this.now } : null;
    }
    return all;
  }

  claim(): Effect[] {
    return this.feed({ type: 'claimed', now: this.now });
  }

  /** The attempt the machine asked to run last, if it is still the open one. */
  running(): RunEffect | null {
    for (let i = this.log.length - 1; i >= 0; i--) {
      const run = this.log[i]?.effects.find((e): e is RunEffect => e.type === 'run_phase');
      if (run) return this.state.attempt_state === 'open' && this.state.state === 'running' ? run : null;
    }
    return null;
  }

  /** Reports the running attempt's outcome. */
  result(outcome: PhaseOutcomeInput, random = 0.5): Effect[] {
    const run = this.running();
    if (!run)
      throw new Error(`no attempt is running (state ${this.state.state}, ${this.state.attempt_state})`);
    return this.feed({ type: 'phase_result', now: this.now, key: run.key, outcome, random });
  }

  pass(summary = 'ok'): Effect[] {
    return this.result({ kind: 'passed', summary, result: { summary } });
  }

  signal(signal: SignalInput, hosted: boolean): Effect[] {
    return this.feed({ type: 'signal', now: this.now, hosted, signal });
  }

  tick(ms: number): Effect[] {
    this.now += ms;
    return this.feed({ type: 'timer_fired', now: this.now });
  }
}

export function ofType<T extends Effect['type']>(effects: Effect[], type: T): Extract<Effect, { type: T }>[] {
  return effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);
}

/** `workflow.x:phase` for each emitted event, like the contract tests list them. */
export function events(effects: Effect[]): string[] {
  return ofType(effects, 'emit').map((e) => `${e.event.type}:${e.event.phase ?? '-'}`);
}

export function moves(effects: Effect[]): string[] {
  return ofType(effects, 'move_task').map((m) => `${m.status}/${m.phase ?? '-'}${m.required ? '!' : ''}`);
}

// The task lifecycle tables: allowed and forbidden moves with their messages, reopen resetting the
// phase, a property test that no move breaks the invariants, and which moves clear stale.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/errors.js';
import { assertTransition, clearsStale, STATUS_MOVES, STATUS_PHASES } from '../../src/project/lifecycle.js';
import {
  ITUV_PHASES,
  TASK_PHASES,
  TASK_STATUSES,
  type TaskPhase,
  type TaskStatus,
} from '../../src/project/model.js';
import { makeTask } from './task-factory.js';

const at = (status: TaskStatus, phase: TaskPhase) => makeTask({ blueprint_id: 'BOOK-1', status, phase });

describe('assertTransition', () => {
  it('starts, advances and finishes a run', () => {
    expect(assertTransition(at('active', 'pending'), { status: 'running', reason: 'go' })).toEqual({
      status: 'running',
      phase: 'implement',
    });
    expect(assertTransition(at('running', 'implement'), { phase: 'test', reason: 'next' })).toEqual({
      status: 'running',
      phase: 'test',
    });
    expect(assertTransition(at('running', 'verify'), { status: 'completed', reason: 'ok' })).toEqual({
      status: 'completed',
      phase: 'done',
    });
    expect(assertTransition(at('running', 'verify'), { status: 'pending_review', reason: 'ok' })).toEqual({
      status: 'pending_review',
      phase: 'done',
    });
  });

  it('blocks waiting_input and failed, and sends a paused run back to pending', () => {
    expect(assertTransition(at('running', 'test'), { status: 'waiting_input', reason: 'q' }).phase).toBe(
      'blocked',
    );
    expect(assertTransition(at('running', 'test'), { status: 'failed', reason: 'x' }).phase).toBe('blocked');
    expect(assertTransition(at('running', 'use'), { status: 'active', reason: 'pause' }).phase).toBe(
      'pending',
    );
    expect(
      assertTransition(at('waiting_input', 'blocked'), {
        status: 'running',
        phase: 'implement',
        reason: 'answer',
      }),
    ).toEqual({
      status: 'running',
      phase: 'implement',
    });
  });

  it('resets the phase to pending on every reopen', () => {
    for (const [status, phase] of [
      ['completed', 'done'],
      ['pending_review', 'done'],
      ['failed', 'blocked'],
      ['cancelled', 'pending'],
    ] as const) {
      expect(assertTransition(at(status, phase), { status: 'active', reason: 'reopen' })).toEqual({
        status: 'active',
        phase: 'pending',
      });
    }
    expect(() =>
      assertTransition(at('completed', 'done'), { status: 'active', phase: 'done', reason: 'r' }),
    ).toThrow(ConflictError);
  });

  it('approves a task in review', () => {
    expect(
      assertTransition(at('pending_review', 'done'), { status: 'completed', reason: 'approved' }),
    ).toEqual({
      status: 'completed',
      phase: 'done',
    });
  });

  it('says which move is forbidden and what is allowed', () => {
    expect(() => assertTransition(at('completed', 'done'), { status: 'running', reason: 'x' })).toThrow(
      new ConflictError(
        'task BOOK-1 cannot go from completed to running: from completed a task may only go to active, cancelled or archived',
      ),
    );
    expect(() => assertTransition(at('archived', 'done'), { status: 'active', reason: 'x' })).toThrow(
      'task BOOK-1 cannot go from archived to active: archived is final',
    );
    expect(() => assertTransition(at('active', 'pending'), { status: 'completed', reason: 'x' })).toThrow(
      ConflictError,
    );
    expect(() => assertTransition(at('running', 'test'), { phase: 'done', reason: 'x' })).toThrow(
      'task BOOK-1 cannot be running in phase done: running requires phase implement, test, use or verify',
    );
  });

  it('lets any non-archived task be cancelled and any task be archived', () => {
    for (const status of TASK_STATUSES) {
      const task = at(status, STATUS_PHASES[status][0] as TaskPhase);
      if (status !== 'archived')
        expect(assertTransition(task, { status: 'cancelled', reason: 'x' }).status).toBe('cancelled');
      expect(assertTransition(task, { status: 'archived', reason: 'x' }).status).toBe('archived');
    }
    // A running task cancelled mid-phase comes to rest.
    expect(assertTransition(at('running', 'use'), { status: 'cancelled', reason: 'x' }).phase).toBe(
      'pending',
    );
  });

  it('returns the current state for a request that changes nothing', () => {
    expect(assertTransition(at('running', 'test'), { reason: 'nothing' })).toEqual({
      status: 'running',
      phase: 'test',
    });
  });

  it('never yields a state that breaks the invariants (property)', () => {
    const statuses = fc.constantFrom(...TASK_STATUSES);
    const phases = fc.constantFrom(...TASK_PHASES);
    const validStart = statuses.chain((s) => fc.tuple(fc.constant(s), fc.constantFrom(...STATUS_PHASES[s])));
    fc.assert(
      fc.property(
        validStart,
        fc.option(statuses, { nil: undefined }),
        fc.option(phases, { nil: undefined }),
        ([s, p], to, phase) => {
          let result: { status: TaskStatus; phase: TaskPhase };
          try {
            result = assertTransition(at(s, p), { status: to, phase, reason: 'prop' });
          } catch (error) {
            expect(error).toBeInstanceOf(ConflictError);
            return;
          }
          const running = result.status === 'running';
          expect(running).toBe((ITUV_PHASES as readonly string[]).includes(result.phase));
          if (result.status === 'completed' || result.status === 'pending_review')
            expect(result.phase).toBe('done');
          if (result.status === 'active' && s !== 'active') expect(result.phase).toBe('pending');
          if (result.status !== s) expect(STATUS_MOVES[s]).toContain(result.status);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('clearsStale', () => {
  it('clears on reopen and on a fresh verification, not on approval', () => {
    expect(clearsStale('completed', 'active')).toBe(true);
    expect(clearsStale('running', 'completed')).toBe(true);
    expect(clearsStale('pending_review', 'completed')).toBe(false);
    expect(clearsStale('completed', 'archived')).toBe(false);
  });
});

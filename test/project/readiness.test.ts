// evaluateDependency under each policy (completion_required, review_ready_ok, artifact_ready), the
// one-sentence blocker for each waiting state, and upstreams whose work will not arrive.
import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/project/model.js';
import { evaluateDependency } from '../../src/project/readiness.js';
import { dependsOn, makeTask } from './task-factory.js';

const downstream = makeTask({ blueprint_id: 'BOOK-9' });
const upstream = (overrides: Partial<Task>): Task => makeTask({ blueprint_id: 'BOOK-1', ...overrides });
const none: ReadonlySet<string> = new Set();

describe('evaluateDependency', () => {
  describe('completion_required', () => {
    it('is satisfied by a completed upstream', () => {
      const up = upstream({ status: 'completed', phase: 'done' });
      expect(evaluateDependency(up, dependsOn(downstream, up), none)).toBeNull();
    });

    it('blocks on an upstream in review, naming its state and what is needed', () => {
      const up = upstream({ status: 'pending_review', phase: 'done' });
      expect(evaluateDependency(up, dependsOn(downstream, up), none)).toEqual({
        task_id: up.id,
        blueprint_id: 'BOOK-1',
        policy: 'completion_required',
        reason: 'BOOK-1 is pending_review (phase done); needs completed',
        kind: 'dependency',
      });
    });

    it('blocks on an active upstream', () => {
      const up = upstream({});
      expect(evaluateDependency(up, dependsOn(downstream, up), none)?.reason).toBe(
        'BOOK-1 is active (phase pending); needs completed',
      );
    });
  });

  it('words every status, phase and need of a waiting upstream on its own, in any order of calls', () => {
    // The text after the id is built once per (need, status, phase): a mix-up would show here.
    const cases: [Partial<Task>, 'completion_required' | 'review_ready_ok', string][] = [
      [
        { status: 'running', phase: 'use' },
        'review_ready_ok',
        'is running (phase use); needs pending_review or completed',
      ],
      [{ status: 'running', phase: 'use' }, 'completion_required', 'is running (phase use); needs completed'],
      [
        { status: 'running', phase: 'test' },
        'completion_required',
        'is running (phase test); needs completed',
      ],
      [{ status: 'active', phase: 'test' }, 'completion_required', 'is active (phase test); needs completed'],
      [
        { status: 'active', phase: 'pending' },
        'review_ready_ok',
        'is active (phase pending); needs pending_review or completed',
      ],
    ];
    for (const round of [1, 2]) {
      for (const [state, policy, text] of round === 1 ? cases : [...cases].reverse()) {
        const up = makeTask({ blueprint_id: `UP-${round}`, ...state });
        expect(evaluateDependency(up, dependsOn(downstream, up, policy), none)?.reason).toBe(
          `UP-${round} ${text}`,
        );
      }
    }
  });

  describe('review_ready_ok', () => {
    it('is satisfied by an upstream in review or completed', () => {
      for (const status of ['pending_review', 'completed'] as const) {
        const up = upstream({ status, phase: 'done' });
        expect(evaluateDependency(up, dependsOn(downstream, up, 'review_ready_ok'), none)).toBeNull();
      }
    });

    it('blocks on an upstream still running', () => {
      const up = upstream({ status: 'running', phase: 'test' });
      const blocker = evaluateDependency(up, dependsOn(downstream, up, 'review_ready_ok'), none);
      expect(blocker?.policy).toBe('review_ready_ok');
      expect(blocker?.reason).toBe('BOOK-1 is running (phase test); needs pending_review or completed');
    });
  });

  describe('artifact_ready', () => {
    it('is satisfied once the upstream recorded the artifact, whatever its status', () => {
      const up = upstream({ status: 'running', phase: 'use' });
      const dep = dependsOn(downstream, up, 'artifact_ready', 'openapi');
      expect(evaluateDependency(up, dep, new Set(['openapi', 'other']))).toBeNull();
    });

    it('blocks while the artifact is missing, naming the key', () => {
      const up = upstream({ status: 'completed', phase: 'done' });
      const dep = dependsOn(downstream, up, 'artifact_ready', 'openapi');
      expect(evaluateDependency(up, dep, new Set(['schema']))?.reason).toBe(
        'BOOK-1 has not recorded artifact "openapi"',
      );
    });

    it('blocks a dependency that names no artifact key', () => {
      const up = upstream({ status: 'completed', phase: 'done' });
      const dep = dependsOn(downstream, up, 'artifact_ready', null);
      expect(evaluateDependency(up, dep, new Set(['x']))?.reason).toBe(
        'the artifact_ready dependency on BOOK-1 names no artifact key',
      );
    });
  });

  describe('upstreams whose work will not arrive', () => {
    it('blocks on a cancelled upstream with the reason "blocked by cancelled <id>" under every policy', () => {
      const up = upstream({ blueprint_id: 'BOOK-2', status: 'cancelled', phase: 'pending' });
      for (const policy of ['completion_required', 'review_ready_ok', 'artifact_ready'] as const) {
        const blocker = evaluateDependency(up, dependsOn(downstream, up, policy, 'k'), new Set(['k']));
        expect(blocker?.reason).toBe('blocked by cancelled BOOK-2');
      }
    });

    it('blocks on a failed upstream', () => {
      const up = upstream({ blueprint_id: 'BOOK-2', status: 'failed', phase: 'blocked' });
      const dep = dependsOn(downstream, up, 'artifact_ready', 'k');
      expect(evaluateDependency(up, dep, new Set(['k']))?.reason).toBe('BOOK-2 failed');
    });

    it('blocks on an orphaned upstream even when it was completed', () => {
      const up = upstream({ blueprint_id: 'BOOK-2', status: 'completed', phase: 'done', orphaned: true });
      expect(evaluateDependency(up, dependsOn(downstream, up), none)?.reason).toBe(
        'BOOK-2 was removed from the blueprint',
      );
    });
  });
});

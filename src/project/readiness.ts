// Whether one dependency is satisfied (DESIGN §4), and if not, a blocker that says why in one sentence.
import type { Blocker } from '../contracts/views.js';
import type { Dependency, TaskPhase, TaskStatus } from './model.js';
import type { FrontierTask } from './store.js';

export type { Blocker, BlockerKind } from '../contracts/views.js';

/** What a verdict reads of a dependency: the frontier passes indexed edges, not Dependency rows. */
type DependencyTerms = Pick<Dependency, 'policy' | 'artifact_key'>;

type Need = 'completed' | 'pending_review or completed';

// The text after the id depends only on the need, status and phase: built once per combination, as the
// frontier writes tens of thousands of these and a template literal would build each from five pieces.
const NOT_YET_TAILS: Record<Need, Map<TaskStatus, Map<TaskPhase, string>>> = {
  completed: new Map(),
  'pending_review or completed': new Map(),
};

/** "BOOK-1 is active (phase pending); needs completed". */
function notYet(task: FrontierTask, needs: Need): string {
  const byStatus = NOT_YET_TAILS[needs];
  let byPhase = byStatus.get(task.status);
  if (byPhase === undefined) byStatus.set(task.status, (byPhase = new Map()));
  let tail = byPhase.get(task.phase);
  if (tail === undefined)
    byPhase.set(task.phase, (tail = ` is ${task.status} (phase ${task.phase}); needs ${needs}`));
  return task.blueprint_id + tail;
}

/**
 * Null when `dep` is satisfied by `upstream`, else the blocker. `artifactKeys` holds the keys of the
 * valid artifacts `upstream` has recorded (only read for artifact_ready).
 */
export function evaluateDependency(
  upstream: FrontierTask,
  dep: DependencyTerms,
  artifactKeys: ReadonlySet<string>,
): Blocker | null {
  const reason = unmetReason(upstream, dep, artifactKeys);
  if (reason === null) return null;
  return {
    task_id: upstream.id,
    blueprint_id: upstream.blueprint_id,
    policy: dep.policy,
    reason,
    kind: 'dependency',
  };
}

/** Why `dep` is not satisfied by `upstream`, or null when it is. */
function unmetReason(
  upstream: FrontierTask,
  dep: DependencyTerms,
  artifactKeys: ReadonlySet<string>,
): string | null {
  const id = upstream.blueprint_id;
  // A removed, cancelled or failed upstream blocks whatever the policy: its work will not arrive.
  if (upstream.orphaned) return `${id} was removed from the blueprint`;
  if (upstream.status === 'cancelled') return `blocked by cancelled ${id}`;
  if (upstream.status === 'failed') return `${id} failed`;

  switch (dep.policy) {
    case 'completion_required':
      return upstream.status === 'completed' ? null : notYet(upstream, 'completed');
    case 'review_ready_ok': {
      const ok =
        upstream.phase === 'done' &&
        (upstream.status === 'pending_review' || upstream.status === 'completed');
      return ok ? null : notYet(upstream, 'pending_review or completed');
    }
    case 'artifact_ready':
      if (dep.artifact_key === null || dep.artifact_key === '') {
        return `the artifact_ready dependency on ${id} names no artifact key`;
      }
      return artifactKeys.has(dep.artifact_key)
        ? null
        : `${id} has not recorded artifact "${dep.artifact_key}"`;
  }
}

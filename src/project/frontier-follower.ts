// A project's frontier followed through the event log (issue 12: after each completion Run Mode
// recomputes only what changed). The graph is read from the store once; after that each call reads
// the events written since, re-reads by id only the tasks they name, and lets the IncrementalFrontier
// judge those tasks and their dependents again. What changes the graph itself (a sync, a new task, a
// dependency edit) reads it whole again, and so does `explain`, which the scheduler asks before it
// declares itself idle: a missed change can delay a dispatch, never end a run early.
import type { PenguinConfig } from '../config/schema.js';
import type { Frontier } from '../contracts/views.js';
import { EVENT_TYPES, type EventType } from '../contracts/event.js';
import { IncrementalFrontier, type ReadyFrontier } from './incremental-frontier.js';
import { resolveProject } from './resolve.js';
import type { Store } from './store.js';

export type { ReadyFrontier } from './incremental-frontier.js';

/** What Run Mode asks of a project's frontier. */
export interface FrontierFeed {
  /** The ready list, in pick order and capped, with what moved since the last call judged again. */
  ready(): Promise<ReadyFrontier>;
  /** The whole frontier read afresh from the store, every blocked task explained. */
  explain(): Promise<Frontier>;
}

/** Events after which the graph is read whole: they add tasks or change edges or many rows at once. */
const RELOADS: ReadonlySet<EventType> = new Set<EventType>([
  'blueprint.synced',
  'task.created',
  'dependency.added',
  'dependency.removed',
]);

/** Events that name a task whose row (status, phase) or recorded artifacts may have changed. */
const MOVES: ReadonlySet<EventType> = new Set(
  EVENT_TYPES.filter((type) => type.startsWith('task.') || type.startsWith('workflow.')),
);

/**
 * What is read of the log: the rest (agent output, heartbeats, the scheduler's own events) is
 * skipped by the store's query, so a chatty agent costs the loop nothing.
 */
const FOLLOWED: readonly EventType[] = [...new Set([...RELOADS, ...MOVES])];

/** Past this many events since the last look, reading the graph whole is the cheaper way. */
const MAX_EVENTS = 2_000;
const PAGE = 500;

interface Followed {
  projectId: string;
  frontier: IncrementalFrontier;
  /** The events up to this seq are in `frontier`. */
  cursor: number;
}

export function followProjectFrontier(
  store: Store,
  scheduler: Pick<PenguinConfig['scheduler'], 'tie_breakers' | 'on_failure' | 'max_frontier'>,
  projectKey: string | undefined,
  artifactKeys?: (taskId: string) => Promise<ReadonlySet<string>>,
): FrontierFeed & { readonly reads: { whole: number; byId: number } } {
  const rules = {
    tieBreakers: scheduler.tie_breakers,
    onFailure: scheduler.on_failure,
    maxFrontier: scheduler.max_frontier,
  };
  const reads = { whole: 0, byId: 0 };
  let followed: Followed | null = null;

  const load = async (): Promise<Followed> => {
    reads.whole++;
    // The seq first: an event written after it is read again next time, never lost.
    const { projectId, cursor, graph } = await store.read(async (reader) => {
      const project = await resolveProject(reader, projectKey);
      const seq = await reader.events.lastSeq();
      return { projectId: project.id, cursor: seq, graph: await reader.tasks.frontierGraph(project.id) };
    });
    return { projectId, cursor, frontier: new IncrementalFrontier(graph, rules) };
  };

  /** Brings `state` up to the log's end; null when the graph must be read whole. */
  const catchUp = async (state: Followed): Promise<Followed | null> => {
    const moved = new Set<string>();
    let cursor = state.cursor;
    for (let seen = 0; ;) {
      const page = await store.events.readPage(cursor, { types: FOLLOWED }, PAGE);
      for (const event of page.events) {
        if (event.project_id !== undefined && event.project_id !== state.projectId) continue;
        if (RELOADS.has(event.type)) return null;
        if (event.task_id !== undefined && MOVES.has(event.type) && state.frontier.has(event.task_id)) {
          moved.add(event.task_id);
        }
      }
      cursor = page.cursor;
      seen += page.events.length;
      if (page.events.length < PAGE) break;
      if (seen >= MAX_EVENTS) return null;
    }
    if (moved.size > 0) {
      reads.byId++;
      state.frontier.apply(await store.tasks.frontierTasksById([...moved]));
    }
    state.cursor = cursor;
    return state;
  };

  const keysFor = async (upstreams: readonly string[]): Promise<(id: string) => ReadonlySet<string>> => {
    const keys = new Map<string, ReadonlySet<string>>();
    if (artifactKeys) for (const id of upstreams) keys.set(id, await artifactKeys(id));
    const none: ReadonlySet<string> = new Set();
    return (id) => keys.get(id) ?? none;
  };

  return {
    reads,
    async ready() {
      followed = (followed && (await catchUp(followed))) ?? (await load());
      const { frontier } = followed;
      return frontier.ready(await keysFor(frontier.artifactUpstreams()));
    },
    async explain() {
      followed = await load();
      const { frontier } = followed;
      return frontier.explain(await keysFor(frontier.artifactUpstreams()));
    },
  };
}

// A project's frontier kept in memory between reads (issue 12: after each completion Run Mode
// recomputes only what changed). It holds the graph the store handed over once; `apply` takes the
// rows of the tasks that moved since, and `ready` re-evaluates only those tasks and their direct
// dependents (a task's readiness reads its own row and its direct upstreams' rows, nothing further),
// by running computeFrontier on that small subgraph, so every readiness rule stays in frontier.ts.
// Two things are not local and are handled whole, in memory: holds (on_failure) reach every task
// downstream of a failed one, so a change to the set of failed tasks, or a new candidate while one
// has failed, recomputes the whole graph; and an artifact's validity can change on disk without a
// write to the store, so tasks with artifact_ready dependencies are re-evaluated every time.
import type { Frontier, ReadyTask } from '../contracts/views.js';
import { computeFrontier, groupEdges, type EdgeRows, type FrontierInput } from './frontier.js';
import type { FrontierEdges, FrontierGraph, FrontierTask } from './store.js';
import { DEPENDENCY_POLICIES } from '../contracts/blueprint.js';

/** How the frontier is ordered and capped, and what a failure holds (scheduler.*). */
export type FrontierRules = Pick<FrontierInput, 'tieBreakers' | 'onFailure' | 'maxFrontier'>;

/** The ready list alone, in pick order and capped, and how many active tasks wait. */
export interface ReadyFrontier {
  ready: ReadyTask[];
  /** Active tasks that are not ready (blocked or held). */
  blocked: number;
  /** Ready tasks left out by the cap. */
  omitted: number;
}

export type ArtifactKeys = (taskId: string) => ReadonlySet<string>;

const ARTIFACT_READY = DEPENDENCY_POLICIES.indexOf('artifact_ready');
const NO_EDGES: FrontierEdges = {
  dependent: new Int32Array(0),
  upstream: new Int32Array(0),
  policy: new Uint8Array(0),
  artifactKeys: new Map(),
  missingIds: new Map(),
};

export class IncrementalFrontier {
  private readonly tasks: FrontierTask[];
  private readonly index = new Map<string, number>();
  private readonly edges: FrontierEdges;
  /** Each task's dependencies (edges into it) and its dependents' edges (edges out of it). */
  private readonly incoming: EdgeRows;
  private readonly outgoing: EdgeRows;
  /** Active tasks with an artifact_ready dependency: re-evaluated every time. */
  private readonly watched: number[] = [];
  private readonly readySet = new Set<number>();
  private readonly held: Uint8Array;
  private readonly dirty = new Set<number>();
  /** The next `ready` recomputes the whole graph (at first, and after a change to the holds). */
  private whole = true;
  private failed = 0;
  private candidates = 0;
  /** How many tasks the last `ready` judged (the graph's size when it recomputed it whole). */
  lastJudged = 0;

  constructor(
    graph: FrontierGraph,
    private readonly rules: FrontierRules,
  ) {
    this.tasks = graph.tasks.slice();
    this.edges = graph.edges;
    const n = this.tasks.length;
    for (let i = 0; i < n; i++) this.index.set(this.tasks[i]!.id, i);
    this.incoming = groupEdges(n, this.edges.dependent);
    this.outgoing = groupEdges(n, this.edges.upstream);
    this.held = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const status = this.tasks[i]!.status;
      if (status === 'failed') this.failed++;
      if (status === 'active') this.candidates++;
      if (this.rowOf(this.incoming, i).some((e) => this.edges.policy[e] === ARTIFACT_READY)) {
        this.watched.push(i);
      }
    }
  }

  /** Whether `id` is one of the graph's tasks. */
  has(id: string): boolean {
    return this.index.has(id);
  }

  /** Takes the current rows of tasks that moved; rows of tasks not in the graph are ignored. */
  apply(rows: readonly FrontierTask[]): void {
    for (const row of rows) {
      const i = this.index.get(row.id);
      if (i === undefined) continue;
      const before = this.tasks[i]!;
      this.tasks[i] = row;
      const wasFailed = before.status === 'failed';
      const isFailed = row.status === 'failed';
      if (wasFailed !== isFailed) {
        this.failed += isFailed ? 1 : -1;
        this.whole = true;
      }
      const wasCandidate = before.status === 'active';
      const isCandidate = row.status === 'active';
      if (wasCandidate !== isCandidate) {
        this.candidates += isCandidate ? 1 : -1;
        // A new candidate may be held by a failure upstream: holds are worked out whole.
        if (isCandidate && this.failed > 0) this.whole = true;
      }
      this.dirty.add(i);
      for (const e of this.rowOf(this.outgoing, i)) this.dirty.add(this.edges.dependent[e]!);
    }
  }

  /** The upstreams whose artifact keys the next `ready` asks for (of artifact_ready edges it judges). */
  artifactUpstreams(): string[] {
    const judged = this.whole ? this.watched : [...this.dirty, ...this.watched];
    const upstreams = new Set<string>();
    for (const i of judged) {
      if (this.tasks[i]!.status !== 'active') continue;
      for (const e of this.rowOf(this.incoming, i)) {
        const u = this.edges.upstream[e]!;
        if (this.edges.policy[e] === ARTIFACT_READY && u >= 0) upstreams.add(this.tasks[u]!.id);
      }
    }
    return [...upstreams];
  }

  /** The ready list after what `apply` took: only the tasks it touched are judged again. */
  ready(artifactKeys?: ArtifactKeys): ReadyFrontier {
    if (this.whole) this.explain(artifactKeys);
    else this.judgeDirty(artifactKeys);
    const rows = [...this.readySet].sort((a, b) => a - b).map((i) => this.tasks[i]!);
    // Ready tasks with no edges between them: computeFrontier only orders and caps them.
    const ordered = computeFrontier({
      tasks: rows,
      dependencies: NO_EDGES,
      ...this.ordering(),
      explainBlocked: false,
    });
    return { ready: ordered.ready, blocked: this.candidates - rows.length, omitted: ordered.omitted };
  }

  /** The whole frontier of the graph in memory, every blocked task explained. */
  explain(artifactKeys?: ArtifactKeys): Frontier {
    const frontier = computeFrontier({
      tasks: this.tasks,
      dependencies: this.edges,
      ...(artifactKeys ? { artifactKeys } : {}),
      ...this.ordering(),
      onFailure: this.rules.onFailure ?? 'pause_dependents',
    });
    // The uncapped ready set: capped-out tasks are ready too.
    this.readySet.clear();
    this.held.fill(0);
    const blockedIds = new Set<string>();
    for (const b of frontier.blocked) {
      blockedIds.add(b.id);
      if (b.blockers.some((blocker) => blocker.kind === 'held')) this.held[this.index.get(b.id)!] = 1;
    }
    for (let i = 0; i < this.tasks.length; i++) {
      const task = this.tasks[i]!;
      if (task.status === 'active' && !blockedIds.has(task.id)) this.readySet.add(i);
    }
    this.dirty.clear();
    this.whole = false;
    this.lastJudged = this.tasks.length;
    return frontier;
  }

  private ordering(): Pick<FrontierInput, 'tieBreakers' | 'maxFrontier'> {
    return {
      ...(this.rules.tieBreakers ? { tieBreakers: this.rules.tieBreakers } : {}),
      ...(this.rules.maxFrontier !== undefined ? { maxFrontier: this.rules.maxFrontier } : {}),
    };
  }

  /**
   * Judges the touched tasks (and the watched ones) on the subgraph of them and their direct
   * upstreams; holds are as the last whole computation left them (no failure changed since).
   */
  private judgeDirty(artifactKeys?: ArtifactKeys): void {
    const judged = new Set<number>(this.dirty);
    for (const i of this.watched) judged.add(i);
    this.dirty.clear();
    this.lastJudged = judged.size;
    const sub: number[] = [];
    const position = new Map<number, number>();
    const place = (i: number): number => {
      let p = position.get(i);
      if (p === undefined) {
        p = sub.push(i) - 1;
        position.set(i, p);
      }
      return p;
    };
    const subEdges: number[] = [];
    for (const i of judged) {
      this.readySet.delete(i);
      if (this.tasks[i]!.status !== 'active') continue;
      place(i);
      for (const e of this.rowOf(this.incoming, i)) {
        const u = this.edges.upstream[e]!;
        if (u >= 0) place(u);
        subEdges.push(e);
      }
    }
    const m = subEdges.length;
    const edges = {
      dependent: new Int32Array(m),
      upstream: new Int32Array(m),
      policy: new Uint8Array(m),
      artifactKeys: new Map<number, string>(),
      missingIds: new Map<number, string>(),
    };
    for (let k = 0; k < m; k++) {
      const e = subEdges[k]!;
      const u = this.edges.upstream[e]!;
      edges.dependent[k] = position.get(this.edges.dependent[e]!)!;
      edges.upstream[k] = u >= 0 ? position.get(u)! : -1;
      edges.policy[k] = this.edges.policy[e]!;
      const key = this.edges.artifactKeys.get(e);
      if (key !== undefined) edges.artifactKeys.set(k, key);
      const missing = this.edges.missingIds.get(e);
      if (missing !== undefined) edges.missingIds.set(k, missing);
    }
    // No holds here: they are the whole computation's (this.held), kept while no failure changes.
    const frontier = computeFrontier({
      tasks: sub.map((i) => this.tasks[i]!),
      dependencies: edges,
      ...(artifactKeys ? { artifactKeys } : {}),
      onFailure: 'continue',
      explainBlocked: false,
    });
    for (const entry of frontier.ready) {
      const i = this.index.get(entry.id)!;
      // Upstreams were placed only to be read; a judged task is ready unless a failure holds it.
      if (judged.has(i) && this.held[i] === 0) this.readySet.add(i);
    }
  }

  private rowOf(rows: EdgeRows, i: number): Int32Array {
    return rows.ids.subarray(rows.start[i]!, rows.start[i + 1]!);
  }
}

// The continuous run loop (issue 12, DESIGN §4, §6): reads the project's frontier, starts an ITUV
// workflow for each task the selection picks (select.ts) through the OrchestrationClient, hosts
// workflows through the WorkflowHost until one settles, and reads the frontier again; so it runs on
// either backend. A task is taken with an atomic claim in the store first (scheduler claims), so two
// schedulers never start one task twice, and a `task ituv start` in between makes the start refused,
// never doubled. A scheduler killed and started again adopts the claims of the runs still live (the
// host recovers the runs themselves without rerunning finished phases). Ends when nothing is ready
// and nothing of the project is running (`scheduler.idle`), at the time limit, on an interrupt, or
// after a failure under `on_failure: stop`; with `watch` it waits for a blueprint change instead.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { AgentConfig, PenguinConfig } from '../config/schema.js';
import type {
  Isolation,
  RefusedTask,
  RunSummary,
  RunTaskOutcome,
  StopReason,
  WaitingTask,
} from '../contracts/runmode.js';
import type { ClaimRecord, Store, StoreTx } from '../contracts/store/index.js';
import type { Frontier, ReadyTask } from '../contracts/views.js';
import { ConflictError } from '../errors.js';
import type { EventLog } from '../events/log.js';
import type { EventDraft, EventType } from '../events/types.js';
import {
  HOSTED_STATES,
  isTerminal,
  type OrchestrationClient,
  type WorkflowHost,
  type WorkflowState,
  type WorkflowStatus,
} from '../orchestration/backend.js';
import type { FrontierFeed } from '../project/frontier-follower.js';
import { planOf } from './executor.js';
import { freeLoopbackPort } from '../ituv/port.js';
import type { HealthProbe, HealthSample } from './health.js';
import { selectDispatch, type Candidate, type RunningTask } from './select.js';
import { planWorktree, reapWorktree, removeWorktree, strayWorktrees } from './worktree.js';

export interface SchedulerOptions {
  parallelism: number;
  onFailure: PenguinConfig['scheduler']['on_failure'];
  /** Ends the loop cleanly once this much time has passed; null: no limit. */
  timeLimitMs: number | null;
  /** Keep running when nothing is ready: wait for `waitForChange`. */
  watch: boolean;
  isolation: Isolation;
  /** The branch worktrees start from and merge into (isolation worktree). */
  baseBranch: string | null;
  heartbeatMs: number;
  maxCpuPercent: number;
  maxMemoryPercent: number;
  /** How often the status of running workflows is read (runs hosted elsewhere); default 250 ms. */
  pollMs?: number;
  /** How long a claim lives without renewal (renewed about every second); default 6 s. */
  claimTtlMs?: number;
}

export interface SchedulerDeps {
  client: OrchestrationClient;
  host: WorkflowHost;
  /** For the claims and the tasks' metadata; workflows are the client's. */
  store: Pick<Store, 'claims' | 'tasks' | 'transaction'>;
  events: Pick<EventLog, 'append' | 'subscribe'>;
  project: { id: string; key: string };
  agents: readonly AgentConfig[];
  root: string;
  penguinDir: string;
  /**
   * The project's frontier, ordered and capped as the config says: `ready` after each settled run
   * (only what changed is judged again), `explain` read whole before the loop calls itself idle.
   */
  frontier: FrontierFeed;
  /** With `watch`: resolves after the blueprints changed (and were synced), or when `signal` aborts. */
  waitForChange?: (signal: AbortSignal) => Promise<void>;
  health: HealthProbe;
  /** This scheduler's id in claims; default host:pid:random. */
  owner?: string;
}

interface Tracked {
  claim: ClaimRecord;
  workflowId: string;
  blueprintId: string;
  parallelizable: boolean | null;
  state: WorkflowState;
}

/** The events after which a run no longer takes a slot. */
const SETTLING: ReadonlySet<string> = new Set([
  'workflow.completed',
  'workflow.failed',
  'workflow.cancelled',
  'workflow.waiting_input',
  'workflow.paused',
]);

export class Scheduler {
  readonly owner: string;
  private readonly mine = new Map<string, Tracked>();
  private readonly outcomes = new Map<string, RunTaskOutcome>();
  private readonly refused = new Map<string, RefusedTask>();
  private readonly lastUsed = new Map<string, number>();
  private readonly pollMs: number;
  private readonly claimTtlMs: number;
  private dispatched = 0;
  private failedStop = false;
  private lastHeartbeat = 0;
  private lastReady = '';
  private backingOff = false;
  private lastFrontier: Frontier | null = null;
  /** Ends the current wait at once (set while waitForProgress hosts). */
  private wake: (() => void) | null = null;
  private lastRenewal = 0;
  private lastAdoption = 0;
  /**
   * Runs an event said stopped running since the last look (the loop then looks at once); every
   * run is looked at each pollMs.
   */
  private readonly settling = new Set<string>();
  private lastFullSettle = 0;
  /** What selection needs of a task, read once per run (blueprint edits are synced with --watch). */
  private readonly candidates = new Map<string, Candidate>();
  /** Writes queued for the loop's next transaction (see emit). */
  private readonly deferred: ((tx: StoreTx) => Promise<unknown>)[] = [];

  constructor(
    private readonly deps: SchedulerDeps,
    private readonly options: SchedulerOptions,
  ) {
    this.owner = deps.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.pollMs = options.pollMs ?? 250;
    this.claimTtlMs = options.claimTtlMs ?? 6_000;
  }

  async run(signal?: AbortSignal): Promise<RunSummary> {
    const started = Date.now();
    const deadline = this.options.timeLimitMs === null ? null : started + this.options.timeLimitMs;
    const recovered = await this.recover();
    await this.emit({
      type: 'scheduler.started',
      data: {
        owner: this.owner,
        parallelism: this.options.parallelism,
        isolation: this.options.isolation,
        recovered,
      },
    });
    this.deps.host.run();
    // Runs hosted here report their end through the event log at once; runs hosted elsewhere are
    // seen by polling their status (waitForProgress).
    const unsubscribe = await this.deps.events.subscribe(
      (event) => {
        if (event.workflow_id !== undefined && SETTLING.has(event.type)) {
          this.settling.add(event.workflow_id);
          this.wake?.();
        }
      },
      { filter: { types: [...SETTLING] as EventType[] } },
    );
    let stopped: StopReason = 'idle';
    try {
      for (;;) {
        if (signal?.aborted) {
          stopped = 'interrupted';
          break;
        }
        if (deadline !== null && Date.now() >= deadline) {
          await this.emit({
            type: 'scheduler.time_limit_reached',
            data: { limit_sec: (this.options.timeLimitMs ?? 0) / 1000 },
          });
          stopped = 'time_limit';
          break;
        }
        await this.renewClaims();
        if (Date.now() - this.lastAdoption >= this.claimTtlMs / 3) await this.adoptExpired();
        await this.settle();
        if (this.failedStop && this.active().length === 0) {
          stopped = 'failure';
          break;
        }
        const healthy = await this.checkHealth();
        let started = 0;
        let ready: ReadyTask[] = [];
        if (!this.failedStop) {
          const frontier = await this.deps.frontier.ready();
          this.lastFrontier = null;
          ready = frontier.ready;
          await this.reportFrontier(ready, frontier.blocked);
          // Backing off holds new work while some of ours runs, never all of it: one always may.
          if (healthy || this.active().length === 0)
            started = await this.dispatchFrom(ready, healthy ? null : 1);
        }
        if (this.active().length === 0 && started === 0 && !this.failedStop) {
          const elsewhere = await this.deps.client.list({
            projectId: this.deps.project.id,
            status: [...HOSTED_STATES],
          });
          if (elsewhere.length === 0) {
            // Idle ends the loop, so the frontier is read whole first: should it differ from the one
            // kept in memory (a write that told the log nothing), the loop goes on from it instead.
            this.lastFrontier = await this.deps.frontier.explain();
            if (!sameIds(this.lastFrontier.ready, ready)) continue;
            await this.emitIdle();
            await this.flush();
            if (!this.options.watch || !this.deps.waitForChange) break;
            await this.waitForChange(signal, deadline);
            this.candidates.clear();
            continue;
          }
        }
        await this.flush();
        await this.waitForProgress(signal, deadline);
      }
    } finally {
      unsubscribe();
      // Runs still going are given back at once (the next host reruns only their open phase).
      await this.deps.host.shutdown();
    }
    await this.settle(true).catch(() => undefined);
    // The claims left (runs handed back, runs waiting for a human) expire now, so the next
    // scheduler adopts them at once instead of after the claim's lifetime.
    if (this.mine.size > 0) await this.write((tx) => tx.claims.renew(this.owner, 0));
    const summary = await this.summary(stopped, Date.now() - started);
    await this.emit({
      type: 'scheduler.stopped',
      data: {
        reason: stopped,
        completed: summary.completed.length,
        failed: summary.failed.length,
        waiting: summary.waiting.length,
      },
    });
    await this.flush();
    return summary;
  }

  // ---- claims and dispatch ---------------------------------------------------------------------

  /**
   * At start: adopts what a dead scheduler left (adoptExpired), then reaps the worktree directories
   * no claim names (left by a crash). Returns the workflow ids adopted.
   */
  private async recover(): Promise<string[]> {
    const adopted = await this.adoptExpired();
    // The directories first, the claims second: a worktree is made only after its claim, so one
    // that exists now has its claim in the list read after (another scheduler may be starting).
    const present = strayWorktrees(this.deps.penguinDir, new Set());
    const keep = new Set<string>();
    for (const claim of await this.deps.store.claims.list()) if (claim.worktree) keep.add(claim.worktree);
    for (const stray of present) if (!keep.has(stray)) await reapWorktree(this.deps.root, stray);
    return adopted;
  }

  /**
   * Takes over the claims of a scheduler that died (expired, workflow still live) and cleans up
   * after the rest: their worktrees are removed and the claims dropped. Returns the ids adopted.
   */
  private async adoptExpired(): Promise<string[]> {
    const now = Date.now();
    this.lastAdoption = now;
    const adopted: string[] = [];
    for (const claim of await this.deps.store.claims.list({ projectId: this.deps.project.id })) {
      if (this.mine.has(claim.task_id) || claim.expires_at >= now) continue;
      const status = claim.workflow_id ? await this.statusOf(claim.workflow_id) : null;
      const taken = await this.write((tx) =>
        tx.claims.adopt(claim.task_id, this.owner, now, now + this.claimTtlMs),
      );
      if (!taken) continue;
      if (status && !isTerminal(status.state)) {
        const task = await this.deps.store.tasks.get(claim.task_id);
        this.track(taken, status.id, status.blueprint_id, task?.parallelizable ?? null, status.state);
        adopted.push(status.id);
        this.dispatched++;
      } else {
        await this.cleanUp(taken, status?.state === 'completed');
      }
    }
    return adopted;
  }

  /** Renews this scheduler's claims every third of their lifetime (a write costs a commit). */
  private async renewClaims(): Promise<void> {
    if (this.mine.size === 0 || Date.now() - this.lastRenewal < this.claimTtlMs / 3) return;
    this.lastRenewal = Date.now();
    await this.write((tx) => tx.claims.renew(this.owner, Date.now() + this.claimTtlMs));
  }

  private async candidate(id: string): Promise<Candidate | null> {
    const known = this.candidates.get(id);
    if (known) return known;
    const task = await this.deps.store.tasks.get(id);
    if (!task) return null;
    const candidate: Candidate = {
      id: task.id,
      blueprint_id: task.blueprint_id,
      title: task.title,
      agent_role: task.agent_role,
      skills: task.skills,
      required_tools: task.required_tools,
      parallelizable: task.parallelizable,
      batch: task.batch,
    };
    this.candidates.set(id, candidate);
    return candidate;
  }

  private async dispatchFrom(frontier: readonly ReadyTask[], limit: number | null): Promise<number> {
    const ready: Candidate[] = [];
    for (const entry of frontier) {
      if (this.mine.has(entry.id)) continue;
      const candidate = await this.candidate(entry.id);
      if (candidate) ready.push(candidate);
    }
    const selection = selectDispatch({
      ready,
      running: this.active().map((t): RunningTask => ({
        task_id: t.claim.task_id,
        blueprint_id: t.blueprintId,
        parallelizable: t.parallelizable,
        agent_id: t.claim.agent_id,
      })),
      parallelism: Math.min(this.options.parallelism, limit ?? Number.POSITIVE_INFINITY),
      agents: this.deps.agents,
      lastUsed: this.lastUsed,
    });
    for (const { task, missing } of selection.refused) {
      if (this.refused.has(task.id)) continue;
      this.refused.set(task.id, { blueprint_id: task.blueprint_id, missing });
      await this.emit({
        type: 'scheduler.refused',
        project_id: this.deps.project.id,
        task_id: task.id,
        blueprint_id: task.blueprint_id,
        data: { missing },
      });
    }
    let started = 0;
    for (const { task, agent } of selection.dispatch) {
      if (await this.dispatch(task, agent)) {
        started++;
        if (agent) this.lastUsed.set(agent.id, this.dispatched);
      }
    }
    return started;
  }

  /**
   * Claims the task and starts its workflow in one commit (the claim is written in the start's own
   * transaction, with the writes queued for the loop): false when another scheduler holds the task or
   * a host started it first, and then nothing is written.
   */
  private async dispatch(task: Candidate, agent: AgentConfig | null): Promise<boolean> {
    const ports = new Set<number>();
    for (const t of this.mine.values()) if (t.claim.port !== null) ports.add(t.claim.port);
    const port = await freeLoopbackPort(ports);
    const plan =
      this.options.isolation === 'worktree' && this.options.baseBranch !== null
        ? planWorktree(this.deps.penguinDir, task.blueprint_id, this.options.baseBranch)
        : null;
    const now = Date.now();
    const queued: ((tx: StoreTx) => Promise<unknown>)[] = [];
    let claim: ClaimRecord | null = null;
    let id: string;
    try {
      id = await this.deps.client.startWorkflow(task.id, { origin: 'scheduler' }, async (tx, workflowId) => {
        queued.push(...this.deferred.splice(0));
        for (const op of queued) await op(tx);
        const taken = await tx.claims.claim(
          {
            task_id: task.id,
            project_id: this.deps.project.id,
            owner: this.owner,
            agent_id: agent?.id ?? null,
            port,
            worktree: plan?.worktree ?? null,
            branch: plan?.branch ?? null,
            base: plan?.base ?? null,
            claimed_at: now,
            expires_at: now + this.claimTtlMs,
          },
          now,
        );
        if (!taken) throw new ClaimTaken();
        await tx.claims.attach(task.id, this.owner, workflowId);
        await this.deps.events.append(tx, {
          type: 'scheduler.dispatched',
          project_id: this.deps.project.id,
          task_id: task.id,
          blueprint_id: task.blueprint_id,
          workflow_id: workflowId,
          ...(agent ? { agent_id: agent.id } : {}),
          data: { agent_id: agent?.id ?? null, port, worktree: plan?.worktree ?? null, batch: task.batch },
        });
        // Read only once the start resolved, that is once this was committed.
        claim = { ...taken, workflow_id: workflowId };
      });
    } catch (error) {
      // The store says whether the claim was committed: the backend may refuse the run after its
      // transaction (Temporal did not start it; the run is recorded failed), and then the claim goes.
      if ((await this.deps.store.claims.get(task.id))?.owner === this.owner) {
        await this.write((tx) => tx.claims.release(task.id, this.owner));
      } else {
        // Rolled back: the loop's queued writes go with its next commit.
        this.deferred.unshift(...queued);
      }
      // Another scheduler has the task, or someone started (or finished) it since the frontier was read.
      if (error instanceof ClaimTaken || error instanceof ConflictError) return false;
      throw error;
    }
    this.track(claim!, id, task.blueprint_id, task.parallelizable, 'pending');
    this.dispatched++;
    return true;
  }

  private track(
    claim: ClaimRecord,
    workflowId: string,
    blueprintId: string,
    parallelizable: boolean | null,
    state: WorkflowState,
  ): void {
    this.mine.set(claim.task_id, { claim, workflowId, blueprintId, parallelizable, state });
  }

  /** The tracked runs that take a slot: queued or running. */
  private active(): Tracked[] {
    return [...this.mine.values()].filter((t) => HOSTED_STATES.includes(t.state));
  }

  // ---- following the runs ----------------------------------------------------------------------

  private async statusOf(id: string): Promise<WorkflowStatus | null> {
    try {
      return await this.deps.client.getStatus(id);
    } catch {
      return null;
    }
  }

  /** Looks at every tracked run; a run that ended is recorded, its worktree and claim cleaned up. */
  private async settle(all = false): Promise<void> {
    // Runs hosted here say so through events at once; a run hosted elsewhere is found by polling.
    const full = all || Date.now() - this.lastFullSettle >= this.pollMs;
    if (full) this.lastFullSettle = Date.now();
    const named = new Set(this.settling);
    this.settling.clear();
    for (const tracked of [...this.mine.values()]) {
      if (!full && !named.has(tracked.workflowId)) continue;
      const status = await this.statusOf(tracked.workflowId);
      if (!status) continue;
      tracked.state = status.state;
      const outcome: RunTaskOutcome = {
        task_id: status.task_id,
        blueprint_id: status.blueprint_id,
        workflow_id: status.id,
        state: status.state,
        iterations: status.iteration,
        reason:
          status.state === 'completed'
            ? null
            : (status.question ?? status.last_failure ?? status.waiting_reason ?? null),
      };
      if (HOSTED_STATES.includes(status.state)) {
        this.outcomes.delete(status.task_id);
        continue;
      }
      this.outcomes.set(status.task_id, outcome);
      if (!isTerminal(status.state)) continue; // waiting for a human or paused: the claim stays
      this.mine.delete(tracked.claim.task_id);
      await this.cleanUp(tracked.claim, status.state === 'completed');
      if (status.state !== 'completed' && this.options.onFailure === 'stop') this.failedStop = true;
    }
  }

  /** After a run ended: its worktree goes (and its branch, once merged); the claim is dropped. */
  private async cleanUp(claim: ClaimRecord, merged: boolean): Promise<void> {
    const plan = planOf(claim);
    if (plan) await removeWorktree(this.deps.root, plan, merged);
    this.deferred.push((tx) => tx.claims.release(claim.task_id, this.owner));
  }

  /**
   * Hosts until a run stopped running (an event here, or a tracked run's status polled every
   * `pollMs`), about a second has passed, the deadline, or an abort.
   */
  private async waitForProgress(signal: AbortSignal | undefined, deadline: number | null): Promise<void> {
    const until = Math.min(Date.now() + 1000, deadline ?? Number.POSITIVE_INFINITY);
    const before = new Map([...this.mine.values()].map((t) => [t.workflowId, t.state]));
    if (this.settling.size > 0) return;
    // An event ends the wait through this signal at once; so does the caller's.
    const woken = new AbortController();
    const stop = (): void => woken.abort();
    this.wake = stop;
    signal?.addEventListener('abort', stop, { once: true });
    if (signal?.aborted) stop();
    try {
      await this.deps.host.runUntil(
        async () => {
          if (Date.now() >= until) return true;
          for (const [id, state] of before) {
            const status = await this.statusOf(id);
            if (status && status.state !== state) {
              this.settling.add(id);
              return true;
            }
          }
          return false;
        },
        { pollMs: this.pollMs, signal: woken.signal },
      );
    } finally {
      this.wake = null;
      signal?.removeEventListener('abort', stop);
    }
  }

  private async waitForChange(signal: AbortSignal | undefined, deadline: number | null): Promise<void> {
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    signal?.addEventListener('abort', stop, { once: true });
    const timer = deadline === null ? null : setTimeout(stop, Math.max(0, deadline - Date.now()));
    try {
      await this.deps.waitForChange?.(controller.signal);
    } finally {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
    }
  }

  // ---- health, events, summary -------------------------------------------------------------------

  /** Heartbeat when due; false while the host is above the CPU or memory limit (dispatch waits). */
  private async checkHealth(): Promise<boolean> {
    const sample: HealthSample = this.deps.health();
    if (Date.now() - this.lastHeartbeat >= this.options.heartbeatMs) {
      this.lastHeartbeat = Date.now();
      await this.emit({ type: 'heartbeat', project_id: this.deps.project.id, data: { ...sample } });
    }
    const over: string[] = [];
    if (sample.cpu_percent > this.options.maxCpuPercent)
      over.push(`CPU ${sample.cpu_percent}% > ${this.options.maxCpuPercent}%`);
    if (sample.memory_percent > this.options.maxMemoryPercent)
      over.push(`memory ${sample.memory_percent}% > ${this.options.maxMemoryPercent}%`);
    if (over.length > 0 && !this.backingOff) {
      await this.emit({
        type: 'scheduler.backoff',
        project_id: this.deps.project.id,
        data: { ...sample, reason: `dispatch waits: ${over.join(', ')}` },
      });
    }
    this.backingOff = over.length > 0;
    return over.length === 0;
  }

  private async reportFrontier(frontier: readonly ReadyTask[], blocked: number): Promise<void> {
    const ready = frontier.map((t) => t.blueprint_id);
    const key = `${ready.join(',')}|${blocked}`;
    if (key === this.lastReady) return;
    this.lastReady = key;
    await this.emit({
      type: 'scheduler.frontier',
      project_id: this.deps.project.id,
      data: { ready, blocked },
    });
  }

  private async emitIdle(): Promise<void> {
    await this.emit({
      type: 'scheduler.idle',
      project_id: this.deps.project.id,
      data: { blocked: this.lastFrontier ? waitingOf(this.lastFrontier, () => true) : [] },
    });
  }

  /**
   * Queues an event for the next write of the loop (a claim, most often), so that telling what the
   * loop does costs no commit of its own on the way from one run's end to the next run's start.
   */
  private emit(draft: EventDraft): Promise<void> {
    const event = { project_id: this.deps.project.id, ...draft };
    this.deferred.push(async (tx) => {
      await this.deps.events.append(tx, event);
    });
    return Promise.resolve();
  }

  /** One transaction of the loop: the queued writes (events, releases) first, then `fn`'s. */
  private async write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const queued = this.deferred.splice(0);
    try {
      return await this.deps.store.transaction(async (tx) => {
        for (const op of queued) await op(tx);
        return fn(tx);
      });
    } catch (error) {
      this.deferred.unshift(...queued);
      throw error;
    }
  }

  /** Commits what is queued, if anything. */
  private async flush(): Promise<void> {
    if (this.deferred.length > 0) await this.write(async () => undefined);
  }

  private async summary(stopped: StopReason, elapsedMs: number): Promise<RunSummary> {
    const outcomes = [...this.outcomes.values()];
    // Read whole at the end (idle read it just now): the summary tells what waits and why.
    const frontier =
      this.lastFrontier ?? (await this.deps.frontier.explain().catch((): Frontier | null => null));
    // Held: behind a failed task, directly (its dependency is the failed task) or further down.
    // (`continue` holds nothing: what depends on a failed task is just blocked by it.)
    const failedIds = new Set(
      this.options.onFailure === 'continue'
        ? []
        : outcomes.filter((o) => o.state === 'failed').map((o) => o.task_id),
    );
    const held = frontier
      ? waitingOf(frontier, (kind, upstream) => kind === 'held' || failedIds.has(upstream))
      : [];
    const heldIds = new Set(held.map((h) => h.blueprint_id));
    const blocked = frontier
      ? waitingOf(frontier, () => true).filter((b) => !heldIds.has(b.blueprint_id))
      : [];
    return {
      project: this.deps.project.key,
      stopped,
      elapsed_ms: elapsedMs,
      parallelism: this.options.parallelism,
      isolation: this.options.isolation,
      dispatched: this.dispatched,
      completed: outcomes.filter((o) => o.state === 'completed'),
      failed: outcomes.filter((o) => o.state === 'failed' || o.state === 'cancelled'),
      waiting: outcomes.filter((o) => o.state === 'waiting_input' || o.state === 'paused'),
      held,
      blocked,
      refused: [...this.refused.values()],
      handed_back: this.active().map((t) => t.workflowId),
    };
  }
}

/** Thrown inside a start's transaction when another scheduler holds the task: nothing is written. */
class ClaimTaken extends Error {
  constructor() {
    super('another scheduler holds the task');
  }
}

function sameIds(a: readonly ReadyTask[], b: readonly ReadyTask[]): boolean {
  return a.length === b.length && a.every((task, k) => task.id === b[k]!.id);
}

/** The frontier's blocked tasks with a blocker of a kind `keep` accepts, each with its reasons. */
export function waitingOf(
  frontier: Frontier,
  keep: (kind: Frontier['blocked'][number]['blockers'][number]['kind'], upstream: string) => boolean,
): WaitingTask[] {
  return frontier.blocked
    .filter((b) => b.blockers.some((blocker) => keep(blocker.kind, blocker.task_id)))
    .map((b) => ({ blueprint_id: b.blueprint_id, reasons: b.blockers.map((blocker) => blocker.reason) }));
}

// Which ready tasks the scheduler starts now (issue 12 item 3), in frontier order (DESIGN §4): up to
// the free slots of the parallelism; a task marked `parallelizable: false` only when nothing else
// runs, and then alone; the ready tasks of one `batch` together, once there are slots for all of
// them (up to the parallelism); each through routing (routing.ts). A task that cannot start says
// why. Pure: the same input gives the same selection, which `--dry-run` shows and the loop acts on.
import type { AgentConfig } from '../config/schema.js';
import { route, type Requirements } from './routing.js';

export interface Candidate extends Requirements {
  id: string;
  blueprint_id: string;
  title: string;
  /** null (not said) counts as parallelizable. */
  parallelizable: boolean | null;
  batch: string | null;
}

/** A task this scheduler is running. */
export interface RunningTask {
  task_id: string;
  blueprint_id: string;
  parallelizable: boolean | null;
  agent_id: string | null;
}

export interface SelectionInput {
  /** The frontier's ready tasks, in selection order. */
  ready: readonly Candidate[];
  running: readonly RunningTask[];
  parallelism: number;
  agents: readonly AgentConfig[];
  /** When each agent was last given a task (a dispatch counter), for round robin. */
  lastUsed: ReadonlyMap<string, number>;
}

export interface Dispatch {
  task: Candidate;
  agent: AgentConfig | null;
}

export interface Selection {
  dispatch: Dispatch[];
  /** Ready tasks that wait, with why. */
  waiting: { task: Candidate; reason: string }[];
  /** Ready tasks no agent can take, with what is missing. */
  refused: { task: Candidate; missing: string[] }[];
}

const alone = (t: { parallelizable: boolean | null }): boolean => t.parallelizable === false;

export function selectDispatch(input: SelectionInput): Selection {
  const { ready, running, parallelism, agents } = input;
  const dispatch: Dispatch[] = [];
  const waiting: Selection['waiting'] = [];
  const refused: Selection['refused'] = [];
  const load = new Map<string, number>();
  for (const r of running) if (r.agent_id !== null) load.set(r.agent_id, (load.get(r.agent_id) ?? 0) + 1);
  const lastUsed = new Map(input.lastUsed);
  let counter = Math.max(0, ...lastUsed.values()) + 1;
  const soloRunning = running.find(alone);
  // Once a task has to wait for slots to drain (one that runs alone, a batch), nothing behind it in
  // the order may overtake it, or it could wait forever.
  let blockedBy: string | null = soloRunning
    ? `${soloRunning.blueprint_id} runs alone (parallelizable: false)`
    : null;
  const handled = new Set<string>();
  const busy = (): number => running.length + dispatch.length;

  const routeOf = (task: Candidate): ReturnType<typeof route> =>
    route(agents, task, { running: load, lastUsed });
  const take = (task: Candidate, agent: AgentConfig | null): void => {
    dispatch.push({ task, agent });
    handled.add(task.id);
    if (agent) {
      load.set(agent.id, (load.get(agent.id) ?? 0) + 1);
      lastUsed.set(agent.id, counter++);
    }
  };

  for (const task of ready) {
    if (handled.has(task.id)) continue;
    const first = routeOf(task);
    if (first.kind === 'refused') {
      refused.push({ task, missing: first.missing });
      handled.add(task.id);
      continue;
    }
    if (blockedBy !== null) {
      waiting.push({ task, reason: `waits: ${blockedBy}` });
      continue;
    }
    if (alone(task)) {
      if (busy() > 0) {
        waiting.push({
          task,
          reason: `runs alone (parallelizable: false); waits for ${busy()} running task(s)`,
        });
        blockedBy = `${task.blueprint_id} runs alone and waits for the running tasks`;
        continue;
      }
      if (first.kind === 'busy') {
        waiting.push({ task, reason: `agents at capacity: ${first.agents.join(', ')}` });
        continue;
      }
      take(task, first.agent);
      blockedBy = `${task.blueprint_id} runs alone (parallelizable: false)`;
      continue;
    }
    if (task.batch !== null) {
      const members = ready.filter((t) => t.batch === task.batch && !handled.has(t.id) && !alone(t));
      const needed = Math.min(members.length, parallelism);
      const free = parallelism - busy();
      if (free < needed) {
        for (const m of members) {
          waiting.push({ task: m, reason: `batch ${task.batch} needs ${needed} free slot(s), ${free} free` });
          handled.add(m.id);
        }
        if (busy() > 0) blockedBy = `batch ${task.batch} waits for free slots`;
        continue;
      }
      for (const m of members) {
        const r = m === task ? first : routeOf(m);
        if (busy() < parallelism && r.kind === 'agent') take(m, r.agent);
        else if (r.kind === 'refused') {
          refused.push({ task: m, missing: r.missing });
          handled.add(m.id);
        } else {
          waiting.push({
            task: m,
            reason: r.kind === 'busy' ? `agents at capacity: ${r.agents.join(', ')}` : 'no free slot',
          });
          handled.add(m.id);
        }
      }
      continue;
    }
    if (busy() >= parallelism) {
      waiting.push({ task, reason: `no free slot (${busy()} of ${parallelism} running)` });
      continue;
    }
    if (first.kind === 'busy') {
      waiting.push({ task, reason: `agents at capacity: ${first.agents.join(', ')}` });
      continue;
    }
    take(task, first.agent);
  }
  return { dispatch, waiting, refused };
}

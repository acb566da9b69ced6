// Routing (issue 12 item 6): which configured agent may take a task. An agent covers a task when its
// role is the task's agent_role (when it names one), its skills include every skill the task asks
// for and its tools every required tool. Among the agents that cover a task and have capacity left,
// the one used longest ago wins (round robin over ties), then config order. A task no agent covers is
// refused with what is missing, never skipped silently. Pure: no I/O, the dispatch history is passed in.
import type { AgentConfig } from '../config/schema.js';

/** What a task asks of its agent (Task fields). */
export interface Requirements {
  agent_role: string | null;
  skills: readonly string[];
  required_tools: readonly string[];
}

export type Route =
  /** `agent` is null when no agents are configured: the ITUV default selection applies. */
  | { kind: 'agent'; agent: AgentConfig | null }
  /** Agents cover the task, but all of them run as many tasks as their capacity allows. */
  | { kind: 'busy'; agents: string[] }
  /** No agent covers the task; `missing` says what no agent offers, or which combination none does. */
  | { kind: 'refused'; missing: string[] };

export function covers(agent: AgentConfig, task: Requirements): boolean {
  if (task.agent_role !== null && agent.role !== task.agent_role) return false;
  if (!task.skills.every((skill) => agent.skills.includes(skill))) return false;
  return task.required_tools.every((tool) => agent.tools.includes(tool));
}

/** What is missing for a task no agent covers, as short phrases (`role reviewer`, `skill rust`). */
export function missingFor(agents: readonly AgentConfig[], task: Requirements): string[] {
  const missing: string[] = [];
  if (task.agent_role !== null && !agents.some((a) => a.role === task.agent_role))
    missing.push(`role ${task.agent_role}`);
  for (const skill of task.skills)
    if (!agents.some((a) => a.skills.includes(skill))) missing.push(`skill ${skill}`);
  for (const tool of task.required_tools)
    if (!agents.some((a) => a.tools.includes(tool))) missing.push(`tool ${tool}`);
  if (missing.length === 0) {
    // Each requirement is offered by some agent, but no one agent offers them all.
    const wanted = [
      ...(task.agent_role !== null ? [`role ${task.agent_role}`] : []),
      ...task.skills.map((s) => `skill ${s}`),
      ...task.required_tools.map((t) => `tool ${t}`),
    ];
    missing.push(`one agent with ${wanted.join(', ')}`);
  }
  return missing;
}

/** Running tasks per agent id, and when each agent was last given a task (a dispatch counter). */
export interface AgentLoad {
  running: ReadonlyMap<string, number>;
  lastUsed: ReadonlyMap<string, number>;
}

export function route(agents: readonly AgentConfig[], task: Requirements, load: AgentLoad): Route {
  if (agents.length === 0) return { kind: 'agent', agent: null };
  const eligible = agents.filter((agent) => covers(agent, task));
  if (eligible.length === 0) return { kind: 'refused', missing: missingFor(agents, task) };
  const free = eligible.filter((agent) => (load.running.get(agent.id) ?? 0) < agent.capacity);
  if (free.length === 0) return { kind: 'busy', agents: eligible.map((a) => a.id) };
  let best = free[0]!;
  for (const agent of free.slice(1)) {
    if ((load.lastUsed.get(agent.id) ?? -1) < (load.lastUsed.get(best.id) ?? -1)) best = agent;
  }
  return { kind: 'agent', agent: best };
}

// Which configured agent implements a task.
import type { Task } from '../../project/model.js';
import { DEFAULT_MANUAL_AGENT, type AgentConfig } from './types.js';

/**
 * Picks the agent for a task, first rule that matches wins:
 *  1. an agent whose role equals the task's `agent_role`;
 *  2. an agent whose skills cover every skill the task asks for (only when it asks for some);
 *  3. the first agent with role `implementer`;
 *  4. the first configured agent;
 *  5. with no agents configured, the manual agent (a human implements and resumes).
 * Capacity is not considered here: the scheduler limits concurrent runs per agent.
 */
export function selectAgent(
  agents: readonly AgentConfig[],
  task: Pick<Task, 'agent_role' | 'skills'>,
): AgentConfig {
  if (task.agent_role) {
    const byRole = agents.find((agent) => agent.role === task.agent_role);
    if (byRole) return byRole;
  }
  if (task.skills.length > 0) {
    const bySkills = agents.find((agent) => task.skills.every((skill) => agent.skills?.includes(skill)));
    if (bySkills) return bySkills;
  }
  return agents.find((agent) => agent.role === 'implementer') ?? agents[0] ?? DEFAULT_MANUAL_AGENT;
}

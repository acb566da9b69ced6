// selectAgent: which configured agent implements a task, by role, then skills, then the first
// implementer or agent, and a manual agent when none is configured.
import { describe, expect, it } from 'vitest';
import { selectAgent } from '../../../src/ituv/agents/select.js';
import type { AgentConfig } from '../../../src/ituv/agents/types.js';

const reviewer: AgentConfig = {
  id: 'reviewer',
  role: 'reviewer',
  skills: ['python'],
  kind: 'command',
  command: 'r',
};
const frontend: AgentConfig = {
  id: 'frontend',
  role: 'frontend',
  skills: ['react', 'css'],
  kind: 'command',
  command: 'f',
};
const implementer: AgentConfig = { id: 'impl', role: 'implementer', kind: 'command', command: 'i' };

describe('selectAgent', () => {
  const agents = [reviewer, frontend, implementer];

  it('prefers the agent whose role is the task agent_role', () => {
    expect(selectAgent(agents, { agent_role: 'frontend', skills: ['python'] })).toBe(frontend);
  });

  it("then one whose skills cover all the task's skills", () => {
    expect(selectAgent(agents, { agent_role: 'nobody', skills: ['css', 'react'] })).toBe(frontend);
    expect(selectAgent(agents, { agent_role: null, skills: ['python'] })).toBe(reviewer);
  });

  it('then the first implementer, then the first agent', () => {
    expect(selectAgent(agents, { agent_role: null, skills: ['react', 'python'] })).toBe(implementer);
    expect(selectAgent(agents, { agent_role: null, skills: [] })).toBe(implementer);
    expect(selectAgent([reviewer, frontend], { agent_role: null, skills: [] })).toBe(reviewer);
  });

  it('falls back to a manual agent when none is configured', () => {
    expect(selectAgent([], { agent_role: 'frontend', skills: ['css'] })).toEqual({
      id: 'manual',
      kind: 'manual',
    });
  });
});

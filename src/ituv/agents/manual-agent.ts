// The manual agent: a human implements the task, then resumes the workflow.
import type { AgentResult, ArtifactFile } from '../results.js';
import type { AgentConfig } from './types.js';

/** needs_input: the orchestration waits for a human `resume` before TEST. */
export function manualAgentResult(
  agent: AgentConfig,
  taskId = 'the task',
  artifacts: ArtifactFile[] = [],
): AgentResult {
  const question = `waiting for a human to implement ${taskId} and resume the workflow`;
  return {
    agent_id: agent.id,
    status: 'needs_input',
    summary: question,
    question,
    tokens: null,
    exit_code: null,
    changed_files: [],
    duration_ms: 0,
    artifacts,
  };
}

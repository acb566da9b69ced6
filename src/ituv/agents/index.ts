// IMPLEMENT's entry point: run the selected agent, whatever its kind.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentResult } from '../results.js';
import { runCommandAgent } from './command-agent.js';
import { manualAgentResult } from './manual-agent.js';
import type { AgentConfig, AgentRunInput } from './types.js';

export { runCommandAgent } from './command-agent.js';
export { manualAgentResult } from './manual-agent.js';
export { selectAgent } from './select.js';
export { DEFAULT_MANUAL_AGENT, type AgentConfig, type AgentRunInput } from './types.js';

export async function runAgent(agent: AgentConfig, input: AgentRunInput): Promise<AgentResult> {
  if (agent.kind === 'command') return runCommandAgent(agent, input);
  // The human implementing the task reads the same prompt a command agent would get.
  mkdirSync(input.outputDir, { recursive: true });
  const promptPath = join(input.outputDir, 'prompt.md');
  writeFileSync(promptPath, input.prompt);
  return manualAgentResult(agent, input.blueprintId, [
    { name: 'prompt.md', path: promptPath, kind: 'prompt' },
  ]);
}

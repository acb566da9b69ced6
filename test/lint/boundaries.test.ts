// The dependency direction of DESIGN §1 is a lint rule (eslint.config.js): these cases show it refuses
// an import against the direction, from a layer and from a leaf, and lets the allowed ones through.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer boundaries', () => {
  it('refuses an import of a layer to the left', async () => {
    const messages = await restrictedImports(
      'src/project/probe.ts',
      "import { listTasks } from '../app/tasks.js';\nexport const x = listTasks;\n",
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('src/project may import only blueprint and the leaves');
  });

  it('refuses it from a nested folder too', async () => {
    const messages = await restrictedImports(
      'src/orchestration/native/probe.ts',
      "import { main } from '../../cli/main.js';\nexport const x = main;\n",
    );
    expect(messages).toHaveLength(1);
  });

  it('refuses a leaf importing a layer', async () => {
    const messages = await restrictedImports(
      'src/events/probe.ts',
      "import type { Task } from '../project/model.js';\nexport type X = Task;\n",
    );
    expect(messages).toEqual([expect.stringContaining('the leaves')]);
  });

  it('allows imports to the right, of leaves and within a folder', async () => {
    const messages = await restrictedImports(
      'src/app/probe.ts',
      [
        "import { computeFrontier } from '../project/frontier.js';",
        "import { TaskSchema } from '../contracts/task.js';",
        "import { projectFrontier } from './frontier.js';",
        'export const x = [computeFrontier, TaskSchema, projectFrontier];',
        '',
      ].join('\n'),
    );
    expect(messages).toEqual([]);
  });
});

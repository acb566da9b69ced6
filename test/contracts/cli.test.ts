// Every command of the CLI has a --json schema in src/contracts/cli.ts, and every schema there names a
// real command; each converts to JSON Schema (what the HTTP API will serve as OpenAPI components).
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CliContext } from '../../src/cli/context.js';
import { loadCommandGroups } from '../../src/cli/commands/index.js';
import { buildProgram } from '../../src/cli/main.js';
import { CLI_OUTPUTS, cliOutputSchema } from '../../src/contracts/cli.js';

/** The paths of the commands that run something (leaves), e.g. `task deps add`. */
function leafPaths(command: Command, prefix: string[] = []): string[] {
  return command.commands.flatMap((sub) => {
    const path = [...prefix, sub.name()];
    return sub.commands.length === 0 ? [path.join(' ')] : leafPaths(sub, path);
  });
}

const io = { stdout: () => undefined, stderr: () => undefined, isTTY: false, cwd: process.cwd(), env: {} };
const commands = leafPaths(buildProgram(new CliContext(io), await loadCommandGroups()));

describe('the CLI contract', () => {
  it('has a --json schema for every command', () => {
    expect(commands.length).toBeGreaterThan(20);
    expect(commands.filter((path) => CLI_OUTPUTS[path] === undefined)).toEqual([]);
  });

  it('names only real commands', () => {
    expect(Object.keys(CLI_OUTPUTS).filter((path) => !commands.includes(path))).toEqual([]);
  });

  it('finds the schema of a command line by its longest command path', () => {
    expect(cliOutputSchema(['task', 'deps', 'add', 'A-1', 'A-2'])?.command).toBe('task deps add');
    expect(cliOutputSchema(['task', 'ituv', 'start', 'A-1'])?.command).toBe('task ituv start');
    expect(cliOutputSchema(['nope'])).toBeNull();
  });

  it('converts every schema to JSON Schema', () => {
    for (const [path, schema] of Object.entries(CLI_OUTPUTS)) {
      const json = z.toJSONSchema(schema, { unrepresentable: 'any' });
      // One object, or (`run continuous`: summary or --dry-run preview) a choice of objects.
      const shapes = (json.anyOf ?? [json]) as object[];
      for (const shape of shapes) expect(shape, path).toMatchObject({ type: 'object' });
    }
  });
});

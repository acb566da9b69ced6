// Start-up loads only what a command uses (issue 7 item 7), checked by what the built CLI loads, not
// by how long it takes: a module loader hook records every file the process loads, and the bundle's
// metafile says which source modules each of those files holds. Needs `npm run build`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, BIN, FIXTURES, REPO_ROOT, runCli, syncedWorkspace, tempDir } from '../e2e/run-cli.js';

interface Metafile {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
}

let dir: string;
let hooks: string;
let ws: string;

beforeAll(() => {
  assertBuilt();
  if (!existsSync(join(REPO_ROOT, 'dist', 'bundle', 'meta.json'))) {
    throw new Error('dist/bundle/meta.json is missing: run `npm run build` (npm test does)');
  }
  dir = tempDir('penguin-startup-');
  // The hooks run on their own thread: each loaded URL is appended to the file the test names.
  writeFileSync(
    join(dir, 'hooks.mjs'),
    [
      "import { appendFileSync } from 'node:fs';",
      'export async function load(url, context, next) {',
      "  appendFileSync(process.env.PENGUIN_TEST_LOADED, url + '\\n');",
      '  return next(url, context);',
      '}',
    ].join('\n'),
  );
  hooks = join(dir, 'register.mjs');
  writeFileSync(
    hooks,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`,
  );
  ws = join(dir, 'ws');
  syncedWorkspace(join(FIXTURES, 'e2e-artifact'), ws);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the built CLI and returns the source modules (repo-relative, or node_modules/<pkg>) it loaded. */
function loadedSources(
  args: string[],
  cwd: string,
): { stdout: string; sources: Set<string>; packages: Set<string> } {
  const list = join(dir, `loaded-${args.join('-')}.txt`);
  writeFileSync(list, '');
  const result = spawnSync(process.execPath, ['--import', pathToFileURL(hooks).href, BIN, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', PENGUIN_TEST_LOADED: list },
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  const meta = JSON.parse(readFileSync(join(REPO_ROOT, 'dist', 'bundle', 'meta.json'), 'utf8')) as Metafile;
  const sources = new Set<string>();
  // Packages Node loads itself (kept out of the bundle: the SQLite driver, the WebAssembly runtime).
  const packages = new Set<string>();
  for (const url of readFileSync(list, 'utf8').split('\n')) {
    const external = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (external) packages.add(external[1]!);
    const at = url.indexOf('/dist/bundle/');
    if (at < 0) continue;
    const output = meta.outputs[`dist/bundle/${url.slice(at + '/dist/bundle/'.length)}`];
    expect(output, `${url} is not in the bundle's metafile`).toBeDefined();
    for (const input of Object.keys(output!.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      sources.add(pkg ? `node_modules/${pkg[1]}` : input);
    }
  }
  return { stdout: result.stdout, sources, packages };
}

const under = (sources: Set<string>, prefix: string): string[] =>
  [...sources].filter((s) => s.startsWith(prefix));

describe('start-up', () => {
  it('answers --version from the CLI shell alone: no command group, workspace, store or schema', () => {
    const { stdout, sources, packages } = loadedSources(['--version'], dir);
    expect(stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    // The error renderer knows store errors without the SQLite driver (src/db/errors.ts).
    expect([...packages]).toEqual([]);
    expect(sources.has('src/cli/main.ts')).toBe(true);
    const folders = new Set([...sources].map((s) => s.split('/').slice(0, 2).join('/')));
    // The error renderer (src/cli/errors.ts) knows store errors by class, hence src/db.
    expect([...folders].sort()).toEqual(['node_modules/commander', 'src/cli', 'src/db', 'src/errors.ts']);
    expect(under(sources, 'src/cli/commands/')).toEqual(['src/cli/commands/index.ts']);
  });

  it('loads only the task group and what it calls for task ready: no orchestration, agents or recipes', () => {
    const { stdout, sources } = loadedSources(['task', 'ready'], ws);
    expect(stdout).toContain('EXP-1');
    // The graph library comes only for `task deps add`'s cycle check.
    expect(sources.has('node_modules/graphology'), 'graphology').toBe(false);
    expect(sources.has('src/cli/commands/task.ts')).toBe(true);
    expect(sources.has('src/project/frontier.ts')).toBe(true);
    expect(under(sources, 'src/orchestration/')).toEqual([]);
    expect(under(sources, 'src/ituv/agents/')).toEqual([]);
    expect(under(sources, 'src/ituv/recipe/')).toEqual([]);
    expect(under(sources, 'src/blueprint/markdown')).toEqual([]);
    // `task ituv` (and the ITUV run machinery behind it) is left out: `ready` is another subcommand.
    expect(under(sources, 'src/cli/commands/').sort()).toEqual([
      'src/cli/commands/index.ts',
      'src/cli/commands/shared.ts',
      'src/cli/commands/task.ts',
    ]);
    expect(under(sources, 'src/ituv/phases')).toEqual([]);
    expect(under(sources, 'src/app/workflows')).toEqual([]);
    for (const pkg of ['execa', 'mdast-util-from-markdown', 'fast-xml-parser', 'tinyglobby']) {
      expect(sources.has(`node_modules/${pkg}`), pkg).toBe(false);
    }
  });

  it('still registers every group for help and for an unknown word, so suggestions work', () => {
    const help = runCli(['--help'], { cwd: dir });
    for (const word of [
      'init',
      'status',
      'blueprint',
      'task',
      'graph',
      'workflow',
      'runmode',
      'recipe',
      'demo',
      'worker',
    ])
      expect(help.stdout).toContain(`  ${word}`);
    const typo = runCli(['tsk', 'ready'], { cwd: dir });
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('Did you mean task?');
    // `task ituv` comes from its own file: loaded for the task group's help, for itself and for a typo.
    expect(runCli(['task', '--help'], { cwd: dir }).stdout).toContain('ituv');
    expect(runCli(['task', 'ituv', '--help'], { cwd: dir }).stdout).toContain('start');
    expect(runCli(['task', 'ituvv'], { cwd: dir }).stderr).toContain('Did you mean ituv?');
    expect(runCli(['--workspace', ws, 'task', 'ready'], { cwd: dir }).stdout).toContain('EXP-1');
  });
});

// The workspace on disk: `init` creates .penguin, a starter config that loads to the defaults and
// context/specs, never overwriting a config; the root is found by walking up, like git.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import { findWorkspaceRoot, initWorkspace, workspacePaths } from '../../src/config/workspace.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'penguin-ws-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('workspace', () => {
  it('initialises .penguin, a starter config that loads to the defaults, and context/specs', () => {
    const result = initWorkspace(dir);
    expect(result.created).toBe(true);
    expect(result.paths).toMatchObject({
      root: dir,
      penguinDir: join(dir, '.penguin'),
      dbFile: join(dir, '.penguin', 'penguin.db'),
      artifactsDir: join(dir, '.penguin', 'artifacts'),
      configFile: join(dir, 'penguin.yaml'),
    });
    expect(existsSync(join(dir, 'context', 'specs'))).toBe(true);
    expect(readFileSync(join(dir, '.penguin', '.gitignore'), 'utf8')).toBe('*\n');
    expect(loadConfig(dir, {})).toEqual(DEFAULT_CONFIG);
  });

  it('is idempotent and never overwrites an existing config', () => {
    writeFileSync(join(dir, 'penguin.yml'), 'scheduler:\n  max_frontier: 3\n');
    initWorkspace(dir);
    const second = initWorkspace(dir);
    expect(second.created).toBe(false);
    expect(second.createdPaths).toEqual([]);
    expect(existsSync(join(dir, 'penguin.yaml'))).toBe(false);
    expect(second.paths.configFile).toBe(join(dir, 'penguin.yml'));
    expect(loadConfig(dir, {}).scheduler.max_frontier).toBe(3);
  });

  it('finds the root by walking up, like git', () => {
    initWorkspace(dir);
    const deep = join(dir, 'a', 'b', 'c');
    mkdirSync(deep, { recursive: true });
    expect(findWorkspaceRoot(deep)).toBe(dir);
    expect(findWorkspaceRoot(dir)).toBe(dir);
  });

  it('returns null when no directory above holds .penguin', () => {
    const lone = join(dir, 'x');
    mkdirSync(lone);
    expect(findWorkspaceRoot(lone)).toBeNull();
    expect(workspacePaths(lone).configFile).toBe(join(lone, 'penguin.yaml'));
  });

  it('ignores a .penguin that is a file, not a directory', () => {
    writeFileSync(join(dir, '.penguin'), '');
    expect(findWorkspaceRoot(dir)).toBeNull();
  });
});

// detectRunner on temp workspaces: vitest, jest, node:test, pytest and go found from dependencies,
// config files, scripts or test files, and null when nothing says which runner it is.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectRunner } from '../../../src/ituv/tests/detect.js';

const made: string[] = [];

/** A temp workspace holding `files` (path -> content). */
function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'penguin-detect-'));
  made.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

afterEach(() => {
  for (const root of made.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('detectRunner', () => {
  it('finds vitest by dependency or config file', () => {
    expect(detectRunner(workspace({ 'package.json': '{"devDependencies":{"vitest":"^3.0.0"}}' }))).toBe(
      'vitest',
    );
    expect(detectRunner(workspace({ 'package.json': '{}', 'vitest.config.ts': 'export default {}' }))).toBe(
      'vitest',
    );
  });

  it('finds jest by dependency, package.json key or config file', () => {
    expect(detectRunner(workspace({ 'package.json': '{"devDependencies":{"jest":"^29.0.0"}}' }))).toBe(
      'jest',
    );
    expect(detectRunner(workspace({ 'package.json': '{"jest":{"testEnvironment":"node"}}' }))).toBe('jest');
    expect(detectRunner(workspace({ 'jest.config.js': 'module.exports = {}' }))).toBe('jest');
  });

  it('finds node:test by test script or by test files importing node:test', () => {
    expect(detectRunner(workspace({ 'package.json': '{"scripts":{"test":"node --test"}}' }))).toBe(
      'node:test',
    );
    expect(
      detectRunner(
        workspace({ 'package.json': '{"scripts":{"test":"node --experimental-x --test test/"}}' }),
      ),
    ).toBe('node:test');
    expect(detectRunner(workspace({ 'test/a.test.mjs': "import { test } from 'node:test';\n" }))).toBe(
      'node:test',
    );
    // A test file that does not use node:test says nothing.
    expect(detectRunner(workspace({ 'test/a.test.js': "describe('x', () => {});\n" }))).toBeNull();
  });

  it('finds pytest by config or test files, and go by go.mod', () => {
    expect(detectRunner(workspace({ 'pytest.ini': '[pytest]\n' }))).toBe('pytest');
    expect(detectRunner(workspace({ 'conftest.py': '' }))).toBe('pytest');
    expect(detectRunner(workspace({ 'pyproject.toml': '[tool.pytest.ini_options]\n' }))).toBe('pytest');
    expect(detectRunner(workspace({ 'tests/test_books.py': 'def test_x(): pass\n' }))).toBe('pytest');
    expect(detectRunner(workspace({ 'go.mod': 'module example.com/x\n' }))).toBe('go');
  });

  it('returns null for an empty workspace or an unreadable package.json', () => {
    expect(detectRunner(workspace({}))).toBeNull();
    expect(detectRunner(workspace({ 'package.json': '{not json' }))).toBeNull();
  });
});

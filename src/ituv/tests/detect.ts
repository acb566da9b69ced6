// Which test runner a workspace uses when `test_runner.command` is not configured.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { globSync } from 'tinyglobby';
import { z } from 'zod';

export const RUNNER_KINDS = ['vitest', 'jest', 'node:test', 'pytest', 'go'] as const;
export type RunnerKind = (typeof RUNNER_KINDS)[number];

/** Only the parts of package.json detection reads; anything else may be there. */
const packageJsonSchema = z.object({
  dependencies: z.record(z.string(), z.unknown()).optional(),
  devDependencies: z.record(z.string(), z.unknown()).optional(),
  scripts: z.record(z.string(), z.unknown()).optional(),
  jest: z.unknown().optional(),
});
type PackageJson = z.infer<typeof packageJsonSchema>;

const IGNORED = ['**/node_modules/**', '**/.git/**', '**/.penguin/**', '**/.venv/**', '**/venv/**'];
/** Test-file scans stop this deep: tests live near the top of a project. */
const SCAN_DEPTH = 4;

/**
 * Explicit signals first (dependencies, config files, the test script), then test files on disk:
 * vitest, jest, node:test (by script), pytest (by config), go, then node:test and pytest by files.
 */
export function detectRunner(workspaceRoot: string): RunnerKind | null {
  const pkg = readPackageJson(workspaceRoot);
  const has = (name: string): boolean => Boolean(pkg?.dependencies?.[name] ?? pkg?.devDependencies?.[name]);
  const exists = (name: string): boolean => existsSync(join(workspaceRoot, name));
  const configFile = (tool: string): boolean =>
    globSync([`${tool}.config.{js,mjs,cjs,ts,mts,cts,json}`], { cwd: workspaceRoot }).length > 0;

  if (pkg && has('vitest')) return 'vitest';
  if (configFile('vitest')) return 'vitest';
  if ((pkg && (has('jest') || pkg.jest !== undefined)) || configFile('jest')) return 'jest';
  const testScript = pkg?.scripts?.['test'];
  if (typeof testScript === 'string' && /\bnode\b[^&|;]*\s--test\b/.test(testScript)) return 'node:test';
  if (['pytest.ini', 'conftest.py', 'pyproject.toml', 'setup.cfg', 'tox.ini'].some(exists)) {
    if (exists('pytest.ini') || exists('conftest.py') || mentionsPytest(workspaceRoot)) return 'pytest';
  }
  if (exists('go.mod')) return 'go';
  if (hasNodeTestFiles(workspaceRoot)) return 'node:test';
  if (scan(workspaceRoot, ['**/test_*.py', '**/*_test.py']).length > 0) return 'pytest';
  return null;
}

function readPackageJson(root: string): PackageJson | null {
  try {
    const parsed = packageJsonSchema.safeParse(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** pyproject.toml / setup.cfg / tox.ini count only when they configure or require pytest. */
function mentionsPytest(root: string): boolean {
  return ['pyproject.toml', 'setup.cfg', 'tox.ini'].some((name) => {
    try {
      return readFileSync(join(root, name), 'utf8').includes('pytest');
    } catch {
      return false;
    }
  });
}

function hasNodeTestFiles(root: string): boolean {
  const files = scan(root, ['**/*.test.{mjs,cjs,js}', '**/test/**/*.{mjs,cjs,js}']);
  return files.some((file) => {
    try {
      return /from\s+['"]node:test['"]|require\(\s*['"]node:test['"]\s*\)/.test(
        readFileSync(join(root, file), 'utf8'),
      );
    } catch {
      return false;
    }
  });
}

function scan(root: string, patterns: string[]): string[] {
  return globSync(patterns, { cwd: root, ignore: IGNORED, deep: SCAN_DEPTH, onlyFiles: true });
}

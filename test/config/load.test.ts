// loadConfig over a temp penguin.yaml: defaults, merging, PENGUIN_<SECTION>_<KEY> overrides, and every
// bad input (wrong types, unknown keys, YAML errors, alias bombs, huge or deep files) as a UsageError
// naming the file, line and key or the variable.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import { UsageError } from '../../src/errors.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'penguin-config-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function write(text: string, name = 'penguin.yaml'): void {
  writeFileSync(join(root, name), text);
}

function errorOf(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('loadConfig', () => {
  it('returns the defaults when there is no config file', () => {
    expect(loadConfig(root, {})).toEqual(DEFAULT_CONFIG);
  });

  it('returns the defaults for an empty or comment-only file', () => {
    write('# nothing here\n');
    expect(loadConfig(root, {})).toEqual(DEFAULT_CONFIG);
  });

  it('merges file values over the defaults, section by section', () => {
    write('scheduler:\n  ready_parallelism: 4\norchestration:\n  temporal:\n    namespace: team\n');
    const config = loadConfig(root, {});
    expect(config.scheduler.ready_parallelism).toBe(4);
    expect(config.scheduler.max_frontier).toBe(20);
    expect(config.orchestration.temporal).toEqual({
      address: 'localhost:7233',
      namespace: 'team',
      task_queue: 'penguin-ituv',
      auto_start: true,
    });
  });

  it('reads penguin.yml when there is no penguin.yaml', () => {
    write('verification:\n  strict: false\n', 'penguin.yml');
    expect(loadConfig(root, {}).verification.strict).toBe(false);
  });

  it('applies PENGUIN_<SECTION>_<KEY> environment overrides over the file', () => {
    write('scheduler:\n  ready_parallelism: 4\n');
    const config = loadConfig(root, {
      PENGUIN_ORCHESTRATION_BACKEND: 'temporal',
      PENGUIN_SCHEDULER_READY_PARALLELISM: '2',
      PENGUIN_ORCHESTRATION_TEMPORAL_ADDRESS: 'temporal.internal:7233',
      PENGUIN_SCHEDULER_TIE_BREAKERS: '[risk_asc, value_desc]',
      PENGUIN_VERIFICATION_STRICT: 'false',
      PENGUIN_RUNMODE_ITUV_PHASE_TIMEBOX_SEC_TEST: '30',
      PENGUIN_API_TOKEN: 'not config, ignored',
    });
    expect(config.orchestration.backend).toBe('temporal');
    expect(config.scheduler.ready_parallelism).toBe(2);
    expect(config.orchestration.temporal.address).toBe('temporal.internal:7233');
    expect(config.scheduler.tie_breakers).toEqual(['risk_asc', 'value_desc']);
    expect(config.verification.strict).toBe(false);
    expect(config.runmode.ituv.phase_timebox_sec.test).toBe(30);
  });

  it('names the variable for a bad environment value', () => {
    const error = errorOf(() => loadConfig(root, { PENGUIN_ORCHESTRATION_BACKEND: 'kubernetes' }));
    expect(error.message).toBe(
      'environment variable PENGUIN_ORCHESTRATION_BACKEND: orchestration.backend must be one of native, temporal (got "kubernetes")',
    );
  });

  it('names file, line and key for a bad value', () => {
    write(
      [
        '# config',
        'blueprints:',
        '  default_dir: specs',
        '',
        'scheduler:',
        '  on_failure: stop',
        '  ready_parallelism: 0',
        '',
      ].join('\n'),
    );
    expect(errorOf(() => loadConfig(root, {})).message).toBe(
      `${join(root, 'penguin.yaml')}:7: scheduler.ready_parallelism must be a positive integer (got 0)`,
    );
  });

  it('names the path of a bad value inside a list', () => {
    write('agents:\n  - id: one\n    command: a.sh\n  - id: two\n    kind: robot\n');
    expect(errorOf(() => loadConfig(root, {})).message).toMatch(
      /penguin\.yaml:5: agents\[1\]\.kind must be one of command, manual \(got "robot"\)$/,
    );
  });

  it('rejects an unknown key naming it, its line and the known keys', () => {
    write('scheduler:\n  max_frontier: 5\n  readyParallelism: 3\n');
    const message = errorOf(() => loadConfig(root, {})).message;
    expect(message).toMatch(
      /penguin\.yaml:3: unknown key "scheduler\.readyParallelism" \(known keys: strategy, tie_breakers, ready_parallelism/,
    );
  });

  it('rejects an unknown top-level section', () => {
    write('blueprints: {}\nschedular:\n  max_frontier: 5\n');
    expect(errorOf(() => loadConfig(root, {})).message).toMatch(/penguin\.yaml:2: unknown key "schedular"/);
  });

  it('reports YAML syntax errors with the line', () => {
    write('scheduler:\n  max_frontier: 5\n  tie_breakers: [priority_desc\nverification:\n  strict: true\n');
    const message = errorOf(() => loadConfig(root, {})).message;
    expect(message).toMatch(/penguin\.yaml:\d+: invalid YAML: /);
    expect(message).not.toContain('\n');
  });

  it('reports a duplicate key as a YAML error on its line', () => {
    write('scheduler:\n  max_frontier: 5\n  max_frontier: 6\n');
    expect(errorOf(() => loadConfig(root, {})).message).toMatch(/penguin\.yaml:3: invalid YAML: /);
  });

  it('rejects a file that is not a mapping', () => {
    write('- just\n- a list\n');
    expect(errorOf(() => loadConfig(root, {})).message).toMatch(
      /penguin\.yaml:1: the configuration must be a mapping/,
    );
  });

  it('rejects a section of the wrong type', () => {
    write('verification:\n  strict: true\nscheduler: 5\n');
    expect(errorOf(() => loadConfig(root, {})).message).toMatch(
      /penguin\.yaml:3: scheduler must be a mapping \(got 5\)/,
    );
  });

  it('refuses a YAML alias bomb with the file named, instead of an internal error', () => {
    const levels = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]'];
    for (const [prev, next] of [
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'd'],
      ['d', 'e'],
      ['e', 'f'],
      ['f', 'g'],
    ]) {
      levels.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    write(`${levels.join('\n')}\n`);
    expect(errorOf(() => loadConfig(root, {})).message).toBe(
      `${join(root, 'penguin.yaml')}: invalid YAML: its aliases expand too far (more than 100 alias uses)`,
    );
  });

  it('refuses a file over 1 MiB before reading it', () => {
    write(`# ${'x'.repeat(40 * 1024 * 1024)}\n`);
    // Before: read and parsed whole (97 s, 2.9 GB); now refused from its size alone.
    expect(errorOf(() => loadConfig(root, {})).message).toBe(
      `${join(root, 'penguin.yaml')} is 40.0 MiB; the configuration is limited to 1 MiB`,
    );
  });

  it('refuses YAML nested too deeply with the file and line', () => {
    write(`scheduler: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`);
    expect(errorOf(() => loadConfig(root, {})).message).toBe(
      `${join(root, 'penguin.yaml')}:1: invalid YAML: it is nested too deeply`,
    );
  });
});

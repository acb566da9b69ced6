// The config schema's defaults as DESIGN §2 documents them, frozen so no caller changes one for all,
// its tie-breaker and failure-policy lists held equal to the frontier's, and the agent defaults.
import { describe, expect, it } from 'vitest';
import {
  CONFIG_ON_FAILURE,
  CONFIG_TIE_BREAKERS,
  DEFAULT_CONFIG,
  penguinConfigSchema,
} from '../../src/config/schema.js';
import { ON_FAILURE_POLICIES, TIE_BREAKERS } from '../../src/project/frontier.js';

describe('config schema defaults (DESIGN §2)', () => {
  it('fills every documented default', () => {
    expect(DEFAULT_CONFIG.blueprints).toEqual({
      sources: ['context/specs/**/*.{md,yaml,yml,json}'],
      formats: ['markdown', 'yaml', 'json'],
      default_dir: 'context/specs',
      auto_create_tasks: true,
      test_mapping: { strategy: 'auto', patterns: [] },
      follow_symlinks: false,
    });
    expect(DEFAULT_CONFIG.usage_runner).toEqual({
      enabled: true,
      sandbox: false,
      network: true,
      timeout_sec: 120,
      allow_commands: [],
      pass_env: [],
      base_url: null,
    });
    expect(DEFAULT_CONFIG.runmode.ituv).toEqual({
      enabled: true,
      phase_timebox_sec: { implement: 600, test: 300, use: 180, verify: 120 },
      max_iterations: 3,
    });
    expect(DEFAULT_CONFIG.scheduler).toEqual({
      strategy: 'frontier',
      tie_breakers: ['priority_desc', 'due_date_asc', 'sequence', 'created_at_asc'],
      ready_parallelism: 1,
      on_failure: 'pause_dependents',
      max_frontier: 20,
      isolation: null,
    });
    expect(DEFAULT_CONFIG.runmode.watchdog).toEqual({ repeat_limit: 2 });
    expect(DEFAULT_CONFIG.runmode.health).toEqual({
      max_cpu_percent: 100,
      max_memory_percent: 100,
      heartbeat_sec: 10,
    });
    expect(DEFAULT_CONFIG.orchestration).toEqual({
      backend: 'native',
      retry: { max_attempts: 3, initial_interval_sec: 1, backoff: 2, max_interval_sec: 60 },
      temporal: {
        address: 'localhost:7233',
        namespace: 'penguin',
        task_queue: 'penguin-ituv',
        auto_start: true,
      },
    });
    expect(DEFAULT_CONFIG.verification).toEqual({
      strict: true,
      auto_approve: true,
      allow_no_tests: false,
      checks: [],
    });
    expect(DEFAULT_CONFIG.test_runner).toEqual({ command: null, junit: null });
    expect(DEFAULT_CONFIG.agents).toEqual([]);
  });

  it('is frozen so no caller can change a default for everyone', () => {
    expect(Object.isFrozen(DEFAULT_CONFIG.scheduler.tie_breakers)).toBe(true);
    expect(() => {
      (DEFAULT_CONFIG.scheduler as { max_frontier: number }).max_frontier = 5;
    }).toThrow(TypeError);
  });

  it('keeps its tie-breaker and failure-policy lists equal to the frontier ones', () => {
    expect([...CONFIG_TIE_BREAKERS]).toEqual([...TIE_BREAKERS]);
    expect([...CONFIG_ON_FAILURE]).toEqual([...ON_FAILURE_POLICIES]);
  });

  it('defaults agent fields and requires a command for command agents', () => {
    const parsed = penguinConfigSchema.parse({
      agents: [
        { id: 'a', command: 'run.sh' },
        { id: 'b', kind: 'manual' },
      ],
    });
    expect(parsed.agents[0]).toEqual({
      id: 'a',
      role: 'implementer',
      skills: [],
      tools: [],
      capacity: 1,
      kind: 'command',
      command: 'run.sh',
      fallback: null,
    });
    expect(penguinConfigSchema.safeParse({ agents: [{ id: 'a' }] }).success).toBe(false);
    expect(
      penguinConfigSchema.safeParse({
        agents: [
          { id: 'a', kind: 'manual' },
          { id: 'a', kind: 'manual' },
        ],
      }).success,
    ).toBe(false);
  });

  it('accepts a fallback only when it names another configured agent', () => {
    const agents = (fallback: string) => [
      { id: 'a', command: 'a.sh', fallback },
      { id: 'b', command: 'b.sh' },
    ];
    expect(penguinConfigSchema.parse({ agents: agents('b') }).agents[0]?.fallback).toBe('b');
    const unknown = penguinConfigSchema.safeParse({ agents: agents('c') });
    expect(unknown.success).toBe(false);
    expect(unknown.error?.issues[0]?.path).toEqual(['agents', 0, 'fallback']);
    expect(penguinConfigSchema.safeParse({ agents: agents('a') }).success).toBe(false);
  });

  it('takes usage_runner.base_url with a {{ port }} placeholder, and refuses what is not an http URL', () => {
    const url = 'http://127.0.0.1:{{ port }}/api';
    expect(penguinConfigSchema.parse({ usage_runner: { base_url: url } }).usage_runner.base_url).toBe(url);
    expect(penguinConfigSchema.safeParse({ usage_runner: { base_url: 'ftp://x' } }).success).toBe(false);
    expect(penguinConfigSchema.safeParse({ usage_runner: { base_url: 'not a url' } }).success).toBe(false);
  });

  it('takes scheduler.isolation and the run-mode health limits, refusing values out of range', () => {
    expect(penguinConfigSchema.parse({ scheduler: { isolation: 'shared' } }).scheduler.isolation).toBe(
      'shared',
    );
    expect(penguinConfigSchema.safeParse({ scheduler: { isolation: 'clone' } }).success).toBe(false);
    expect(penguinConfigSchema.safeParse({ runmode: { health: { max_cpu_percent: 120 } } }).success).toBe(
      false,
    );
    expect(penguinConfigSchema.safeParse({ runmode: { watchdog: { repeat_limit: 1 } } }).success).toBe(false);
  });
});

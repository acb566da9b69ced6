// Stored phase results are read back by phase and version, never by guessing from their fields.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  phaseResult,
  PhaseResultSchema,
  readPhaseResult,
  type VerifyResult,
} from '../../src/contracts/phase-result.js';
import {
  formatGateFailure,
  isGateFailure,
  WorkflowStatusSchema,
  type WorkflowStatus,
} from '../../src/contracts/workflow.js';

const verdict: VerifyResult = {
  passed: false,
  criteria: [{ number: 1, text: 'works', met: false, evidence: [], reason: 'no test named AC1' }],
  gates: [{ name: 'check:lint', passed: false, detail: 'lint failed', enforced: false }],
  failures: ['AC1 (works) has no evidence: no test named AC1'],
};

describe('readPhaseResult', () => {
  it('reads the versioned envelope of its phase', () => {
    const stored: unknown = JSON.parse(JSON.stringify(phaseResult('verify', verdict)));
    expect(stored).toMatchObject({ phase: 'verify', version: 1 });
    expect(readPhaseResult('verify', stored)).toEqual(verdict);
  });

  it('reads a bare result stored before results were versioned', () => {
    expect(readPhaseResult('verify', JSON.parse(JSON.stringify(verdict)))).toEqual(verdict);
    expect(readPhaseResult('use', { skipped: 'no recipe' })).toEqual({ skipped: 'no recipe' });
  });

  it('gives null for another phase, another version or a foreign value, and drops unknown fields', () => {
    expect(readPhaseResult('test', phaseResult('verify', verdict))).toBeNull();
    expect(readPhaseResult('verify', { ...phaseResult('verify', verdict), version: 2 })).toBeNull();
    expect(readPhaseResult('verify', { key: 'wf-1:verify:1:1' })).toBeNull();
    expect(readPhaseResult('verify', null)).toBeNull();
    expect(readPhaseResult('verify', undefined)).toBeNull();
    expect(readPhaseResult('verify', { ...verdict, extra: 1 })).toEqual(verdict);
  });

  it('has a JSON Schema for the HTTP API', () => {
    const schema = z.toJSONSchema(PhaseResultSchema) as { oneOf?: unknown[]; anyOf?: unknown[] };
    expect((schema.oneOf ?? schema.anyOf)?.length).toBe(4);
  });
});

describe('workflow contracts', () => {
  it('write and recognise a gate failure among feedback entries', () => {
    const entry = formatGateFailure('test', 2, '2 of 2 tests failed');
    expect(entry).toBe('TEST failed (iteration 2): 2 of 2 tests failed');
    expect(isGateFailure(entry)).toBe(true);
    expect(isGateFailure('please use port 8080')).toBe(false);
    expect(isGateFailure('the TEST failed (iteration 2) because ...')).toBe(false);
  });

  it('accept a workflow status and refuse one with an unknown state', () => {
    const status: WorkflowStatus = {
      id: 'wf-1',
      task_id: 't-1',
      blueprint_id: 'BOOK-1',
      project_id: 'p-1',
      state: 'waiting_input',
      phase: 'implement',
      iteration: 3,
      attempt: 1,
      progress: 25,
      waiting_reason: 'clarification_needed',
      question: null,
      last_failure: 'TEST failed (iteration 3): red',
      started_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:01.000Z',
      finished_at: null,
      owner: null,
      phases: [
        {
          phase: 'verify',
          iteration: 3,
          attempt: 0,
          outcome: 'gate_failed',
          summary: 'AC2 has no evidence',
          started_at: '2026-01-01T00:00:00.000Z',
          finished_at: '2026-01-01T00:00:00.000Z',
        },
      ],
    };
    expect(WorkflowStatusSchema.parse(status)).toEqual(status);
    expect(WorkflowStatusSchema.safeParse({ ...status, state: 'sleeping' }).success).toBe(false);
  });
});

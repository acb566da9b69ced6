// orchestration-002 on a database written by the previous version: a live run gets the machine's
// attempt_state from its steps, so a run left mid-phase by an old host is recovered as before.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/database.js';
import { migrate } from '../../../src/db/migrations.js';
import { orchestrationMigrations } from '../../../src/orchestration/native/migrations.js';
import { runState, WorkflowRepository } from '../../../src/orchestration/native/repository.js';

describe('orchestration-002', () => {
  it('derives attempt_state of live runs from their steps', () => {
    const db = openDatabase(':memory:');
    migrate(db, orchestrationMigrations.slice(0, 1));
    const now = new Date().toISOString();
    const insert = db.prepare(
      `INSERT INTO workflows (id, task_id, project_id, blueprint_id, state, phase, iteration, attempt, started_at, updated_at)
       VALUES (?, ?, 'p-1', 'B', ?, ?, 1, ?, ?, ?)`,
    );
    const step = db.prepare(
      `INSERT INTO workflow_steps (workflow_id, phase, iteration, attempt, idempotency_key, outcome, started_at)
       VALUES (?, ?, 1, ?, ?, ?, ?)`,
    );
    insert.run('wf-open', 't-1', 'running', 'test', 2, now, now);
    step.run('wf-open', 'test', 2, 'wf-open:test:1:2', null, now);
    insert.run('wf-spent', 't-2', 'paused', 'implement', 1, now, now);
    step.run('wf-spent', 'implement', 1, 'wf-spent:implement:1:1', 'abandoned', now);
    insert.run('wf-fresh', 't-3', 'paused', 'use', 1, now, now);
    step.run('wf-fresh', 'test', 1, 'wf-fresh:test:1:1', 'passed', now);

    const repo = new WorkflowRepository(db);
    const state = (id: string): string => runState(repo.get(id)!).attempt_state;
    expect([state('wf-open'), state('wf-spent'), state('wf-fresh')]).toEqual(['open', 'spent', 'fresh']);
    expect(runState(repo.get('wf-open')!)).toMatchObject({
      reverifications: 0,
      feedback: [],
      resumed: false,
    });
    db.close();
  });
});

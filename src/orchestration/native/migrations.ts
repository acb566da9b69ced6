// Tables of the native engine: workflows (one durable ITUV run each: the machine's state plus its
// host's lease), workflow_steps (one row per phase attempt, its key unique so no attempt is recorded
// twice) and signals (rows, so any process can steer a run hosted elsewhere).
import type { Migration } from '../../db/migrations.js';

export const orchestrationMigrations: Migration[] = [
  {
    id: 'orchestration-001',
    sql: `
      CREATE TABLE workflows (
        id TEXT PRIMARY KEY,
        task_id TEXT NOT NULL,
        project_id TEXT NOT NULL,
        blueprint_id TEXT NOT NULL,
        state TEXT NOT NULL,
        phase TEXT,
        iteration INTEGER NOT NULL DEFAULT 1,
        -- iterations before this number were spent before the last human input (max_iterations budget)
        iteration_base INTEGER NOT NULL DEFAULT 0,
        attempt INTEGER NOT NULL DEFAULT 1,
        progress INTEGER NOT NULL DEFAULT 0,
        waiting_reason TEXT,
        question TEXT,
        last_failure TEXT,
        feedback TEXT NOT NULL DEFAULT '[]',
        resumed INTEGER NOT NULL DEFAULT 0,
        pause_requested INTEGER NOT NULL DEFAULT 0,
        -- set by "task ituv next": pause as soon as the next phase has a result
        pause_after_phase INTEGER NOT NULL DEFAULT 0,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        owner TEXT,
        -- epoch milliseconds
        lease_expires_at INTEGER,
        not_before INTEGER,
        origin TEXT,
        started_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        finished_at TEXT
      );
      CREATE INDEX workflows_state ON workflows (state, owner);
      CREATE INDEX workflows_task ON workflows (task_id);
      CREATE INDEX workflows_project ON workflows (project_id);
      CREATE UNIQUE INDEX workflows_one_live_per_task ON workflows (task_id)
        WHERE state NOT IN ('completed', 'failed', 'cancelled');

      CREATE TABLE workflow_steps (
        id INTEGER PRIMARY KEY,
        workflow_id TEXT NOT NULL REFERENCES workflows (id),
        phase TEXT NOT NULL,
        iteration INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        outcome TEXT,
        summary TEXT,
        result TEXT,
        artifacts TEXT NOT NULL DEFAULT '[]',
        owner TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT
      );
      CREATE INDEX workflow_steps_workflow ON workflow_steps (workflow_id, id);

      CREATE TABLE signals (
        id INTEGER PRIMARY KEY,
        workflow_id TEXT NOT NULL REFERENCES workflows (id),
        name TEXT NOT NULL,
        payload TEXT,
        created_at TEXT NOT NULL,
        consumed_at TEXT
      );
      CREATE INDEX signals_pending ON signals (workflow_id) WHERE consumed_at IS NULL;
    `,
  },
  {
    id: 'orchestration-002',
    // The machine keeps in its state whether the current attempt was started (attempt_state) and how
    // many VERIFY re-runs it recorded; a live run left by an older version gets the first from its steps.
    sql: `
      ALTER TABLE workflows ADD COLUMN attempt_state TEXT NOT NULL DEFAULT 'fresh';
      ALTER TABLE workflows ADD COLUMN reverifications INTEGER NOT NULL DEFAULT 0;
      UPDATE workflows SET attempt_state = coalesce(
        (SELECT CASE WHEN s.outcome IS NULL THEN 'open' ELSE 'spent' END FROM workflow_steps s
          WHERE s.idempotency_key = workflows.id || ':' || workflows.phase || ':' || workflows.iteration || ':' || workflows.attempt),
        'fresh')
      WHERE state NOT IN ('completed', 'failed', 'cancelled');
    `,
  },
];

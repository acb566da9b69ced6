// The schema of the workspace database, part by part, applied by the SQLite store when it opens
// (db/migrations.ts runs them). Ids are global (recorded in schema_migrations), never reused and never
// edited once released: a schema fix is a new migration. They moved here from the parts that used to
// open the database themselves; their ids did not change, so existing workspaces keep working.
import type { Migration } from '../../db/migrations.js';

// ---- project: projects, tasks, dependencies, transitions (DESIGN §4) --------------------------------
// Arrays and objects are JSON text columns: they are read and written whole, never queried inside.
// CHECK constraints repeat the model's enums so that a bug in one writer cannot leave a value no
// reader understands.

const STATUSES = `'pending','active','running','waiting_input','pending_review','completed','failed','cancelled','archived'`;
const PHASES = `'pending','implement','test','use','verify','done','blocked'`;
const POLICIES = `'completion_required','review_ready_ok','artifact_ready'`;

export const projectMigrations: Migration[] = [
  {
    id: 'project-001-initial',
    sql: `
CREATE TABLE projects (
  id TEXT PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  title TEXT,
  blueprint_file TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id),
  blueprint_id TEXT NOT NULL,
  parent_id TEXT,
  title TEXT NOT NULL,
  description TEXT,
  acceptance_criteria TEXT NOT NULL DEFAULT '[]',
  recipe TEXT,
  tests TEXT NOT NULL DEFAULT '[]',
  priority TEXT CHECK (priority IN ('low','medium','high','critical')),
  labels TEXT NOT NULL DEFAULT '[]',
  assignees TEXT NOT NULL DEFAULT '[]',
  required_tools TEXT NOT NULL DEFAULT '[]',
  skills TEXT NOT NULL DEFAULT '[]',
  due TEXT,
  sequence TEXT CHECK (sequence IN ('alpha','beta','rc','ga')),
  estimate INTEGER,
  effort INTEGER,
  value INTEGER,
  risk INTEGER,
  agent_role TEXT,
  parallelizable INTEGER,
  batch TEXT,
  blueprint_order INTEGER NOT NULL DEFAULT 0,
  source_file TEXT,
  source_line INTEGER,
  status TEXT NOT NULL CHECK (status IN (${STATUSES})),
  phase TEXT NOT NULL CHECK (phase IN (${PHASES})),
  content_hash TEXT NOT NULL,
  stale INTEGER NOT NULL DEFAULT 0,
  orphaned INTEGER NOT NULL DEFAULT 0,
  overrides TEXT NOT NULL DEFAULT '[]',
  review_note TEXT,
  reviewed_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (project_id, blueprint_id)
);
-- resolveTask looks a blueprint id up across projects.
CREATE INDEX tasks_blueprint_id ON tasks (blueprint_id);
CREATE INDEX tasks_status ON tasks (status);
-- listTasks / listTaskDigests of one project, in blueprint order.
CREATE INDEX tasks_project_order ON tasks (project_id, blueprint_order, id);

CREATE TABLE dependencies (
  task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  depends_on_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  policy TEXT NOT NULL CHECK (policy IN (${POLICIES})),
  artifact_key TEXT,
  source TEXT NOT NULL CHECK (source IN ('blueprint','manual')),
  PRIMARY KEY (task_id, depends_on_id)
);
-- "who depends on X" (dependents of a failed or cancelled task).
CREATE INDEX dependencies_depends_on ON dependencies (depends_on_id);

CREATE TABLE transitions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  at TEXT NOT NULL,
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  from_phase TEXT NOT NULL,
  to_phase TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX transitions_task ON transitions (task_id, seq);
`,
  },
];

// ---- events: the ordered event log (DESIGN §7) -----------------------------------------------------
export const eventMigrations: Migration[] = [
  {
    id: 'events-001',
    // seq is the rowid: without AUTOINCREMENT SQLite assigns max(seq)+1 inside the writing
    // transaction, so a rollback frees the number again and the sequence stays gapless. Rows are
    // never deleted.
    sql: `
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        ts TEXT NOT NULL,
        type TEXT NOT NULL,
        project_id TEXT,
        task_id TEXT,
        blueprint_id TEXT,
        workflow_id TEXT,
        agent_id TEXT,
        phase TEXT,
        iteration INTEGER,
        progress INTEGER,
        artifacts TEXT,
        data TEXT NOT NULL
      );
      CREATE INDEX events_workflow ON events (workflow_id, seq);
      CREATE INDEX events_task ON events (task_id, seq);
    `,
  },
];

// ---- orchestration: workflows (the machine's state of a run plus its host's lease), workflow_steps
// (one row per phase attempt, its key unique so no attempt is recorded twice) and signals (rows, so
// any process can steer a run hosted elsewhere) ------------------------------------------------------
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

// ---- artifacts: one row per evidence file (ituv/artifacts.ts keeps the files) -----------------------
export const artifactMigrations: Migration[] = [
  {
    id: 'artifacts-001',
    sql: `
      CREATE TABLE artifacts (
        id TEXT PRIMARY KEY,
        task_id TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        phase TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        key TEXT NULL,
        path TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX artifacts_task_key ON artifacts (task_id, key);
      CREATE INDEX artifacts_workflow ON artifacts (workflow_id, phase);
      -- A rerun phase (at-least-once) rewrites its files; the row follows instead of duplicating.
      CREATE UNIQUE INDEX artifacts_location ON artifacts (task_id, workflow_id, phase, name);
    `,
  },
];

// ---- scheduler: who runs which task in continuous run mode (scheduler/claims.ts) -------------------
export const schedulerMigrations: Migration[] = [
  {
    id: 'scheduler-001',
    sql: `
      CREATE TABLE scheduler_claims (
        task_id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL,
        owner TEXT NOT NULL,
        workflow_id TEXT NULL,
        agent_id TEXT NULL,
        port INTEGER NULL,
        worktree TEXT NULL,
        branch TEXT NULL,
        base TEXT NULL,
        claimed_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX scheduler_claims_owner ON scheduler_claims (owner);
      CREATE INDEX scheduler_claims_workflow ON scheduler_claims (workflow_id);
    `,
  },
];

/** Every part's migrations, in the order a new workspace applies them. */
export const ALL_MIGRATIONS: readonly Migration[] = [
  ...projectMigrations,
  ...eventMigrations,
  ...orchestrationMigrations,
  ...artifactMigrations,
  ...schedulerMigrations,
];

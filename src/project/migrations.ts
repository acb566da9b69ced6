// Schema of the task store (DESIGN §4). Arrays and objects are JSON text columns: they are read and
// written whole, never queried inside. CHECK constraints repeat the model's enums so that a bug in
// one writer cannot leave a value no reader understands.
import type { Migration } from '../db/migrations.js';

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

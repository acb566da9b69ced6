// The schema migration runner: applies each part's pending migrations (the lists live in
// src/project/sqlite/migrations.ts) and records them in schema_migrations, safely across processes.
import type { Db } from './database.js';

/**
 * A versioned schema change. Each part of Penguin that owns tables (project store, events,
 * orchestration, artifacts) keeps its own list; `id`s are global and never reused or edited once
 * released: fix a schema with a new migration.
 */
export interface Migration {
  id: string;
  sql: string;
}

/**
 * Applies the migrations not yet recorded, in order, each in its own IMMEDIATE transaction so that
 * two processes opening a new workspace at once cannot both apply one.
 */
export function migrate(db: Db, migrations: readonly Migration[]): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`);
  const isApplied = db.prepare<[string], { id: string }>('SELECT id FROM schema_migrations WHERE id = ?');
  const record = db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)');
  const applied: string[] = [];
  for (const migration of migrations) {
    if (isApplied.get(migration.id)) continue;
    const apply = db.transaction(() => {
      if (isApplied.get(migration.id)) return false;
      db.exec(migration.sql);
      record.run(migration.id, new Date().toISOString());
      return true;
    });
    if (apply.immediate()) applied.push(migration.id);
  }
  return applied;
}

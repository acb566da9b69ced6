// The scheduler's claims on SQLite (contracts/store/claims.ts): one row per task. Taking a claim is a
// single INSERT ... ON CONFLICT DO UPDATE ... WHERE, so the check and the write cannot interleave with
// another process's, whatever the transaction around it.
import type { ClaimFilter, ClaimRecord, ClaimRepository, NewClaim } from '../../contracts/store/index.js';
import { Where, type Statements, type Sync } from './statements.js';

const CLAIM = `
  INSERT INTO scheduler_claims
    (task_id, project_id, owner, workflow_id, agent_id, port, worktree, branch, base, claimed_at, expires_at)
  VALUES
    (@task_id, @project_id, @owner, NULL, @agent_id, @port, @worktree, @branch, @base, @claimed_at, @expires_at)
  ON CONFLICT (task_id) DO UPDATE SET
    project_id = excluded.project_id, owner = excluded.owner, workflow_id = NULL,
    agent_id = excluded.agent_id, port = excluded.port, worktree = excluded.worktree,
    branch = excluded.branch, base = excluded.base, claimed_at = excluded.claimed_at,
    expires_at = excluded.expires_at
  WHERE scheduler_claims.expires_at < @now OR scheduler_claims.owner = excluded.owner
  RETURNING *`;

const ADOPT = `
  UPDATE scheduler_claims SET owner = @owner, expires_at = @expires_at
  WHERE task_id = @task_id AND (expires_at < @now OR owner = @owner)
  RETURNING *`;

export class SqliteClaims implements Sync<ClaimRepository> {
  constructor(private readonly sql: Statements) {}

  get(taskId: string): ClaimRecord | null {
    return (
      (this.sql.get('SELECT * FROM scheduler_claims WHERE task_id = ?').get(taskId) as ClaimRecord) ?? null
    );
  }

  forWorkflow(workflowId: string): ClaimRecord | null {
    const row = this.sql.get('SELECT * FROM scheduler_claims WHERE workflow_id = ?').get(workflowId);
    return (row as ClaimRecord | undefined) ?? null;
  }

  list(filter: ClaimFilter = {}): ClaimRecord[] {
    const where = new Where().eq('project_id = ?', filter.projectId).eq('owner = ?', filter.owner);
    const sql = `SELECT * FROM scheduler_claims${where} ORDER BY claimed_at, task_id`;
    return this.sql.get(sql).all(...where.params) as ClaimRecord[];
  }

  claim(claim: NewClaim, now: number): ClaimRecord | null {
    return (this.sql.get(CLAIM).get({ ...claim, now }) as ClaimRecord | undefined) ?? null;
  }

  adopt(taskId: string, owner: string, now: number, expiresAt: number): ClaimRecord | null {
    const row = this.sql.get(ADOPT).get({ task_id: taskId, owner, now, expires_at: expiresAt });
    return (row as ClaimRecord | undefined) ?? null;
  }

  attach(taskId: string, owner: string, workflowId: string): boolean {
    const sql = 'UPDATE scheduler_claims SET workflow_id = ? WHERE task_id = ? AND owner = ?';
    return this.sql.get(sql).run(workflowId, taskId, owner).changes > 0;
  }

  renew(owner: string, expiresAt: number): number {
    this.sql.get('UPDATE scheduler_claims SET expires_at = ? WHERE owner = ?').run(expiresAt, owner);
    return (
      this.sql.get('SELECT count(*) AS n FROM scheduler_claims WHERE owner = ?').get(owner) as { n: number }
    ).n;
  }

  release(taskId: string, owner: string): boolean {
    const sql = 'DELETE FROM scheduler_claims WHERE task_id = ? AND owner = ?';
    return this.sql.get(sql).run(taskId, owner).changes > 0;
  }
}

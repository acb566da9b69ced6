// The scheduler part of the Store: one claim per task a scheduler (`run continuous`) has taken. A claim
// is how several schedulers on one workspace agree on who runs a task (DESIGN §4, §6, §10): taking it
// is one statement, so two schedulers racing for a task get one claim between them. It also carries
// what every host needs to run the task's workflow the way its scheduler meant: the agent it was
// routed to, its loopback port, its worktree and branch. Times are epoch milliseconds.

export interface ClaimRecord {
  task_id: string;
  project_id: string;
  /** The scheduler holding the claim. */
  owner: string;
  /** The workflow started for the claim; null between the claim and the start. */
  workflow_id: string | null;
  /** The agent the task was routed to (agents[].id), or null for the default selection. */
  agent_id: string | null;
  /** The loopback port the workflow's phases get as PENGUIN_PORT. */
  port: number | null;
  /** Absolute path of the workflow's git worktree; null with isolation `shared`. */
  worktree: string | null;
  branch: string | null;
  /** The branch the worktree was made from and is merged back into. */
  base: string | null;
  claimed_at: number;
  /** The owner renews it while it lives; past it, another scheduler may take the claim over. */
  expires_at: number;
}

export type NewClaim = Omit<ClaimRecord, 'workflow_id'>;

export interface ClaimFilter {
  projectId?: string;
  owner?: string;
}

export interface ClaimReader {
  get(taskId: string): Promise<ClaimRecord | null>;
  forWorkflow(workflowId: string): Promise<ClaimRecord | null>;
  /** By claimed_at, then task id. */
  list(filter?: ClaimFilter): Promise<ClaimRecord[]>;
}

export interface ClaimRepository extends ClaimReader {
  /**
   * Takes the task for `claim.owner`: a new claim, or one replacing a claim that expired before
   * `now` (or the owner's own). Null when another owner holds an unexpired claim on the task.
   */
  claim(claim: NewClaim, now: number): Promise<ClaimRecord | null>;
  /**
   * Takes over a claim that expired before `now` (its scheduler died), keeping its workflow, agent,
   * port and worktree. Null when the claim is gone or another owner's has not expired.
   */
  adopt(taskId: string, owner: string, now: number, expiresAt: number): Promise<ClaimRecord | null>;
  /** Records the workflow started for the owner's claim; false when the owner no longer holds it. */
  attach(taskId: string, owner: string, workflowId: string): Promise<boolean>;
  /** Extends every claim of the owner; returns how many it holds. */
  renew(owner: string, expiresAt: number): Promise<number>;
  /** Ends the owner's claim on the task; false when it held none. */
  release(taskId: string, owner: string): Promise<boolean>;
}

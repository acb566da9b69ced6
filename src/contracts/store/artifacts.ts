// The artifacts part of the Store: one row per evidence file a phase recorded (DESIGN §2, §5). The
// files themselves are the ArtifactStore's (ituv/artifacts.ts), which writes each one durably before
// its row; the row keeps where it is, its size and hash, so a deleted or edited file no longer counts.
import type { ArtifactFile } from '../phase-result.js';

export type ArtifactKind = ArtifactFile['kind'];

export interface ArtifactRecord {
  id: string;
  task_id: string;
  workflow_id: string;
  phase: string;
  /** Relative name inside the phase directory; may contain `/`. */
  name: string;
  kind: ArtifactKind;
  /** Set for artifacts that satisfy `artifact_ready` dependents. */
  key: string | null;
  /** Relative to the artifacts directory, always with `/` separators. */
  path: string;
  size: number;
  sha256: string;
  created_at: string;
}

/** A row to record; the store assigns `id` and `created_at`. */
export type NewArtifactRecord = Omit<ArtifactRecord, 'id' | 'created_at'>;

export interface ListArtifactsFilter {
  taskId?: string;
  workflowId?: string;
  phase?: string;
}

export interface ArtifactReader {
  /** Oldest first. */
  list(filter?: ListArtifactsFilter): Promise<ArtifactRecord[]>;
  /** The task's artifacts that carry a key, oldest first. */
  listKeyed(taskId: string): Promise<ArtifactRecord[]>;
}

export interface ArtifactRepository extends ArtifactReader {
  /**
   * Records a row; one already recorded for the same task, workflow, phase and name (a rerun phase,
   * at-least-once) is replaced, so the newest attempt wins.
   */
  upsert(record: NewArtifactRecord): Promise<ArtifactRecord>;
}

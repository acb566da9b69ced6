// The events part of the Store (DESIGN §7): the persisted, ordered event log as a storage
// implementation keeps it. `seq` is gapless and monotonic per workspace and assigned inside the
// writing transaction, so an append that is rolled back leaves no gap. Publishing to subscribers
// after the commit is the EventLog's job (events/log.ts), not the storage's.
import type { EventDraft, EventType, PenguinEvent } from '../event.js';

/** Which events a reader wants: all of them, or of one workflow, one task, some types. */
export interface EventFilter {
  workflow_id?: string;
  task_id?: string;
  types?: readonly EventType[];
}

/** One page of the log: the matching events and the seq a reader continues after. */
export interface EventPage {
  events: PenguinEvent[];
  cursor: number;
}

export interface EventReader {
  /**
   * Committed events after `afterSeq` matching `filter`, oldest first, at most `limit`, read from one
   * snapshot; `cursor` is past the last returned event, or past every event that existed then when
   * fewer than `limit` matched (so filtered readers do not rescan rows that did not match).
   */
  readPage(afterSeq: number, filter: EventFilter | undefined, limit: number): Promise<EventPage>;
  /** The highest seq written so far (0 for an empty log). */
  lastSeq(): Promise<number>;
}

export interface EventRepository extends EventReader {
  /** Appends an event in the transaction and returns it with its seq and timestamp. */
  append(draft: EventDraft): Promise<PenguinEvent>;
}

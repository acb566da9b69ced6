// The persisted, ordered event log (DESIGN §7). An event is appended inside the writer's own
// transaction (`append(tx, ...)`, so a phase result, a task transition and their events commit
// together) and is published to in-process subscribers only after that transaction commits (the
// store's afterCommit). Subscribers always read committed events from the store, so a rolled-back
// append is never published and events written by other processes on the same database are delivered
// in order too, never twice. The events themselves are kept by the Store (contracts/store/events.ts).
import type { EventPage, Store, StoreTx } from '../contracts/store/index.js';
import { parseEventData } from '../contracts/event.js';
import type { EventDraft, EventFilter, PenguinEvent } from './types.js';

export type { EventPage } from '../contracts/store/index.js';

export type EventListener = (event: PenguinEvent) => void;

export interface SubscribeOptions {
  /** Deliver events after this seq (a resuming subscriber passes its last seq); default: only new ones. */
  afterSeq?: number;
  filter?: EventFilter;
}

interface Subscription {
  listener: EventListener;
  filter: EventFilter | undefined;
  cursor: number;
  /** Deliveries to one subscriber run one after the other, so none is delivered twice. */
  turn: Promise<void>;
}

const DEFAULT_LIMIT = 1_000;

export class EventLog {
  private readonly subscriptions = new Set<Subscription>();
  /** Something was appended since the last publish began. */
  private dirty = false;
  /** The publish under way; a second request joins it (it loops while dirty). */
  private publishing: Promise<void> | null = null;
  /** Registered once per transaction that appends (the store runs one hook once). */
  private readonly publishAfterCommit = (): Promise<void> => this.flush();

  constructor(readonly store: Store) {}

  /** Appends an event in `tx` and returns it with its seq; it is published once `tx` commits. */
  append(tx: StoreTx, draft: EventDraft): Promise<PenguinEvent> {
    // A producer's bug must not store a malformed event: readers rely on each type's data schema.
    const checked = parseEventData(draft.type, draft.data ?? {});
    if (!checked.success) {
      const issues = checked.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`);
      return Promise.reject(new Error(`a ${draft.type} event with invalid data: ${issues.join('; ')}`));
    }
    try {
      tx.afterCommit(this.publishAfterCommit);
    } catch (error) {
      return Promise.reject(error as Error); // the transaction has ended
    }
    this.dirty = true;
    return tx.events.append(draft);
  }

  /** Appends an event in a transaction of its own; resolves once it is committed and published. */
  async record(draft: EventDraft): Promise<PenguinEvent> {
    return this.store.transaction((tx) => this.append(tx, draft));
  }

  /**
   * Publishes committed events to in-process subscribers (also those other processes wrote). The
   * store calls it after each commit that appended; call it outside transactions only.
   */
  flush(): Promise<void> {
    this.dirty = true;
    this.publishing ??= this.publish().finally(() => {
      this.publishing = null;
    });
    return this.publishing;
  }

  private async publish(): Promise<void> {
    // A listener may append (and so dirty the log) while we deliver: loop until quiet.
    while (this.dirty) {
      this.dirty = false;
      for (const sub of [...this.subscriptions]) await this.deliver(sub);
    }
  }

  /**
   * Calls `listener` for every committed event after `afterSeq` (default: from now), in order;
   * resolves once the events already there are delivered. Returns the unsubscribe function.
   */
  async subscribe(listener: EventListener, options: SubscribeOptions = {}): Promise<() => void> {
    const sub: Subscription = {
      listener,
      filter: options.filter,
      cursor: options.afterSeq ?? (await this.lastSeq()),
      turn: Promise.resolve(),
    };
    this.subscriptions.add(sub);
    if (options.afterSeq !== undefined) await this.deliver(sub);
    return () => {
      this.subscriptions.delete(sub);
    };
  }

  lastSeq(): Promise<number> {
    return this.store.events.lastSeq();
  }

  /** Committed events after `afterSeq` matching `filter`, oldest first. */
  async readFrom(afterSeq: number, filter?: EventFilter, limit = DEFAULT_LIMIT): Promise<PenguinEvent[]> {
    return (await this.readPage(afterSeq, filter, limit)).events;
  }

  /**
   * Like readFrom, and also the seq to continue after: past the last returned event, or past every
   * event that existed when the page was read when fewer than `limit` matched (so filtered readers
   * do not rescan non-matching rows).
   */
  readPage(afterSeq: number, filter?: EventFilter, limit = DEFAULT_LIMIT): Promise<EventPage> {
    return this.store.events.readPage(afterSeq, filter, limit);
  }

  private deliver(sub: Subscription): Promise<void> {
    sub.turn = sub.turn.then(() => this.deliverNow(sub));
    return sub.turn;
  }

  private async deliverNow(sub: Subscription): Promise<void> {
    for (;;) {
      const page = await this.store.events.readPage(sub.cursor, sub.filter, DEFAULT_LIMIT);
      sub.cursor = page.cursor;
      for (const event of page.events) {
        try {
          sub.listener(event);
        } catch {
          // A failing subscriber must not break the writer that triggered the publish.
        }
      }
      if (page.events.length < DEFAULT_LIMIT) return;
    }
  }
}

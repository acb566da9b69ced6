// Follows the event log from another process (the SSE endpoint, `workflow status --follow`): the
// writer's in-process publish cannot reach it, so it polls the table from a seq. Each event is
// yielded once, in seq order; resuming with the last seen seq continues without repeats.
import type { StoreReader } from '../contracts/store/index.js';
import type { EventFilter, PenguinEvent } from './types.js';

export interface EventTailOptions {
  /** Yield events after this seq (a resuming client's Last-Event-ID); default 0 = from the start. */
  afterSeq?: number;
  filter?: EventFilter;
  /** How often to look for new rows. */
  pollMs?: number;
  /** Rows read per query. */
  batchSize?: number;
}

export class EventTail implements AsyncIterable<PenguinEvent> {
  private cursor: number;
  private closed = false;
  private wake: (() => void) | null = null;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly filter: EventFilter | undefined;

  constructor(
    private readonly store: Pick<StoreReader, 'events'>,
    options: EventTailOptions = {},
  ) {
    this.cursor = options.afterSeq ?? 0;
    this.pollMs = options.pollMs ?? 200;
    this.batchSize = options.batchSize ?? 500;
    this.filter = options.filter;
  }

  /** The seq after which the next poll reads. */
  get lastSeq(): number {
    return this.cursor;
  }

  /** Reads the next committed events (possibly none) and advances past them. */
  async poll(): Promise<PenguinEvent[]> {
    const page = await this.store.events.readPage(this.cursor, this.filter, this.batchSize);
    this.cursor = page.cursor;
    return page.events;
  }

  /** Ends iteration; a pending wait returns at once. */
  close(): void {
    this.closed = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<PenguinEvent> {
    while (!this.closed) {
      const events = await this.poll();
      for (const event of events) {
        if (this.closed) return;
        yield event;
      }
      if (events.length < this.batchSize) await this.sleep();
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      this.wake = done;
    });
  }
}

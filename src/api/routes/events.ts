// `GET /events`: the event log as Server-Sent Events (DESIGN §7). Each event is `id: <seq>`, `event:
// <type>`, `data: <json>`; a client that reconnects with `Last-Event-ID` (or `?after=`) gets every
// later event once, in order, since the stream reads committed rows from the log by seq (events of
// other processes included). Without either it starts at the events still to come. A comment line
// every heartbeat interval keeps proxies from closing an idle stream. A stream is woken as soon as
// this process commits events, and polls for those other processes write.
import { once } from 'node:events';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { EventQuerySchema, type EventQuery } from '../../contracts/api.js';
import { EVENT_TYPES, type EventType, type PenguinEvent } from '../../contracts/event.js';
import { UsageError } from '../../errors.js';
import { EventTail } from '../../events/tail.js';
import type { EventFilter } from '../../events/types.js';
import { resolveProject, resolveTask } from '../../project/resolve.js';
import { ERROR_RESPONSES, type ApiApp, type ApiContext } from './shared.js';

const HeadersSchema = z.object({ 'last-event-id': z.string().max(30).optional() });

interface StreamPlan {
  afterSeq: number;
  filter: EventFilter;
  projectId: string | undefined;
}

/** Checks every filter before the stream starts, so a bad one is a plain 400/404, not a broken stream. */
async function plan(
  ctx: ApiContext,
  query: EventQuery,
  lastEventId: string | undefined,
): Promise<StreamPlan> {
  const { ws, service } = ctx;
  let afterSeq = query.after;
  if (lastEventId !== undefined) {
    if (!/^\d+$/.test(lastEventId.trim())) {
      throw new UsageError(
        `headers.last-event-id: must be the seq of an event (a whole number), not ${JSON.stringify(lastEventId)}`,
      );
    }
    afterSeq = Number(lastEventId.trim());
  }
  const filter: EventFilter = {};
  let projectId: string | undefined;
  if (query.project !== undefined) projectId = (await resolveProject(ws.store, query.project)).id;
  if (query.task !== undefined) filter.task_id = (await resolveTask(ws.store, query.task, query.project)).id;
  if (query.workflow !== undefined) filter.workflow_id = (await service.client.getStatus(query.workflow)).id;
  if (query.type !== undefined) {
    const types = query.type.split(',').map((t) => t.trim());
    const bad = types.find((t) => !(EVENT_TYPES as readonly string[]).includes(t));
    if (bad !== undefined)
      throw new UsageError(`query.type: unknown event type '${bad}'; use any of ${EVENT_TYPES.join(', ')}`);
    filter.types = types as EventType[];
  }
  return { afterSeq: afterSeq ?? (await service.events.lastSeq()), filter, projectId };
}

export function frame(event: PenguinEvent): string {
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** Resolves after `ms`, or sooner when the returned wake() is called. */
function nap(ms: number): { done: Promise<void>; wake: () => void } {
  let wake = (): void => undefined;
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, wake };
}

async function stream(
  ctx: ApiContext,
  request: FastifyRequest,
  reply: FastifyReply,
  planned: StreamPlan,
): Promise<void> {
  const tail = new EventTail(ctx.service.events.store, {
    afterSeq: planned.afterSeq,
    filter: planned.filter,
  });
  const raw = reply.raw;
  reply.hijack();
  raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  // Tells EventSource how long to wait before reconnecting; it then sends Last-Event-ID.
  raw.write('retry: 1000\n\n');
  const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), ctx.heartbeatMs);
  let closed = false;
  let sleeping: ReturnType<typeof nap> | null = null;
  // Woken by this process's commits at once; events of other processes are found by the poll.
  const handle = {
    wake: () => sleeping?.wake(),
    end: () => {
      closed = true;
      sleeping?.wake();
    },
  };
  ctx.streams.add(handle);
  request.raw.on('close', handle.end);
  try {
    while (!closed && !raw.destroyed) {
      const events = await tail.poll();
      for (const event of events) {
        if (planned.projectId !== undefined && event.project_id !== planned.projectId) continue;
        if (!raw.write(frame(event))) await Promise.race([once(raw, 'drain'), once(raw, 'close')]);
        if (raw.destroyed) break;
      }
      if (events.length === 0) {
        sleeping = nap(ctx.eventPollMs);
        await sleeping.done;
        sleeping = null;
      }
    }
  } finally {
    clearInterval(heartbeat);
    ctx.streams.delete(handle);
    raw.end();
  }
}

export function registerEventRoutes(app: ApiApp, ctx: ApiContext): void {
  app.get(
    '/events',
    {
      schema: {
        tags: ['events'],
        summary: 'The event log as Server-Sent Events; resume with Last-Event-ID',
        querystring: EventQuerySchema,
        headers: HeadersSchema,
        response: {
          200: {
            description: 'id, event and data lines per event; heartbeat comments',
            content: { 'text/event-stream': { schema: z.string() } },
          },
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const planned = await plan(ctx, request.query, request.headers['last-event-id']);
      await stream(ctx, request, reply, planned);
    },
  );
}

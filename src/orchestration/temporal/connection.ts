// Reaching the Temporal server of a workspace: one client connection (and one worker connection)
// per backend, opened on first use with retries on transient failures, the namespace checked (and
// created when missing), and, for a loopback address nothing listens at with auto_start on, the
// workspace's dev server started first (dev-server.ts).
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { UsageError } from '../../errors.js';
import { autoStartDevServer, listening, recordedDevServer, splitAddress } from './dev-server.js';

export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  autoStart: boolean;
  /** The workspace's .penguin/ (dev server database, pid, log; the bundle cache). */
  penguinDir: string | null;
  /** Where "started a dev server" and other notes go (stderr). */
  say: (line: string) => void;
}

const CONNECT_ATTEMPTS = 4;

async function withRetry<T>(what: string, fn: () => Promise<T>): Promise<T> {
  let last: unknown;
  for (let attempt = 1; attempt <= CONNECT_ATTEMPTS; attempt += 1) {
    try {
      return await fn();
    } catch (error) {
      last = error;
      if (attempt < CONNECT_ATTEMPTS) await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }
  throw new UsageError(`${what}: ${last instanceof Error ? last.message : String(last)}`);
}

/** Starts the workspace's dev server when nothing listens at the address and auto_start allows it. */
async function ensureServer(settings: TemporalSettings): Promise<void> {
  const target = splitAddress(settings.address);
  if (!target) {
    throw new UsageError(`orchestration.temporal.address '${settings.address}' is not host:port`);
  }
  if (await listening(target.host, target.port)) return;
  if (!settings.autoStart || !settings.penguinDir) {
    throw new UsageError(
      `no Temporal server answers at ${settings.address}; start one (\`temporal server start-dev\`) or set orchestration.temporal.auto_start`,
    );
  }
  if (recordedDevServer(settings.penguinDir)) {
    // Ours, still starting (another command started it a moment ago): wait for it below.
    return;
  }
  await autoStartDevServer(settings.penguinDir, settings.address, settings.namespace, settings.say);
}

/** The client connection, with the namespace there (created when missing). */
export async function connectClient(settings: TemporalSettings): Promise<Connection> {
  await ensureServer(settings);
  const connection = await withRetry(`cannot reach the Temporal server at ${settings.address}`, () =>
    Connection.connect({ address: settings.address, connectTimeout: 2_000 }),
  );
  await ensureNamespace(connection, settings.namespace, settings.address);
  return connection;
}

export function connectWorker(settings: TemporalSettings): Promise<NativeConnection> {
  return withRetry(`the worker cannot reach the Temporal server at ${settings.address}`, () =>
    NativeConnection.connect({ address: settings.address }),
  );
}

async function ensureNamespace(connection: Connection, namespace: string, address: string): Promise<void> {
  const service = connection.workflowService;
  try {
    await service.describeNamespace({ namespace });
    return;
  } catch (error) {
    if (!isNotFound(error)) {
      throw new UsageError(
        `cannot read Temporal namespace '${namespace}' at ${address}: ${messageOf(error)}`,
      );
    }
  }
  try {
    await service.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('7 days'),
    });
  } catch (error) {
    if (!/already exists/i.test(messageOf(error))) {
      throw new UsageError(
        `Temporal namespace '${namespace}' does not exist at ${address} and could not be created (${messageOf(error)}); create it with \`temporal operator namespace create -n ${namespace}\``,
      );
    }
  }
  // A new namespace takes a moment to be served.
  await withRetry(`Temporal namespace '${namespace}' at ${address} is not ready`, () =>
    service.describeNamespace({ namespace }),
  );
}

function isNotFound(error: unknown): boolean {
  return (error as { code?: number } | null)?.code === 5 || /not found/i.test(messageOf(error));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

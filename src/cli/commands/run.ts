// `penguin run continuous`: the scheduler's loop over the frontier (app/runmode.ts). Under --json one
// summary document at the end (or the preview with --dry-run); piped, one line per event; on a
// terminal a live view (log-update) of the running tasks with phase, iteration, progress and
// timebox left, and the tasks next in line. A process entry point's handler: Ctrl-C stops the loop
// cleanly (running phases are handed back) and the summary is still printed.
import type { Command } from 'commander';
import { createLogUpdate } from 'log-update';
import { runContinuous, type RunSettings } from '../../app/runmode.js';
import type { RunPreview, RunSummary, RunTaskOutcome } from '../../contracts/runmode.js';
import type { ItuvPhase } from '../../contracts/task.js';
import { UsageError } from '../../errors.js';
import type { PenguinEvent } from '../../events/types.js';
import { action, type CliContext } from '../context.js';
import { table, type Output } from '../output.js';

interface RunOptions {
  project?: string;
  parallel?: string;
  timeLimit?: string;
  dryRun?: boolean;
  watch?: boolean;
}

export function registerRunCommands(program: Command, ctx: CliContext): void {
  const run = program.command('run').description('run mode: work through the frontier');
  run
    .command('continuous')
    .description('start ready tasks through ITUV in frontier order until nothing is left to run')
    .option('--project <key>', 'project key (when the workspace has several)')
    .option('--parallel <n>', 'workflows at once (default scheduler.ready_parallelism)')
    .option('--time-limit <duration>', 'stop cleanly after this long (90s, 5m, 1h)')
    .option('--dry-run', 'print the frontier in selection order, with why each blocked task waits, and exit')
    .option('--watch', 'when nothing is ready, wait for a blueprint change instead of stopping')
    .action(
      action(async (command: Command) => {
        const out = ctx.output(command);
        const opts = command.opts<RunOptions>();
        const parallel = opts.parallel === undefined ? undefined : Number(opts.parallel);
        if (parallel !== undefined && (!Number.isInteger(parallel) || parallel < 1)) {
          throw new UsageError(`--parallel must be a positive integer, not '${opts.parallel ?? ''}'`);
        }
        const ws = await ctx.workspace(command);
        const live = !out.json && ctx.io.isTTY ? new LiveView(out) : null;
        const result = await runContinuous(
          ws,
          {
            ...(opts.project ? { projectKey: opts.project } : {}),
            ...(parallel !== undefined ? { parallel } : {}),
            ...(opts.timeLimit !== undefined ? { timeLimit: opts.timeLimit } : {}),
            dryRun: opts.dryRun === true,
            watch: opts.watch === true,
          },
          {
            signal: ctx.interruptSignal(),
            onStart: (settings) => live?.start(settings),
            onEvent: (event) => {
              if (live) live.onEvent(event);
              else if (!out.json) ctx.io.stdout(`${eventLine(event)}\n`);
            },
          },
        );
        live?.stop();
        if ('dry_run' in result) {
          out.result(result, () => previewLines(result));
          return;
        }
        out.result(result, () => summaryLines(result, out));
        if (result.failed.length > 0) ctx.exitCode = 1;
      }),
    );
}

/** One line per event when piped: time, type, task, phase and iteration, and what it says. */
export function eventLine(event: PenguinEvent): string {
  const time = event.ts.slice(11, 19);
  const where = [
    event.blueprint_id,
    event.phase,
    event.iteration !== undefined ? `iteration ${event.iteration}` : undefined,
  ].filter((part) => part !== undefined);
  const data = event.data as Record<string, unknown>;
  const said = ['summary', 'reason', 'question', 'from', 'to', 'missing', 'ready', 'chunk']
    .map((key) => data[key])
    .find((value) => value !== undefined && value !== null);
  const text =
    event.type === 'heartbeat'
      ? `cpu ${String(data.cpu_percent)}%, memory ${String(data.memory_percent)}%`
      : Array.isArray(said)
        ? said.join(', ')
        : typeof said === 'string'
          ? said.trim().slice(0, 200)
          : '';
  return [time, event.type, where.join(' '), text].filter((p) => p !== '').join('  ');
}

function previewLines(preview: RunPreview): string[] {
  const lines = [
    `run continuous --dry-run: project ${preview.project}, ${preview.parallelism} at once, isolation ${preview.isolation}`,
    '',
    'ready, in selection order:',
    ...table(
      ['#', 'TASK', 'ACTION', 'AGENT', 'WHY', 'TITLE'],
      preview.ready.map((r) => [r.position, r.blueprint_id, r.action, r.agent_id, r.reason, r.title]),
    ),
  ];
  if (preview.omitted > 0) lines.push(`(${preview.omitted} more ready past scheduler.max_frontier)`);
  lines.push('', 'blocked:');
  lines.push(
    ...table(
      ['TASK', 'WAITS FOR'],
      preview.blocked.map((b) => [b.blueprint_id, b.reasons.join('; ')]),
    ),
  );
  if (preview.running.length > 0) lines.push('', `running now: ${preview.running.join(', ')}`);
  return lines;
}

function summaryLines(summary: RunSummary, out: Output): string[] {
  const row = (o: RunTaskOutcome): (string | number | null)[] => [
    o.blueprint_id,
    o.state,
    o.iterations,
    o.reason,
  ];
  const rows = [...summary.completed, ...summary.failed, ...summary.waiting].map(row);
  const lines = [
    out.paint(
      `run continuous stopped (${summary.stopped}) after ${(summary.elapsed_ms / 1000).toFixed(1)} s: ${summary.completed.length} completed, ${summary.failed.length} failed, ${summary.waiting.length} waiting`,
      summary.failed.length > 0 ? 'red' : 'bold',
    ),
    ...table(['TASK', 'STATE', 'ITERATIONS', 'WHY'], rows, '(no task ran)'),
  ];
  const waitingLines = [
    ...summary.held.map((h) => `  held ${h.blueprint_id}: ${h.reasons.join('; ')}`),
    ...summary.blocked.map((b) => `  blocked ${b.blueprint_id}: ${b.reasons.join('; ')}`),
    ...summary.refused.map((r) => `  refused ${r.blueprint_id}: no agent offers ${r.missing.join(', ')}`),
  ];
  if (waitingLines.length > 0) lines.push('', 'not run:', ...waitingLines);
  if (summary.handed_back.length > 0) {
    lines.push('', `handed back (run again to carry on): ${summary.handed_back.join(', ')}`);
  }
  return lines;
}

interface LiveRun {
  blueprintId: string;
  phase: string;
  iteration: number;
  progress: number;
  phaseStartedAt: number;
}

/** The terminal view: redrawn twice a second from the events of the run. */
class LiveView {
  private readonly runs = new Map<string, LiveRun>();
  private readonly finished: string[] = [];
  private next: string[] = [];
  private settings: RunSettings | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly log: ReturnType<typeof createLogUpdate>;

  constructor(private readonly out: Output) {
    // The live view needs the terminal itself (its size, cursor control); it is used only when
    // stdout is one, and writes nothing else there.
    this.log = createLogUpdate(process.stdout);
  }

  start(settings: RunSettings): void {
    this.settings = settings;
    this.timer = setInterval(() => this.draw(), 500);
    this.draw();
  }

  onEvent(event: PenguinEvent): void {
    const id = event.workflow_id;
    switch (event.type) {
      case 'scheduler.dispatched':
        if (id)
          this.runs.set(id, {
            blueprintId: event.blueprint_id ?? '?',
            phase: 'queued',
            iteration: 1,
            progress: 0,
            phaseStartedAt: Date.now(),
          });
        break;
      case 'workflow.phase_started': {
        const run = id ? this.runs.get(id) : undefined;
        if (run) {
          run.phase = event.phase ?? run.phase;
          run.iteration = event.iteration ?? run.iteration;
          run.progress = event.progress ?? run.progress;
          run.phaseStartedAt = Date.parse(event.ts);
        }
        break;
      }
      case 'workflow.completed':
      case 'workflow.failed':
      case 'workflow.cancelled':
      case 'workflow.waiting_input': {
        const run = id ? this.runs.get(id) : undefined;
        if (run) {
          this.runs.delete(id!);
          this.finished.push(`${run.blueprintId} ${event.type.slice('workflow.'.length)}`);
        }
        break;
      }
      case 'scheduler.frontier':
        this.next = event.data.ready;
        break;
      default:
        break;
    }
  }

  private draw(): void {
    const s = this.settings;
    if (!s) return;
    const now = Date.now();
    const running = [...this.runs.values()];
    const busy = new Set(running.map((r) => r.blueprintId));
    const rows = running.map((r) => {
      const box = s.timeboxSec[r.phase as ItuvPhase] as number | undefined;
      const left = box === undefined ? null : Math.max(0, Math.round(box - (now - r.phaseStartedAt) / 1000));
      return [
        r.blueprintId,
        r.phase,
        r.iteration,
        `${Math.round(r.progress)}%`,
        left === null ? null : `${left} s`,
      ];
    });
    const lines = [
      this.out.paint(
        `penguin run continuous: ${s.project}, ${running.length}/${s.parallelism} running, isolation ${s.isolation}`,
        'bold',
      ),
      ...table(['TASK', 'PHASE', 'ITERATION', 'PROGRESS', 'TIMEBOX LEFT'], rows, '(nothing running)'),
      `next: ${
        this.next
          .filter((id) => !busy.has(id))
          .slice(0, 5)
          .join(', ') || '-'
      }`,
      ...(this.finished.length > 0
        ? [this.out.paint(`done: ${this.finished.slice(-6).join(', ')}`, 'dim')]
        : []),
    ];
    this.log(lines.join('\n'));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.draw();
    this.log.done();
  }
}

// network: false — the whole recipe (service, steps, and the http steps' own requests) runs in a child
// Node process inside new Linux network, mount and PID namespaces: only a loopback interface, /sys
// remounted so it lists only that interface, a private empty /tmp (so host unix sockets and files
// there are out of reach), and nothing survives the child (when the namespace's init exits, the
// kernel kills the rest). Where namespaces are unavailable the caller says so.
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Recipe } from '../../blueprint/model.js';
import { runCommand, startProcess } from '../process.js';
import type { NetworkIsolation, RecipeRunResult } from '../results.js';
import type { RecipeRunOptions } from './options.js';
import { RecipeRunResultSchema } from '../../contracts/phase-result.js';
import type { ChildInput } from './protocol.js';
import { firstLine, lastLine, shellJoin, shellQuote } from './shell.js';

export type NamespaceSupport = { available: true; prefix: string[] } | { available: false; reason: string };

/** What the isolated run reports as its network. */
export const ISOLATED: NetworkIsolation = {
  requested: true,
  applied: true,
  detail: 'linux network namespace: only the loopback interface; a private /tmp',
};

const UNSHARE = ['unshare', '--net', '--mount', '--pid', '--fork', '--mount-proc'];

/** Directories under /tmp the run needs (workspace, transcripts, Penguin itself), one per line. */
export const TMP_KEEP_VARIABLE = 'PENGUIN_TMP_KEEP';

// Runs inside the namespaces: bring loopback up (ip, else ifconfig), remount /sys so interface
// listings match the namespace (best effort), mount an empty /tmp of its own and bind back into it
// only the directories the run needs (reached through the old /tmp, which the shell's working
// directory still holds after the mount; --no-canonicalize keeps mount from resolving `./x` to the
// new /tmp), then exec the real command ("$@") where it started.
const INNER_SCRIPT = [
  'if PATH="$PATH:/usr/sbin:/sbin" ip link set lo up 2>/dev/null || PATH="$PATH:/usr/sbin:/sbin" ifconfig lo up 2>/dev/null; then :;',
  'else echo "penguin: could not bring the loopback interface up (neither ip nor ifconfig worked)" >&2; exit 97; fi;',
  'mount -t sysfs sysfs /sys 2>/dev/null || true;',
  'start=$(pwd); cd /tmp || exit 96;',
  'if mount -t tmpfs -o mode=1777 penguin-tmp /tmp; then :;',
  'else echo "penguin: could not mount a private /tmp" >&2; exit 96; fi;',
  `set -f; IFS='
'; for keep in $${TMP_KEEP_VARIABLE}; do`,
  'mkdir -p "/tmp/$keep" && mount --no-canonicalize --bind "./$keep" "/tmp/$keep" ||',
  '{ echo "penguin: could not keep /tmp/$keep in the private /tmp" >&2; exit 96; };',
  `done; unset IFS ${TMP_KEEP_VARIABLE}; set +f; cd "$start" || exit 96;`,
  'exec "$@"',
].join(' ');

/**
 * The directories under /tmp that must stay visible in the private /tmp, relative to /tmp, outermost
 * only. Anything not under /tmp is visible anyway.
 */
export function tmpKeeps(paths: readonly string[]): string[] {
  let tmp: string;
  try {
    tmp = realpathSync('/tmp');
  } catch {
    return [];
  }
  const inside = paths
    .map((path) => {
      try {
        return relative(tmp, realpathSync(path));
      } catch {
        return null;
      }
    })
    .filter((rel): rel is string => rel !== null && !rel.startsWith('..') && !isAbsolute(rel))
    .map((rel) => (rel === '' ? '.' : rel))
    .sort();
  return inside.filter(
    (rel, i) =>
      !inside.slice(0, i).some((outer) => outer === '.' || rel === outer || rel.startsWith(`${outer}/`)),
  );
}

/** The command line that runs `args` inside fresh namespaces. */
export function isolatedCommand(prefix: readonly string[], args: readonly string[]): string {
  return `${shellJoin(prefix)} sh -c ${shellQuote(INNER_SCRIPT)} penguin-netns ${shellJoin(args)}`;
}

let support: Promise<NamespaceSupport> | undefined;

/** Whether namespaces work here: a trial run, done once per process. */
export function checkNetworkNamespaces(): Promise<NamespaceSupport> {
  support ??= probeNamespaces();
  return support;
}

/** The unshare command lines to try, best first. */
export function unshareCandidates(): string[][] {
  // As root plain unshare works; otherwise (or if root lacks CAP_SYS_ADMIN) a user namespace maps us to root.
  const mapped = [...UNSHARE, '--map-root-user'];
  return process.getuid?.() === 0 ? [UNSHARE, mapped] : [mapped];
}

/** Trial-runs each candidate prefix; the first that works is used. */
export async function probeNamespaces(
  candidates: string[][] = unshareCandidates(),
): Promise<NamespaceSupport> {
  if (process.platform !== 'linux')
    return { available: false, reason: `${process.platform} has no Linux namespaces` };
  const reasons: string[] = [];
  for (const prefix of candidates) {
    const result = await runCommand(isolatedCommand(prefix, ['true']), {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH },
      timeoutMs: 10_000,
    });
    if (result.exitCode === 0) return { available: true, prefix };
    reasons.push(
      firstLine(result.stderr) || firstLine(result.startError ?? '') || `exit code ${result.exitCode}`,
    );
  }
  return { available: false, reason: `\`${candidates[0]?.join(' ')}\` failed: ${reasons.join('; ')}` };
}

/**
 * The compiled child entry point: next to this file when running from dist, or the built copy under
 * dist/ when running from src (tests). Null when there is none (not built).
 */
export function resolveChildEntry(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const sibling = join(here, 'isolated-child.js');
  if (existsSync(sibling)) return sibling;
  let root = here;
  while (!existsSync(join(root, 'package.json'))) {
    const parent = dirname(root);
    if (parent === root) return null;
    root = parent;
  }
  const built = join(root, 'dist', relative(join(root, 'src'), here), 'isolated-child.js');
  return existsSync(built) ? built : null;
}

/** The directory holding package.json above `file` (Penguin's own install), else the file's directory. */
function packageRootOf(file: string): string {
  let dir = dirname(file);
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return dirname(file);
    dir = parent;
  }
  return dir;
}

/** How long a cancelled child may take to tear down and report before it is killed. */
const CANCEL_GRACE_MS = 10_000;

/** Extra time the parent allows the child beyond the recipe's own timeout (startup, teardown). */
const CHILD_SLACK_MS = 30_000;

/** Runs the recipe in the isolated child and returns its result; never throws for a recipe failure. */
export async function runIsolated(
  recipe: Recipe,
  options: RecipeRunOptions,
  prefix: readonly string[],
  entry: string,
): Promise<RecipeRunResult> {
  const started = Date.now();
  // The control files live beside the transcript: the child's /tmp is not the host's.
  await mkdir(options.transcriptDir, { recursive: true });
  const dir = await mkdtemp(join(options.transcriptDir, '.isolated-'));
  try {
    const resultFile = join(dir, 'result.json');
    const inputFile = join(dir, 'input.json');
    const input: ChildInput = {
      recipe,
      options: {
        workspaceRoot: options.workspaceRoot,
        ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
        passEnv: options.passEnv,
        allowCommands: options.allowCommands,
        timeoutSec: options.timeoutSec,
        transcriptDir: options.transcriptDir,
        ...(options.vars === undefined ? {} : { vars: options.vars }),
        ...(options.env === undefined ? {} : { env: options.env }),
      },
      network: ISOLATED,
      resultFile,
      cancelFile: join(dir, 'cancel'),
    };
    await writeFile(inputFile, JSON.stringify(input), { encoding: 'utf8', mode: 0o600 });
    // Secrets reach the child through its environment, never a file: only what the recipe may see.
    const sourceEnv = options.sourceEnv ?? process.env;
    const env: Record<string, string | undefined> = { PATH: sourceEnv.PATH, LANG: sourceEnv.LANG };
    for (const name of options.passEnv) env[name] = sourceEnv[name];
    env[TMP_KEEP_VARIABLE] = tmpKeeps([
      options.workspaceRoot,
      options.transcriptDir,
      packageRootOf(entry),
      dirname(process.execPath),
    ]).join('\n');
    const timeoutMs = (recipe.timeout_sec ?? options.timeoutSec) * 1000 + CHILD_SLACK_MS;
    const child = startProcess(isolatedCommand(prefix, [process.execPath, entry, inputFile]), {
      cwd: options.workspaceRoot,
      env,
      timeoutMs,
      killGraceMs: 2_000,
    });
    // Cancel by asking: a signal would also hit unshare, whose exit ends the group at once. The child
    // polls for the file, stops its step and service, and still writes its result and transcript.
    let cancelled = false;
    let forceStop: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      cancelled = true;
      void writeFile(input.cancelFile, 'cancel\n').catch(() => undefined);
      forceStop = setTimeout(() => void child.stop(), CANCEL_GRACE_MS);
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    const result = await child.exited;
    options.signal?.removeEventListener('abort', onAbort);
    if (forceStop) clearTimeout(forceStop);
    let raw: string | null = null;
    try {
      raw = await readFile(resultFile, 'utf8');
    } catch {
      raw = null;
    }
    if (raw !== null) {
      const parsed = RecipeRunResultSchema.safeParse(JSON.parse(raw));
      if (parsed.success) return parsed.data;
    }
    const why = cancelled
      ? 'was cancelled'
      : result.timedOut
        ? `timed out after ${Math.round(timeoutMs / 1000)} s`
        : `ended without a result (${lastLine(result.stderr) || `exit code ${result.exitCode}`})`;
    return {
      recipe: recipe.name,
      passed: false,
      failure: `the isolated recipe runner ${why}`,
      steps: [],
      service: null,
      network: ISOLATED,
      duration_ms: Date.now() - started,
      artifacts: [],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

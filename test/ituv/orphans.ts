// Test helpers for containment: a command that leaves a detached (setsid) child behind, found again
// from the host by a unique marker in its command line or environment (a pid the command writes
// itself is one of its PID namespace, meaningless outside), so a test can tell whether anything
// outlived its phase and always cleans up after itself, even when the containment under test fails.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';

const markers = new Set<string>();

/** A fresh marker, remembered for `killMarked` in afterEach. */
export function newMarker(): string {
  const marker = `penguin-orphan-${randomUUID()}`;
  markers.add(marker);
  return marker;
}

/**
 * Shell text that starts a detached child in its own session (escaping the process group) that
 * lives 400 s; its command line carries the marker, and it touches a flag file once it has left the
 * group. Append `&` yourself where wanted.
 */
export function detachedSleeper(marker: string): string {
  return `setsid sh -c '${SLEEPER_SCRIPT(marker)}'`;
}

/**
 * Shell text that waits until the detached child has left the process group, so a command that
 * exits right after it reproduces the escape every time (not only when the child is quick).
 */
export function untilDetached(marker: string): string {
  return `while [ ! -e ${flagFile(marker)} ]; do sleep 0.05; done`;
}

const flagFile = (marker: string): string => `/tmp/${marker}.detached`;
const SLEEPER_SCRIPT = (marker: string): string => `touch ${flagFile(marker)}; sleep 400; : ${marker}`;

/**
 * Host pids of live (non-zombie) processes whose command line or environment contains `marker`,
 * except this one. Zombies have neither: they are dead, only not yet reaped.
 */
export function pidsWithMarker(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    if (fileHas(`/proc/${entry}/cmdline`, marker) || fileHas(`/proc/${entry}/environ`, marker)) {
      found.push(Number(entry));
    }
  }
  return found;
}

function fileHas(path: string, text: string): boolean {
  try {
    return readFileSync(path, 'utf8').includes(text);
  } catch {
    return false;
  }
}

/** Remembers a marker that is not of `newMarker` (e.g. a unique path in the environment) for cleanup. */
export function track(marker: string): string {
  markers.add(marker);
  return marker;
}

/** Host pids of the detached sleeper itself (not of the commands that mention its marker). */
export function sleeperPids(marker: string): number[] {
  return pidsWithMarker(marker).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === `sh\0-c\0${SLEEPER_SCRIPT(marker)}\0`;
    } catch {
      return false;
    }
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until no process carries the marker; returns those still alive at the limit. */
export async function survivors(marker: string, limitMs = 5_000): Promise<number[]> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const alive = pidsWithMarker(marker);
    if (alive.length === 0 || Date.now() >= deadline) return alive;
    await sleep(50);
  }
}

/** Polls until the sleeper of `marker` runs; throws when it never shows up. */
export async function sleeperStarted(marker: string, limitMs = 10_000): Promise<number[]> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const pids = sleeperPids(marker);
    if (pids.length > 0) return pids;
    if (Date.now() >= deadline) throw new Error(`the detached child ${marker} never started`);
    await sleep(50);
  }
}

/** SIGKILLs everything any marker of this test file names: cleanup that works when a test failed. */
export function killMarked(): void {
  for (const marker of markers) {
    rmSync(flagFile(marker), { force: true });
    for (const pid of pidsWithMarker(marker)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  markers.clear();
}

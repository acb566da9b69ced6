// network: false. Needs the built runner (npm test builds first): the recipe runs in a child Node
// process inside a network namespace. Nothing here sends traffic anywhere but loopback.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkNetworkNamespaces,
  probeNamespaces,
  resolveChildEntry,
  tmpKeeps,
} from '../../../src/ituv/recipe/isolation.js';
import { runRecipe } from '../../../src/ituv/recipe/runner.js';
import type { Transcript } from '../../../src/ituv/recipe/transcript.js';
import { detachedSleeper, untilDetached, killMarked, newMarker, survivors } from '../orphans.js';
import { freeLoopbackPort } from '../../../src/ituv/port.js';
import { recipe, sandbox, SERVER_SCRIPT, type Sandbox } from './helpers.js';

let box: Sandbox;
beforeEach(async () => {
  box = await sandbox();
});
afterEach(async () => {
  killMarked();
  await box.cleanup();
});

const INTERFACES_FROM_PROC =
  "const names = require('node:fs').readFileSync('/proc/net/dev', 'utf8').split('\\n').slice(2)" +
  ".filter(Boolean).map((line) => line.split(':')[0].trim());\n" +
  "if (names.join(',') !== 'lo') throw new Error('interfaces: ' + names.join(','));\n" +
  "const os = Object.keys(require('node:os').networkInterfaces());\n" +
  "if (os.join(',') !== 'lo') throw new Error('os interfaces: ' + os.join(','));";

describe('runRecipe with network: false', () => {
  it('runs everything with only a loopback interface, or says plainly that it could not', async () => {
    const support = await checkNetworkNamespaces();
    const isolated = support.available && resolveChildEntry() !== null;
    if (!isolated && process.env.CI === 'true') {
      throw new Error(
        `network isolation must work in CI: ${support.available ? 'dist not built' : support.reason}`,
      );
    }
    const port = await freeLoopbackPort();
    const result = await runRecipe(
      recipe({
        service: {
          command: `node ${SERVER_SCRIPT}`,
          env: { PORT: String(port) },
          ready: `http://127.0.0.1:${port}/health`,
        },
        steps: [
          {
            kind: 'http',
            run: 'POST /items',
            body: { name: 'boxed' },
            expect_status: 201,
            capture: { id: 'item.id' },
          },
          { kind: 'http', run: 'GET /items/{{ id }}', expect_json: { name: 'boxed' } },
          { kind: 'shell', run: 'ls /sys/class/net', ...(isolated ? { expect_stdout: '/^lo\\n$/' } : {}) },
          ...(isolated ? [{ kind: 'node' as const, run: INTERFACES_FROM_PROC }] : []),
          { kind: 'shell', run: 'echo "${SECRET:-unset} $TOKEN"', expect_stdout: 'unset tok-123456' },
        ],
      }),
      box.options({
        network: false,
        passEnv: ['TOKEN'],
        sourceEnv: { PATH: process.env.PATH, SECRET: 'hidden-value', TOKEN: 'tok-123456' },
      }),
    );

    expect(result.failure).toBeNull();
    expect(result.network.requested).toBe(true);
    if (isolated) {
      expect(result.network).toEqual({
        requested: true,
        applied: true,
        detail: 'linux network namespace: only the loopback interface; a private /tmp',
      });
    } else {
      expect(result.network.applied).toBe(false);
      expect(result.network.detail).toMatch(/the recipe ran with the host network$/);
    }
    expect(result.steps.every((step) => step.passed)).toBe(true);
    expect(result.service).toMatchObject({ started: true, ready: true, stopped: true });

    const transcript = JSON.parse(
      await readFile(join(box.transcripts, 'transcript.json'), 'utf8'),
    ) as Transcript;
    expect(transcript.network).toEqual(result.network);
    expect(transcript.steps.at(-1)?.stdout).toBe('unset ***\n');
    expect(result.artifacts.map((a) => a.name)).toEqual(['transcript.json', 'service.log']);
  });

  it('gives the recipe a private /tmp that still holds its workspace', async () => {
    const support = await checkNetworkNamespaces();
    if (!support.available || resolveChildEntry() === null) {
      if (process.env.CI === 'true') throw new Error('network isolation must work in CI');
      return;
    }
    // Before: the recipe shared the host's /tmp, unix sockets and all.
    const hostFile = join(tmpdir(), `penguin-host-only-${process.pid}-${Date.now()}`);
    writeFileSync(hostFile, 'host\n');
    const recipeFile = `/tmp/penguin-recipe-only-${process.pid}-${Date.now()}`;
    try {
      const result = await runRecipe(
        recipe({
          steps: [
            { kind: 'shell', run: `test ! -e ${hostFile}` },
            { kind: 'shell', run: `echo recipe > ${recipeFile} && pwd`, expect_stdout: box.workspace },
            { kind: 'shell', run: 'echo kept > in-workspace.txt' },
          ],
        }),
        box.options({ network: false }),
      );
      expect(result.failure).toBeNull();
      expect(existsSync(recipeFile)).toBe(false);
      expect(readFileSync(join(box.workspace, 'in-workspace.txt'), 'utf8')).toBe('kept\n');
    } finally {
      rmSync(hostFile, { force: true });
      rmSync(recipeFile, { force: true });
    }
  });

  it('leaves nothing a step started running, setsid children included', async () => {
    const marker = newMarker();
    const result = await runRecipe(
      recipe({
        steps: [
          { kind: 'shell', run: `${detachedSleeper(marker)} & ${untilDetached(marker)}; echo started` },
        ],
      }),
      box.options({ network: false }),
    );
    expect(result.failure).toBeNull();
    expect(await survivors(marker)).toEqual([]);
  });

  it('kills a hanging step inside the namespace at its timeout', async () => {
    const result = await runRecipe(
      recipe({ steps: [{ kind: 'shell', run: 'sleep 60', timeout_sec: 1 }] }),
      box.options({ network: false }),
    );
    expect(result.failure).toBe('step 1 (`sleep 60`) timed out after 1 s and was killed');
    expect(result.steps[0]?.timed_out).toBe(true);
  });

  it('tears the whole namespace down when cancelled', async () => {
    const token = String(900_000 + Math.floor(Math.random() * 99_999));
    const controller = new AbortController();
    const running = runRecipe(
      recipe({
        service: { command: `sleep ${token}` },
        steps: [{ kind: 'shell', run: 'touch started && sleep 60' }],
      }),
      box.options({ network: false, signal: controller.signal }),
    );
    while (!existsSync(join(box.workspace, 'started'))) await new Promise((r) => setTimeout(r, 50));
    expect(processesRunning(['sleep', token])).toBe(true);
    controller.abort();
    const result = await running;
    expect(result.passed).toBe(false);
    expect(result.failure).toBe('step 1 (`touch started && sleep 60`) was cancelled');
    expect(result.service).toMatchObject({ started: true, stopped: true });
    // The service lived in the namespace's PID space; nothing of it may be left on the host.
    await new Promise((r) => setTimeout(r, 200));
    expect(processesRunning(['sleep', token])).toBe(false);
  });

  it('keeps only the outermost directories under /tmp that the run needs', () => {
    const base = mkdtempSync(join(realpathSync(tmpdir()), 'penguin-keeps-'));
    try {
      mkdirSync(join(base, 'ws', '.penguin'), { recursive: true });
      mkdirSync(join(base, 'other'));
      const rel = relative(realpathSync('/tmp'), base);
      const keeps = tmpKeeps([
        join(base, 'ws', '.penguin'),
        join(base, 'ws'),
        '/usr',
        join(base, 'other'),
        join(base, 'gone'),
      ]);
      expect(keeps).toEqual(
        realpathSync(tmpdir()).startsWith(realpathSync('/tmp')) ? [`${rel}/other`, `${rel}/ws`] : [],
      );
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('reports why namespaces are unavailable when unshare fails', async () => {
    const support = await probeNamespaces([['unshare', '--no-such-flag']]);
    expect(support.available).toBe(false);
    if (!support.available) {
      expect(support.reason).toMatch(/^`unshare --no-such-flag` failed: .*(unrecognized|invalid) option/);
    }
  });

  it('finds the built child entry point from the sources', () => {
    // npm test builds first; without a build runRecipe reports applied: false instead.
    expect(resolveChildEntry()).toMatch(/dist\/ituv\/recipe\/isolated-child\.js$/);
  });
});

/** True when a live process on the host has exactly this argv. */
function processesRunning(argv: string[]): boolean {
  const wanted = `${argv.join('\0')}\0`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z') continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8') === wanted) return true;
    } catch {
      // The process ended while we looked.
    }
  }
  return false;
}

// runRecipe end to end on real processes: a service with http, node, python and shell steps and its
// transcript; failures named by step; timeouts, cancellation and containment; pass_env and secret
// masking; allow_commands; bounded output; artifact paths refused outside the workspace.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecipeService } from '../../../src/blueprint/model.js';
import { runRecipe } from '../../../src/ituv/recipe/runner.js';
import type { Transcript } from '../../../src/ituv/recipe/transcript.js';
import { detachedSleeper, untilDetached, killMarked, newMarker, survivors, track } from '../orphans.js';
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

async function readTranscript(): Promise<Transcript> {
  return JSON.parse(await readFile(join(box.transcripts, 'transcript.json'), 'utf8')) as Transcript;
}

async function serverService(pidFile?: string): Promise<RecipeService> {
  const port = await freeLoopbackPort();
  return {
    command: `node ${SERVER_SCRIPT}`,
    env: { PORT: String(port), ...(pidFile ? { PID_FILE: pidFile } : {}) },
    ready: `http://127.0.0.1:${port}/health`,
    ready_timeout_sec: 20,
  };
}

describe('runRecipe', () => {
  it('runs a service, http steps with capture, node, python and shell steps, and records it all', async () => {
    const pidFile = track(join(box.workspace, 'service.pid'));
    const result = await runRecipe(
      recipe({
        name: 'items',
        service: await serverService(pidFile),
        env: { GREETING: 'hello' },
        artifacts: ['out/*.txt'],
        steps: [
          {
            kind: 'http',
            run: 'POST /items',
            body: { name: 'pen', tags: ['a', 'b'] },
            headers: { 'x-token': '{{ GREETING }}' },
            expect_status: 201,
            expect_json: { item: { id: '*', name: 'pen', tags: ['a'], token: 'hello' }, count: 1 },
            capture: { item_id: 'item.id' },
            covers: [1],
          },
          { kind: 'http', run: 'GET /items/{{ item_id }}', expect_json: { id: 1, name: 'pen' }, covers: [2] },
          {
            kind: 'node',
            run: "if (response.name !== 'pen') throw new Error('bad name');\nconsole.log('node ok ' + vars.item_id);",
            expect_stdout: 'node ok 1',
          },
          {
            kind: 'python',
            run: 'assert response["id"] == 1\nprint("py", vars["item_id"])',
            expect_stdout: '/^py 1$/m',
          },
          {
            kind: 'shell',
            run: 'mkdir -p out && echo "item={{ item_id }} name={{ name }} $GREETING" | tee out/report.txt && echo warn >&2',
            expect_stdout: 'item=1 name=pen hello',
            expect_stderr: '/^warn$/m',
          },
        ],
      }),
      box.options(),
    );

    expect(result.failure).toBeNull();
    expect(result.passed).toBe(true);
    expect(result.steps.map((s) => [s.index, s.kind, s.passed])).toEqual([
      [1, 'http', true],
      [2, 'http', true],
      [3, 'node', true],
      [4, 'python', true],
      [5, 'shell', true],
    ]);
    expect(result.steps[0]).toMatchObject({ status: 201, covers: [1], run: 'POST /items' });
    expect(result.steps[4]).toMatchObject({ exit_code: 0 });
    expect(result.service).toEqual({
      command: `node ${SERVER_SCRIPT}`,
      started: true,
      ready: true,
      stopped: true,
    });
    expect(result.network).toMatchObject({ requested: false, applied: false });

    // The service is gone after the run (found from the host: the pid it wrote is its namespace's).
    expect(Number(await readFile(pidFile, 'utf8'))).toBeGreaterThan(0);
    expect(await survivors(pidFile)).toEqual([]);

    const byName = Object.fromEntries(result.artifacts.map((a) => [a.name, a]));
    expect(byName['transcript.json']?.kind).toBe('transcript');
    expect(byName['service.log']?.kind).toBe('log');
    expect(byName['out/report.txt']).toEqual({
      name: 'out/report.txt',
      path: join(box.workspace, 'out/report.txt'),
      kind: 'file',
      key: 'report',
    });
    expect(await readFile(join(box.transcripts, 'service.log'), 'utf8')).toMatch(/listening on \d+/);

    const transcript = await readTranscript();
    expect(transcript.passed).toBe(true);
    expect(transcript.steps).toHaveLength(5);
    expect(transcript.steps[1]?.ran).toBe('GET /items/1');
    expect(transcript.steps[0]?.http?.request).toMatchObject({
      method: 'POST',
      headers: { 'x-token': 'hello', 'content-type': 'application/json' },
      body: '{"name":"pen","tags":["a","b"]}',
    });
    expect(transcript.steps[0]?.http?.response?.status).toBe(201);
    expect(transcript.steps[0]?.captured).toEqual({ item_id: '1' });
    expect(transcript.steps[4]?.stdout).toBe('item=1 name=pen hello\n');
    expect(transcript.service?.ready_ok).toBe(true);
  });

  it('names the step whose expectation failed and stops there', async () => {
    const result = await runRecipe(
      recipe({
        service: await serverService(),
        steps: [
          { kind: 'http', run: 'GET /health', expect_json: { ok: true } },
          { kind: 'http', run: 'GET /items/99', name: 'read missing', expect_status: 200 },
          { kind: 'shell', run: 'echo never' },
        ],
      }),
      box.options(),
    );
    expect(result.passed).toBe(false);
    expect(result.failure).toBe(
      'step 2 "read missing" (`GET /items/99`) expected status 200 but got 404: "{\\"error\\":\\"not found\\"}"',
    );
    expect(result.steps).toHaveLength(2);
    expect(result.steps[1]).toMatchObject({ passed: false, status: 404, failure: result.failure });
    expect(result.service?.stopped).toBe(true);
  });

  it('reports output, exit code and JSON mismatches with the step', async () => {
    const stdout = await runRecipe(
      recipe({ steps: [{ kind: 'shell', run: 'echo "got 41"', expect_stdout: '/got 42/' }] }),
      box.options(),
    );
    expect(stdout.failure).toBe(
      'step 1 (`echo "got 41"`) expected stdout to match /got 42/; it was "got 41\\n"',
    );

    const exit = await runRecipe(
      recipe({ steps: [{ kind: 'shell', run: 'echo oops >&2; exit 3' }] }),
      box.options(),
    );
    expect(exit.failure).toBe(
      'step 1 (`echo oops >&2; exit 3`) expected exit code 0 but it exited with 3 ("oops")',
    );
    expect(exit.steps[0]?.exit_code).toBe(3);

    const expected = await runRecipe(
      recipe({ steps: [{ kind: 'shell', run: 'exit 3', expect_exit: 3 }] }),
      box.options(),
    );
    expect(expected.passed).toBe(true);

    const json = await runRecipe(
      recipe({
        service: await serverService(),
        steps: [
          { kind: 'http', run: 'POST /items', body: { name: 'a' }, expect_json: { item: { name: 'b' } } },
        ],
      }),
      box.options(),
    );
    expect(json.failure).toBe(
      'step 1 (`POST /items`) response JSON does not match expect_json: $.item.name should be "b" but is "a"',
    );
  });

  it('fails a step with a broken regex expectation instead of throwing', async () => {
    const result = await runRecipe(
      recipe({ steps: [{ kind: 'shell', run: 'echo x', expect_stdout: '/(/' }] }),
      box.options(),
    );
    expect(result.failure).toMatch(
      /^step 1 \(`echo x`\) has an invalid expectation: \/\(\/ is not a valid regular expression/,
    );
  });

  it('fails an http answer >= 400 unless expect_status says so', async () => {
    const result = await runRecipe(
      recipe({ service: await serverService(), steps: [{ kind: 'http', run: 'GET /nowhere' }] }),
      box.options(),
    );
    expect(result.failure).toMatch(
      /^step 1 \(`GET \/nowhere`\) got status 404 \(set expect_status to expect it\)/,
    );
  });

  it('kills a hanging step at its timeout and tears the service down', async () => {
    const pidFile = track(join(box.workspace, 'service.pid'));
    const result = await runRecipe(
      recipe({
        service: await serverService(pidFile),
        steps: [
          { kind: 'http', run: 'GET /health' },
          { kind: 'shell', run: 'sleep 60', timeout_sec: 1 },
        ],
      }),
      box.options(),
    );
    expect(result.passed).toBe(false);
    expect(result.failure).toBe('step 2 (`sleep 60`) timed out after 1 s and was killed');
    expect(result.steps[1]).toMatchObject({ timed_out: true, passed: false });
    expect(result.service).toMatchObject({ started: true, ready: true, stopped: true });
    expect(Number(await readFile(pidFile, 'utf8'))).toBeGreaterThan(0);
    expect(await survivors(pidFile)).toEqual([]);
  });

  it("stops a step when the recipe's own time runs out", async () => {
    const result = await runRecipe(
      recipe({ timeout_sec: 1, steps: [{ kind: 'shell', run: 'sleep 60 & sleep 60' }] }),
      box.options(),
    );
    expect(result.failure).toBe(
      "step 1 (`sleep 60 & sleep 60`) timed out after 1 s and was killed (the recipe's time ran out)",
    );
  });

  it('kills the step and the service when cancelled', async () => {
    const pidFile = track(join(box.workspace, 'service.pid'));
    const controller = new AbortController();
    const running = runRecipe(
      recipe({
        service: await serverService(pidFile),
        steps: [{ kind: 'shell', run: 'touch started && sleep 60' }],
      }),
      box.options({ signal: controller.signal }),
    );
    // Cancel once the step is under way.
    while (!existsSync(join(box.workspace, 'started'))) await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    const result = await running;
    expect(result.failure).toBe('step 1 (`touch started && sleep 60`) was cancelled');
    expect(result.service?.stopped).toBe(true);
    expect(await survivors(pidFile)).toEqual([]);
  });

  it('fails with the output of a service that exits before it is ready', async () => {
    const port = await freeLoopbackPort();
    const result = await runRecipe(
      recipe({
        service: { command: 'echo "bind failed" >&2; exit 3', ready: `http://127.0.0.1:${port}/` },
        steps: [{ kind: 'shell', run: 'echo never' }],
      }),
      box.options(),
    );
    expect(result.failure).toBe(
      'the service `echo "bind failed" >&2; exit 3` exited with code 3 before it was ready; its last output: "bind failed"',
    );
    expect(result.steps).toEqual([]);
    expect(result.service).toMatchObject({ started: true, ready: false, stopped: true });
  });

  it('waits for a ready command', async () => {
    const result = await runRecipe(
      recipe({
        service: { command: 'sleep 0.3 && touch ready.flag && sleep 60', ready: 'test -f ready.flag' },
        steps: [{ kind: 'shell', run: 'ls', expect_stdout: 'ready.flag' }],
      }),
      box.options(),
    );
    expect(result.failure).toBeNull();
  });

  it('gives the recipe only pass_env variables and masks their values', async () => {
    const hostHome = process.env.HOME ?? '/root';
    const result = await runRecipe(
      recipe({
        env: { MODE: 'demo' },
        steps: [
          { kind: 'shell', run: 'echo "${SECRET:-unset}"', expect_stdout: '/^unset$/' },
          {
            kind: 'shell',
            run: 'echo "token=$API_TOKEN mode=$MODE"',
            expect_stdout: 'token=tok-abcdef mode=demo',
          },
          { kind: 'shell', run: 'env', expect_stdout: '/^HOME=/m' },
          { kind: 'shell', run: `test "$HOME" != ${JSON.stringify(hostHome)} && test -d "$HOME"` },
          { kind: 'node', run: "if (process.env.SECRET !== undefined) throw new Error('SECRET leaked');" },
        ],
      }),
      box.options({
        passEnv: ['API_TOKEN', 'NOT_SET'],
        sourceEnv: { PATH: process.env.PATH, SECRET: 's3cr3t-value', API_TOKEN: 'tok-abcdef' },
      }),
    );
    expect(result.failure).toBeNull();
    const raw = await readFile(join(box.transcripts, 'transcript.json'), 'utf8');
    expect(raw).not.toContain('tok-abcdef');
    expect(raw).not.toContain('s3cr3t-value');
    const transcript = JSON.parse(raw) as Transcript;
    expect(transcript.steps[1]?.stdout).toBe('token=*** mode=demo\n');
    const envNames = (transcript.steps[2]?.stdout ?? '')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('=')[0]);
    expect(envNames).not.toContain('SECRET');
    expect(envNames).toEqual(expect.arrayContaining(['PATH', 'HOME', 'API_TOKEN', 'MODE']));
    expect(transcript.env_names).toEqual(['API_TOKEN', 'HOME', 'MODE', 'PATH']);

    // A failure sentence quoting a secret is masked too.
    const failing = await runRecipe(
      recipe({ steps: [{ kind: 'shell', run: 'echo "$API_TOKEN" >&2; exit 1' }] }),
      box.options({ passEnv: ['API_TOKEN'], sourceEnv: { PATH: process.env.PATH, API_TOKEN: 'tok-abcdef' } }),
    );
    expect(failing.failure).toBe(
      'step 1 (`echo "$API_TOKEN" >&2; exit 1`) expected exit code 0 but it exited with 1 ("***")',
    );
  });

  it('refuses commands outside allow_commands before running them', async () => {
    const result = await runRecipe(
      recipe({
        steps: [
          { kind: 'shell', run: 'echo hi' },
          { kind: 'shell', run: 'touch marker && echo ran' },
        ],
      }),
      box.options({ allowCommands: ['echo'] }),
    );
    expect(result.failure).toBe(
      'step 2 (`touch marker && echo ran`) runs `touch`, which is not in usage_runner.allow_commands',
    );
    expect(existsSync(join(box.workspace, 'marker'))).toBe(false);

    const node = await runRecipe(
      recipe({ steps: [{ kind: 'node', run: 'console.log(1)' }] }),
      box.options({ allowCommands: ['echo'] }),
    );
    expect(node.failure).toBe(
      'step 1 (node: `console.log(1)`) runs `node`, which is not in usage_runner.allow_commands',
    );

    const service = await runRecipe(
      recipe({ service: { command: 'touch marker; sleep 5' }, steps: [] }),
      box.options({ allowCommands: ['echo'] }),
    );
    expect(service.failure).toBe('the service runs `touch`, which is not in usage_runner.allow_commands');
    expect(service.service).toMatchObject({ started: false, stopped: false });
    expect(existsSync(join(box.workspace, 'marker'))).toBe(false);

    const allowed = await runRecipe(
      recipe({
        steps: [
          { kind: 'shell', run: '/bin/echo fine' },
          { kind: 'python', run: 'print(1)' },
        ],
      }),
      box.options({ allowCommands: ['echo', 'python3'] }),
    );
    expect(allowed.failure).toBeNull();
  });

  it('checks every command of a shell step, not only the first', async () => {
    // Before: only the first word was checked, so all of these ran `touch`.
    for (const run of [
      'echo x; touch marker',
      'echo $(touch marker)',
      'echo `touch marker`',
      'echo x\ntouch marker',
      'echo x | touch marker',
    ]) {
      const result = await runRecipe(
        recipe({ steps: [{ kind: 'shell', run }] }),
        box.options({ allowCommands: ['echo'] }),
      );
      expect(result.failure, run).toMatch(/runs `touch`, which is not in usage_runner\.allow_commands$/);
      expect(existsSync(join(box.workspace, 'marker')), run).toBe(false);
    }
    const service = await runRecipe(
      recipe({ service: { command: 'node x.js; touch marker' }, steps: [] }),
      box.options({ allowCommands: ['node'] }),
    );
    expect(service.failure).toBe('the service runs `touch`, which is not in usage_runner.allow_commands');
    const computed = await runRecipe(
      recipe({ steps: [{ kind: 'shell', run: '$TOOL x' }] }),
      box.options({ allowCommands: ['echo'] }),
    );
    expect(computed.failure).toBe(
      'step 1 (`$TOOL x`) cannot be checked against usage_runner.allow_commands: the command name `$TOOL` is only known when it runs',
    );
  });

  it('leaves nothing a step or the service started running, setsid children included', async () => {
    const stepMarker = newMarker();
    const serviceMarker = newMarker();
    const port = await freeLoopbackPort();
    const result = await runRecipe(
      recipe({
        service: {
          command: `${detachedSleeper(serviceMarker)} & exec node ${SERVER_SCRIPT}`,
          env: { PORT: String(port) },
          ready: `http://127.0.0.1:${port}/health`,
        },
        steps: [
          {
            kind: 'shell',
            run: `${detachedSleeper(stepMarker)} & ${untilDetached(stepMarker)}; echo started`,
          },
          { kind: 'shell', run: `${detachedSleeper(stepMarker)} & sleep 400`, timeout_sec: 1 },
        ],
      }),
      box.options(),
    );
    expect(result.failure).toBe(
      `step 2 (\`${detachedSleeper(stepMarker).slice(0, 60)}…\`) timed out after 1 s and was killed`,
    );
    expect(result.steps[0]).toMatchObject({ passed: true });
    expect(await survivors(stepMarker)).toEqual([]);
    expect(await survivors(serviceMarker)).toEqual([]);
  });

  it('keeps step and service output bounded in memory and in the transcript', async () => {
    const port = await freeLoopbackPort();
    const result = await runRecipe(
      recipe({
        service: {
          command: `head -c 8000000 /dev/zero | tr '\\0' s; exec node ${SERVER_SCRIPT}`,
          env: { PORT: String(port) },
          ready: `http://127.0.0.1:${port}/health`,
        },
        steps: [
          {
            kind: 'shell',
            run: "head -c 8000000 /dev/zero | tr '\\0' x; echo; echo tail-line",
            expect_stdout: '/tail-line\n$/',
          },
        ],
      }),
      box.options(),
    );
    expect(result.failure).toBeNull();
    const transcript = await readTranscript();
    expect(transcript.steps[0]?.stdout?.length).toBeLessThan(300 * 1024);
    expect(transcript.steps[0]?.stdout).toMatch(/bytes truncated\)|more characters cut\]/);
    const log = await readFile(join(box.transcripts, 'service.log'), 'utf8');
    expect(log.length).toBeLessThanOrEqual(1024 * 1024 + 100);
    expect(log).toMatch(/^\(\d+ characters truncated\)\n/);
  });

  it('masks secrets in the text files its artifacts collect, and leaves the workspace file alone', async () => {
    // Before: an artifact was recorded as it lay in the workspace, secret and all.
    const result = await runRecipe(
      recipe({
        artifacts: ['out/*'],
        steps: [
          {
            kind: 'shell',
            run: 'mkdir -p out && echo "token=$API_TOKEN" > out/report.txt && printf "bin\\0$API_TOKEN" > out/blob.bin',
          },
        ],
      }),
      box.options({ passEnv: ['API_TOKEN'], sourceEnv: { PATH: process.env.PATH, API_TOKEN: 'tok-abcdef' } }),
    );
    expect(result.failure).toBeNull();
    const report = result.artifacts.find((a) => a.name === 'out/report.txt');
    expect(report?.key).toBe('report');
    expect(await readFile(report?.path ?? '', 'utf8')).toBe('token=***\n');
    expect(await readFile(join(box.workspace, 'out/report.txt'), 'utf8')).toBe('token=tok-abcdef\n');
  });

  it('fails a python step that raises with the exception line, and a node step that throws', async () => {
    const python = await runRecipe(
      recipe({ steps: [{ kind: 'python', run: 'x = 1\nraise ValueError("bad thing")' }] }),
      box.options(),
    );
    expect(python.failure).toBe('step 1 (python: `x = 1…`) raised ValueError: bad thing');

    const node = await runRecipe(
      recipe({ steps: [{ kind: 'node', run: "throw new TypeError('nope')" }] }),
      box.options(),
    );
    expect(node.failure).toBe("step 1 (node: `throw new TypeError('nope')`) raised TypeError: nope");
  });

  it('binds response and vars for code steps even without a previous response', async () => {
    const result = await runRecipe(
      recipe({ steps: [{ kind: 'python', run: 'assert response is None\nassert vars == {"who": "me"}' }] }),
      box.options({ vars: { who: 'me' } }),
    );
    expect(result.failure).toBeNull();
  });

  it('fails clearly on an unknown {{ name }} and on an http step with no base URL', async () => {
    const unknown = await runRecipe(
      recipe({ steps: [{ kind: 'shell', run: 'echo {{ nope }}' }] }),
      box.options(),
    );
    expect(unknown.failure).toBe(
      'step 1 (`echo {{ nope }}`) cannot be expanded: {{ nope }} is not a captured variable, a field of the previous response or a recipe environment variable',
    );

    const noBase = await runRecipe(recipe({ steps: [{ kind: 'http', run: 'GET /x' }] }), box.options());
    expect(noBase.failure).toBe(
      'step 1 (`GET /x`) has no base URL: the recipe has no service with a ready URL and usage_runner.base_url is not set',
    );
  });

  it('uses usage_runner.base_url when the recipe has no service', async () => {
    const service = await serverService();
    const port = service.env?.PORT ?? '';
    // With a ready command (not a URL) the http steps can only go to base_url.
    const result = await runRecipe(
      recipe({
        service: {
          ...service,
          ready: `node -e "fetch('http://127.0.0.1:${port}/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"`,
        },
        steps: [{ kind: 'http', run: 'GET /health', expect_json: { ok: true } }],
      }),
      box.options({ baseUrl: `http://127.0.0.1:${port}` }),
    );
    expect(result.failure).toBeNull();
  });

  it('rejects artifact paths outside the workspace before running anything', async () => {
    await writeFile(join(box.workspace, 'keep.txt'), 'x');
    const result = await runRecipe(
      recipe({ artifacts: ['../etc/*'], steps: [{ kind: 'shell', run: 'touch marker' }] }),
      box.options(),
    );
    expect(result.failure).toBe(
      'recipe artifact `../etc/*` leaves the workspace (`..`); artifact paths must stay inside the workspace root',
    );
    expect(result.steps).toEqual([]);
    expect(existsSync(join(box.workspace, 'marker'))).toBe(false);

    const absolute = await runRecipe(recipe({ artifacts: ['/etc/passwd'], steps: [] }), box.options());
    expect(absolute.failure).toMatch(/^recipe artifact `\/etc\/passwd` is an absolute path/);
  });
});

// CLI rendering: one JSON document under --json, progress and colour only on a terminal, the table
// renderer, and renderError's exit codes (2 usage, 1 failed check) with the stack only under --debug.
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { renderError } from '../../src/cli/errors.js';
import { Output, table, type CliIo } from '../../src/cli/output.js';
import { CheckFailedError, ConflictError, UsageError } from '../../src/errors.js';

function captureIo(isTTY: boolean, env: NodeJS.ProcessEnv = {}): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), isTTY, cwd: '/', env };
}

describe('Output', () => {
  it('writes exactly one JSON document under --json and ignores the human form', () => {
    const io = captureIo(true);
    const out = new Output(io, true);
    out.result({ ok: true, n: [1, 2] }, () => {
      throw new Error('the human form must not be built under --json');
    });
    out.progress('working...');
    expect(io.out).toHaveLength(1);
    expect(JSON.parse(io.out[0] ?? '')).toEqual({ ok: true, n: [1, 2] });
    expect(io.err).toEqual([]);
  });

  it('writes human lines, and progress only on a terminal', () => {
    const piped = captureIo(false);
    new Output(piped, false).progress('working...');
    expect(piped.err).toEqual([]);
    const tty = captureIo(true);
    const out = new Output(tty, false);
    out.progress('working...');
    out.result({}, () => ['a', 'b']);
    expect(tty.err).toEqual(['working...\n']);
    expect(tty.out).toEqual(['a\nb\n']);
  });

  it('colours only on a terminal without NO_COLOR', () => {
    expect(new Output(captureIo(true), false).paint('x', 'red')).toBe('\u001b[31mx\u001b[0m');
    expect(new Output(captureIo(false), false).paint('x', 'red')).toBe('x');
    expect(new Output(captureIo(true, { NO_COLOR: '1' }), false).paint('x', 'red')).toBe('x');
  });
});

describe('table', () => {
  it('aligns columns and shows missing values as -', () => {
    expect(
      table(
        ['ID', 'NAME', 'NOTE'],
        [
          ['BOOK-1', null, 'x'],
          ['B', 'long name', 'y'],
        ],
      ),
    ).toEqual(['ID      NAME       NOTE', 'BOOK-1  -          x', 'B       long name  y']);
  });

  it('shows the empty note when there are no rows', () => {
    expect(table(['ID'], [], 'no tasks')).toEqual(['no tasks']);
  });
});

describe('renderError', () => {
  it('gives usage errors exit 2 and failed checks exit 1, one line each', () => {
    expect(renderError(new UsageError('penguin.yaml:3: bad\nsecond line'), false)).toEqual({
      exitCode: 2,
      text: 'error: penguin.yaml:3: bad second line\n',
    });
    expect(renderError(new ConflictError('cycle'), false).exitCode).toBe(2);
    expect(renderError(new CheckFailedError('gate failed'), false)).toEqual({
      exitCode: 1,
      text: 'error: gate failed\n',
    });
  });

  it('maps commander usage errors to exit 2 and help/version to 0', () => {
    const usage = renderError(
      new CommanderError(1, 'commander.unknownCommand', "error: unknown command 'x'\n(Did you mean y?)"),
      false,
    );
    expect(usage).toEqual({
      exitCode: 2,
      text: "error: unknown command 'x' (Did you mean y?) (see penguin --help)\n",
    });
    expect(renderError(new CommanderError(0, 'commander.version', '0.1.0'), false)).toEqual({
      exitCode: 0,
      text: '',
    });
  });

  it('hides the stack of an unexpected error unless --debug', () => {
    const bug = new TypeError('x is undefined');
    const plain = renderError(bug, false);
    expect(plain).toEqual({
      exitCode: 1,
      text: 'internal error: x is undefined (run with --debug for the stack)\n',
    });
    const debug = renderError(bug, true);
    expect(debug.text).toContain('TypeError: x is undefined\n    at ');
  });

  it('shows a damaged store met on a later query as one sentence, exit 1', () => {
    const damaged = Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' });
    expect(renderError(damaged, false)).toEqual({
      exitCode: 1,
      text: expect.stringMatching(
        /^error: the workspace store is damaged \(database disk image is malformed\); restore it from a backup, .*\n$/,
      ),
    });
  });
});

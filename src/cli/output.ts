// Rendering: exactly one JSON document on stdout under --json, readable text otherwise. Commands
// hand over both forms; nothing else in the CLI writes to stdout.
import { renderTable } from './table.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stdout is a terminal: colour and progress only then. */
  isTTY: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
    cwd: process.cwd(),
    env: process.env,
  };
}

export class Output {
  private readonly io: CliIo;
  readonly json: boolean;
  private readonly color: boolean;

  constructor(io: CliIo, json: boolean) {
    this.io = io;
    this.json = json;
    this.color = io.isTTY && io.env.NO_COLOR === undefined && io.env.TERM !== 'dumb';
  }

  /** Writes the command's result: `data` as JSON, or the lines `human` builds. */
  result(data: unknown, human: () => string | string[]): void {
    if (this.json) {
      this.io.stdout(`${JSON.stringify(data, null, 2)}\n`);
      return;
    }
    const text = human();
    const lines = Array.isArray(text) ? text.join('\n') : text;
    if (lines !== '') this.io.stdout(lines.endsWith('\n') ? lines : `${lines}\n`);
  }

  /** Raw text (e.g. a DOT graph) in human mode. */
  raw(text: string): void {
    this.io.stdout(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Progress notes: on a terminal only, on stderr, so pipes and --json stay clean. */
  progress(text: string): void {
    if (this.io.isTTY && !this.json) this.io.stderr(`${text}\n`);
  }

  paint(text: string, style: 'red' | 'yellow' | 'green' | 'dim' | 'bold'): string {
    if (!this.color) return text;
    const codes = { red: 31, yellow: 33, green: 32, dim: 2, bold: 1 } as const;
    return `\u001b[${codes[style]}m${text}\u001b[0m`;
  }
}

export type Cell = string | number | boolean | null | undefined;

/** A plain left-aligned table with a header row (cli/table.ts); empty `rows` gives just the `empty` note. */
export function table(
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  empty = '(none)',
): string[] {
  if (rows.length === 0) return [empty];
  return renderTable(
    [...headers],
    rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? '-' : String(cell)))),
  );
}

// Small shell helpers: quoting arguments into `sh -c` command lines and finding the program a
// command line runs (for `usage_runner.allow_commands`).
import { basename } from 'node:path';

/** Quotes one argument for POSIX sh. */
export function shellQuote(argument: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(argument)) return argument;
  return `'${argument.replace(/'/g, `'\\''`)}'`;
}

/** Quotes and joins arguments into one command line. */
export function shellJoin(args: readonly string[]): string {
  return args.map(shellQuote).join(' ');
}

/**
 * The basename of the first program a command line runs: leading `NAME=value` assignments are
 * skipped and quotes removed, so `FOO=1 /usr/bin/curl -s x` runs `curl`. Null for an empty line.
 */
export function firstCommandWord(command: string): string | null {
  let rest = command.trimStart();
  for (;;) {
    const assignment = /^[A-Za-z_][A-Za-z0-9_]*=(?:'[^']*'|"[^"]*"|[^\s;|&<>()]*)\s+/.exec(rest);
    if (!assignment) break;
    rest = rest.slice(assignment[0].length);
  }
  const word = /^(?:'[^']*'|"[^"]*"|[^\s;|&<>()'"])+/.exec(rest)?.[0];
  if (!word) return null;
  const unquoted = word.replace(
    /'([^']*)'|"([^"]*)"/g,
    (_m, single: string | undefined, double: string | undefined) => single ?? double ?? '',
  );
  return unquoted === '' ? null : basename(unquoted);
}

/** The last non-empty line of a text (e.g. the exception line of a traceback). */
export function lastLine(text: string): string {
  const lines = text.split('\n').map((line) => line.trim());
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]) return lines[i] as string;
  return '';
}

/** The first non-empty line of a text (e.g. the error line of a usage message). */
export function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim() ?? ''
  );
}

/** The first line of a text, cut to `max` characters, for naming a step in one sentence. */
export function shortText(text: string, max = 60): string {
  const first = text.trim().split('\n')[0] ?? '';
  const more = first.length > max || text.trim().includes('\n');
  return more ? `${first.slice(0, max)}…` : first;
}

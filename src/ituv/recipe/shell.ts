// Small shell helpers: quoting arguments into `sh -c` command lines, and the lines of a text that
// failure messages quote.

/** Quotes one argument for POSIX sh. */
export function shellQuote(argument: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(argument)) return argument;
  return `'${argument.replace(/'/g, `'\\''`)}'`;
}

/** Quotes and joins arguments into one command line. */
export function shellJoin(args: readonly string[]): string {
  return args.map(shellQuote).join(' ');
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

// Quoting for values substituted into `/bin/sh -c` command lines (file names, filters, paths).

/** One POSIX shell word that stands for exactly `value`. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function shellQuoteAll(values: readonly string[]): string {
  return values.map(shellQuote).join(' ');
}

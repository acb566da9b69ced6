// The one table renderer of the CLI: plain left-aligned columns, two spaces apart, for terminals and
// pipes alike (no box drawing, no colour), so a table stays readable when grepped or diffed.

/**
 * The lines of a table: `headers` (none when empty) then `rows`. Columns are as wide as their widest
 * cell; the last column is not padded and no line ends in spaces.
 */
export function renderTable(headers: string[], rows: string[][]): string[] {
  const all = headers.length > 0 ? [headers, ...rows] : rows;
  const widths: number[] = [];
  for (const row of all) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return all.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** Plain-text tables for people: columns padded to their widest cell, numbers right-aligned. */

export type Cell = string | number;

export interface TableOptions {
  /** Indexes of columns to right-align; by default every column whose cells are all numbers. */
  readonly rightAligned?: readonly number[];
}

export function formatTable(headers: readonly string[], rows: readonly (readonly Cell[])[], options: TableOptions = {}): string {
  const text = rows.map((row) => headers.map((_, column) => formatCell(row[column])));
  const widths = headers.map((header, column) => Math.max(header.length, ...text.map((row) => (row[column] ?? '').length)));
  const rightAligned = new Set(
    options.rightAligned ?? headers.flatMap((_, column) => (rows.length > 0 && rows.every((row) => typeof row[column] === 'number') ? [column] : [])),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (rightAligned.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...text.map(line)].join('\n') + '\n';
}

function formatCell(cell: Cell | undefined): string {
  if (cell === undefined) return '';
  return typeof cell === 'number' ? formatNumber(cell) : cell;
}

/** Integers with thousands separators; other numbers with up to 3 significant decimals. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumFractionDigits: Math.abs(value) >= 100 ? 1 : Math.abs(value) >= 1 ? 2 : 4 });
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? Math.round(value) : value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Number(seconds.toFixed(1))} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

/** `1 payload`, `2 payloads`: a count with its noun in the right number. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatNumber(count)} ${count === 1 ? singular : pluralForm}`;
}

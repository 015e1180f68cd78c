/** A result as run_query and sample_rows return it (structuredContent), and what the grid does with it. */
export interface Column {
  name: string;
  type: string;
  nullable: boolean;
}

export interface QueryResult {
  database: string;
  columns: Column[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
  elapsedMs: number;
  runsAs?: string;
}

export type SortOrder = { column: number; descending: boolean } | undefined;

const NUMERIC = /^(tinyint|smallint|int|bigint|decimal|numeric|money|smallmoney|float|real)\b/i;

export const isNumericType = (type: string) => NUMERIC.test(type);

/** How a cell reads in the grid: NULL as NULL, dates and objects as text. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Rows whose cells contain `text` (case-insensitive), in their order; an empty filter keeps every row. */
export function filterRows(rows: unknown[][], text: string): unknown[][] {
  const needle = text.trim().toLowerCase();
  if (!needle) return rows;
  return rows.filter((row) => row.some((v) => v !== null && cellText(v).toLowerCase().includes(needle)));
}

/** A sorted copy: numbers as numbers, the rest as text; NULL first ascending, last descending. */
export function sortRows(rows: unknown[][], order: SortOrder, columns: Column[]): unknown[][] {
  if (!order) return rows;
  const numeric = isNumericType(columns[order.column]?.type ?? '');
  const sign = order.descending ? -1 : 1;
  const key = (v: unknown) => (v === null || v === undefined ? null : numeric ? Number(v) : cellText(v));
  return [...rows].sort((a, b) => {
    const x = key(a[order.column]);
    const y = key(b[order.column]);
    if (x === y) return 0;
    if (x === null) return -sign;
    if (y === null) return sign;
    return (x < y ? -1 : 1) * sign;
  });
}

/** The next sort when a header is clicked: ascending, descending, then none. */
export function nextSort(order: SortOrder, column: number): SortOrder {
  if (order?.column !== column) return { column, descending: false };
  return order.descending ? undefined : { column, descending: true };
}

/** CSV (RFC 4180) or TSV of what the grid shows; NULL is an empty field. */
export function delimited(columns: Column[], rows: unknown[][], separator: ',' | '\t'): string {
  const field = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const text = cellText(v);
    if (separator === '\t') return text.replace(/[\t\r\n]+/g, ' ');
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [columns.map((c) => field(c.name)), ...rows.map((r) => r.map(field))]
    .map((cells) => cells.join(separator))
    .join('\r\n');
}

export interface ChartSpec {
  category: number;
  values: number[];
}

/**
 * What a chart can show: the first non-numeric column as categories and up to three numeric columns as values
 * (when every column is numeric, the first is the category). Key-like columns (a name ending in "id") are not
 * values unless nothing else is numeric: a chart of order numbers says nothing. Nothing without a value column.
 */
export function chartSpec(columns: Column[]): ChartSpec | undefined {
  const numeric = columns.map((c, i) => (isNumericType(c.type) ? i : -1)).filter((i) => i >= 0);
  let category = columns.findIndex((c) => !isNumericType(c.type));
  if (category < 0) category = numeric.shift() ?? -1;
  const candidates = numeric.filter((i) => i !== category);
  const measures = candidates.filter((i) => !/id$/i.test(columns[i]!.name));
  const values = (measures.length ? measures : candidates).slice(0, 3);
  return category >= 0 && values.length ? { category, values } : undefined;
}

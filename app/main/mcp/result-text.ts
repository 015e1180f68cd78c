import type { ColumnInfo, ResultSet } from '../sql/runner.js';

/** Text cells longer than this are cut in the text content (structuredContent keeps them whole). */
export const MAX_CELL_CHARS = 400;

export interface TabularResult {
  database: string;
  columns: ColumnInfo[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
  moreResultSets?: ResultSet[];
}

/**
 * The text a model reads for a query result: one header line (row count, whether it was cut, columns with
 * their types), then the rows as CSV (RFC 4180). Column names appear once, not on every row as in JSON, which
 * roughly halves the tokens a result costs (measured by `npm run bench`). NULL is an empty field; an empty
 * string is `""`.
 */
export function resultText(r: TabularResult, rowLimit: number): string {
  const head = `# ${r.rowCount} row${r.rowCount === 1 ? '' : 's'} from ${r.database}${
    r.truncated ? ` (truncated at ${rowLimit}: narrow the query or aggregate)` : ''
  }`;
  const parts = [table(head, r.columns, r.rows)];
  (r.moreResultSets ?? []).forEach((set, i) =>
    parts.push(table(`# result set ${i + 2}: ${set.rows.length} rows`, set.columns, set.rows)),
  );
  return parts.join('\n\n');
}

function table(head: string, columns: ColumnInfo[], rows: unknown[][]): string {
  const types = columns.map((c) => `${c.name} ${c.type}${c.nullable ? '' : ' not null'}`).join(', ');
  const lines = [`${head} · columns: ${types}`, columns.map((c) => csvCell(c.name)).join(',')];
  const shown = columns.map((c) => dateText(c.type));
  for (const row of rows) lines.push(row.map((v, i) => csvCell(shown[i] ? shown[i](v) : v)).join(','));
  return lines.join('\n');
}

/**
 * Dates as SQL Server prints them: the driver hands `date`, `datetime` and `datetime2` values over as UTC
 * instants (ISO text in structuredContent); in the text a date is `2024-05-01` and a time of day drops the `T`,
 * the zero milliseconds and the `Z` that SQL Server's types do not have. `datetimeoffset` keeps its ISO form.
 */
function dateText(type: string): ((v: unknown) => unknown) | undefined {
  const t = type.toLowerCase();
  if (t === 'date') return (v) => (typeof v === 'string' ? v.slice(0, 10) : v);
  if (t.startsWith('datetime2') || t === 'datetime' || t === 'smalldatetime')
    return (v) =>
      typeof v === 'string' && v.length >= 19 && v.endsWith('Z')
        ? `${v.slice(0, 10)} ${v.slice(11, 19)}${v.slice(19, -1).replace(/^\.0+$/, '')}`
        : v;
  return undefined;
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let text =
    typeof v === 'string'
      ? v
      : typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean'
        ? String(v)
        : JSON.stringify(v);
  if (text === '') return '""';
  if (text.length > MAX_CELL_CHARS) text = `${text.slice(0, MAX_CELL_CHARS)}…[${text.length} chars]`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

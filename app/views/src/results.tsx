import { StrictMode, useMemo, useState, type UIEvent } from 'react';
import { createRoot } from 'react-dom/client';
import { callTool, useToolResult } from './use-tool';
import {
  cellText,
  chartSpec,
  delimited,
  filterRows,
  isNumericType,
  nextSort,
  sortRows,
  type ChartSpec,
  type Column,
  type QueryResult,
  type SortOrder,
} from './table-model';
import './styles.css';

const ROW_HEIGHT = 25;
const VISIBLE = 14;
const PAGE = 500;
const COLORS = ['#2456c9', '#d9730d', '#1a7f5a'];

/** The result grid of run_query and sample_rows: sort, filter, copy, chart, and more rows through fetch_rows. */
function ResultsView() {
  const { app, args, result, error } = useToolResult<QueryResult>('results');
  const [fetched, setFetched] = useState<{ rows: unknown[][]; truncated?: boolean }>({ rows: [] });
  const [loading, setLoading] = useState(false);
  const [note, setNote] = useState<string>();
  const [order, setOrder] = useState<SortOrder>();
  const [filter, setFilter] = useState('');
  const [mode, setMode] = useState<'grid' | 'bar' | 'line'>('grid');

  const all = useMemo(() => (result ? [...result.rows, ...fetched.rows] : []), [result, fetched]);
  const shown = useMemo(
    () => (result ? sortRows(filterRows(all, filter), order, result.columns) : []),
    [all, filter, order, result],
  );
  if (error) return <p className="view error">{error}</p>;
  if (!result) return <p className="view meta">Waiting for the result…</p>;

  const truncated = fetched.truncated ?? result.truncated;
  const sql = typeof args?.sql === 'string' ? args.sql : undefined;
  const spec = chartSpec(result.columns);

  const loadMore = async () => {
    if (!app || !sql) return;
    setLoading(true);
    setNote(undefined);
    try {
      const more = await callTool<QueryResult>(app, 'fetch_rows', {
        sql,
        connection: args?.connection,
        database: result.database,
        offset: all.length,
        count: PAGE,
      });
      setFetched((f) => ({ rows: [...f.rows, ...more.rows], truncated: more.truncated }));
    } catch (err) {
      setNote((err as Error).message);
    } finally {
      setLoading(false);
    }
  };
  const copy = async (separator: ',' | '\t') => {
    const text = delimited(result.columns, shown, separator);
    try {
      await navigator.clipboard.writeText(text);
      setNote(`Copied ${shown.length} rows as ${separator === ',' ? 'CSV' : 'TSV'}.`);
    } catch {
      // Sandboxed frames may have no clipboard: the host's download instead.
      const r = await app
        ?.downloadFile({
          contents: [
            {
              type: 'resource',
              resource: {
                uri: `file:///result.${separator === ',' ? 'csv' : 'tsv'}`,
                mimeType: separator === ',' ? 'text/csv' : 'text/tab-separated-values',
                text,
              },
            },
          ],
        })
        .catch(() => undefined);
      setNote(r ? 'Sent to the host as a download.' : 'This host allows neither copying nor downloads.');
    }
  };

  return (
    <div className="view">
      <div className="bar">
        <strong data-testid="row-count">
          {all.length.toLocaleString('en-US')} row{all.length === 1 ? '' : 's'}
          {truncated ? ' of more (truncated)' : ''}
        </strong>
        <span className="meta">
          {result.database} · {result.elapsedMs} ms{result.runsAs ? ` · as ${result.runsAs}` : ''}
        </span>
        {filter && <span className="meta">{shown.length} match the filter</span>}
      </div>
      {sql && (
        <details>
          <summary className="meta">Statement</summary>
          <pre>{sql}</pre>
        </details>
      )}
      <div className="bar">
        <input
          type="search"
          placeholder="Filter rows"
          aria-label="Filter rows"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <button onClick={() => void copy(',')}>Copy CSV</button>
        <button onClick={() => void copy('\t')}>Copy TSV</button>
        {(['grid', 'bar', 'line'] as const).map((m) => (
          <button
            key={m}
            aria-pressed={mode === m}
            disabled={m !== 'grid' && !spec}
            title={m !== 'grid' && !spec ? 'A chart needs a numeric column' : undefined}
            onClick={() => setMode(m)}
          >
            {m === 'grid' ? 'Grid' : m === 'bar' ? 'Bar chart' : 'Line chart'}
          </button>
        ))}
        {truncated && sql && (
          <button disabled={loading} onClick={() => void loadMore()}>
            {loading ? 'Loading…' : `Load ${PAGE} more`}
          </button>
        )}
        {note && (
          <span className="meta" data-testid="note">
            {note}
          </span>
        )}
      </div>
      {mode === 'grid' || !spec ? (
        <Grid
          columns={result.columns}
          rows={shown}
          order={order}
          onSort={(c) => setOrder(nextSort(order, c))}
        />
      ) : (
        <Chart columns={result.columns} rows={shown} spec={spec} kind={mode} />
      )}
    </div>
  );
}

/** Only the rows in view are rendered: a 100,000-row table costs what 40 rows cost. */
function Grid(p: {
  columns: Column[];
  rows: unknown[][];
  order: SortOrder;
  onSort: (column: number) => void;
}) {
  const [top, setTop] = useState(0);
  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - 5);
  const last = Math.min(p.rows.length, first + VISIBLE + 10);
  const numeric = p.columns.map((c) => isNumericType(c.type));
  return (
    <div
      className="grid"
      role="region"
      aria-label="Result rows"
      onScroll={(e: UIEvent<HTMLDivElement>) => setTop(e.currentTarget.scrollTop)}
    >
      <table>
        <thead>
          <tr>
            {p.columns.map((c, i) => (
              <th
                key={i}
                onClick={() => p.onSort(i)}
                aria-sort={p.order?.column === i ? (p.order.descending ? 'descending' : 'ascending') : 'none'}
              >
                {c.name}
                <small>{c.type}</small>
                {p.order?.column === i ? (p.order.descending ? ' ▼' : ' ▲') : ''}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {first > 0 && <tr style={{ height: first * ROW_HEIGHT }} aria-hidden="true" />}
          {p.rows.slice(first, last).map((row, k) => (
            <tr key={first + k} data-row={first + k}>
              {row.map((v, i) => (
                <td
                  key={i}
                  className={v === null ? 'null' : numeric[i] ? 'num' : undefined}
                  title={cellText(v)}
                >
                  {cellText(v)}
                </td>
              ))}
            </tr>
          ))}
          {last < p.rows.length && (
            <tr style={{ height: (p.rows.length - last) * ROW_HEIGHT }} aria-hidden="true" />
          )}
        </tbody>
      </table>
    </div>
  );
}

/** Bars or lines of up to three numeric columns over the first category column (the first 60 rows shown). */
function Chart(p: { columns: Column[]; rows: unknown[][]; spec: ChartSpec; kind: 'bar' | 'line' }) {
  const rows = p.rows.slice(0, 60);
  const width = 640;
  const height = 240;
  const pad = { left: 48, bottom: 36, top: 8, right: 8 };
  const values = rows.flatMap((r) => p.spec.values.map((i) => Number(r[i]) || 0));
  const max = Math.max(0, ...values);
  const min = Math.min(0, ...values);
  const y = (v: number) => pad.top + (height - pad.top - pad.bottom) * (1 - (v - min) / (max - min || 1));
  const band = (width - pad.left - pad.right) / Math.max(rows.length, 1);
  const x = (k: number) => pad.left + band * k;
  return (
    <figure style={{ margin: 0 }}>
      <svg
        className="chart"
        role="img"
        aria-label={`${p.kind} chart`}
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
      >
        <line x1={pad.left} x2={width - pad.right} y1={y(0)} y2={y(0)} stroke="currentColor" opacity={0.3} />
        <text x={4} y={y(max) + 4}>
          {max.toLocaleString('en-US')}
        </text>
        <text x={4} y={y(min) + 4}>
          {min.toLocaleString('en-US')}
        </text>
        {p.kind === 'bar'
          ? rows.flatMap((r, k) =>
              p.spec.values.map((i, j) => {
                const v = Number(r[i]) || 0;
                const w = (band * 0.8) / p.spec.values.length;
                return (
                  <rect
                    key={`${k}-${j}`}
                    data-testid="bar"
                    x={x(k) + band * 0.1 + w * j}
                    y={Math.min(y(v), y(0))}
                    width={Math.max(w, 1)}
                    height={Math.abs(y(v) - y(0))}
                    fill={COLORS[j]}
                  >
                    <title>{`${cellText(r[p.spec.category])}: ${p.columns[i]!.name} ${v}`}</title>
                  </rect>
                );
              }),
            )
          : p.spec.values.map((i, j) => (
              <polyline
                key={i}
                data-testid="line"
                fill="none"
                stroke={COLORS[j]}
                strokeWidth={2}
                points={rows.map((r, k) => `${x(k) + band / 2},${y(Number(r[i]) || 0)}`).join(' ')}
              />
            ))}
        {rows.length <= 20 &&
          rows.map((r, k) => (
            <text key={k} x={x(k) + band / 2} y={height - pad.bottom + 14} textAnchor="middle">
              {cellText(r[p.spec.category]).slice(0, 10)}
            </text>
          ))}
      </svg>
      <figcaption className="legend meta">
        {p.columns[p.spec.category]!.name}:{' '}
        {p.spec.values.map((i, j) => (
          <span key={i} style={{ color: COLORS[j] }}>
            ■ {p.columns[i]!.name}
          </span>
        ))}
        {p.rows.length > rows.length ? ` (first ${rows.length} of ${p.rows.length} rows)` : ''}
      </figcaption>
    </figure>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ResultsView />
  </StrictMode>,
);

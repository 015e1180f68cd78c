import { useEffect, useState, type FormEvent } from 'react';
import type { AuditFilter } from '../../../shared/control/contract.js';
import type { AuditEntry } from '../../../shared/types.js';
import { useSlice, useStores } from '../context.js';
import { AUDIT_PAGE } from '../stores/inspector.js';
import { Badge, CopyButton } from './ui.js';

const STATEMENT_PREVIEW = 70;

/** `datetime-local` values are local times without a zone: to and from epoch milliseconds. */
const toInput = (ms: number | undefined) =>
  ms === undefined ? '' : new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
const fromInput = (v: string) => (v ? new Date(v).getTime() : undefined);

/**
 * The audit log as a DBA reads it: every call, refused request and session opened, searched over the whole log
 * (filters offer every value in it, not only those on screen), a date range, text in statements and errors,
 * paged, exported as CSV or JSON for the filtered range. New entries arrive live on the newest page.
 */
export function AuditLog() {
  const { inspector } = useStores();
  const { feed, total, filter, cursors, facets } = useSlice(inspector, (s) => s);
  const [draft, setDraft] = useState<AuditFilter>(filter);
  useEffect(() => setDraft(filter), [filter]);
  const clientName = (id: string) => facets?.clients.find((c) => c.id === id)?.name;
  const apply = (e?: FormEvent) => {
    e?.preventDefault();
    const clean = Object.fromEntries(
      Object.entries(draft).filter(([, v]) => v !== '' && v !== undefined),
    ) as AuditFilter;
    void inspector.getState().search(clean);
  };
  const select = (key: keyof AuditFilter, label: string, values: Array<[string, string]>) => (
    <label>
      {label}{' '}
      <select
        name={`filter-${key}`}
        value={draft[key] ?? ''}
        onChange={(e) => setDraft({ ...draft, [key]: e.target.value || undefined })}
      >
        <option value="">all</option>
        {values.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
  const download = async (format: 'csv' | 'json') => {
    const file = await inspector.getState().exportLog(format);
    if (!file) return;
    const url = URL.createObjectURL(new Blob([file.content], { type: file.mime }));
    const a = document.createElement('a');
    a.href = url;
    a.download = file.filename;
    a.click();
    URL.revokeObjectURL(url);
  };
  const first = (cursors.length - 1) * AUDIT_PAGE;
  const pairs = (xs: string[] | undefined) => (xs ?? []).map((x): [string, string] => [x, x]);
  return (
    <div className="panel">
      <h3>Audit log</h3>
      <form className="filters" data-testid="feed-filters" onSubmit={apply}>
        <label>
          Person{' '}
          <input
            name="filter-person"
            list="audit-people"
            value={draft.person ?? ''}
            onChange={(e) => setDraft({ ...draft, person: e.target.value || undefined })}
          />
          <datalist id="audit-people">
            {facets?.people.map((p) => (
              <option key={p} value={p} />
            ))}
          </datalist>
        </label>
        {select(
          'clientId',
          'Client',
          (facets?.clients ?? []).map((c) => [c.id, c.name ? `${c.name} (${c.id.slice(0, 8)})` : c.id]),
        )}
        {select('tool', 'Tool or request', pairs(facets?.tools))}
        {select('connection', 'Connection', pairs(facets?.connections))}
        {select('database', 'Database', pairs(facets?.databases))}
        {select('outcome', 'Outcome', pairs(facets?.outcomes))}
        <label>
          From{' '}
          <input
            type="datetime-local"
            name="filter-from"
            value={toInput(draft.from)}
            onChange={(e) => setDraft({ ...draft, from: fromInput(e.target.value) })}
          />
        </label>
        <label>
          To{' '}
          <input
            type="datetime-local"
            name="filter-to"
            value={toInput(draft.to)}
            onChange={(e) => setDraft({ ...draft, to: fromInput(e.target.value) })}
          />
        </label>
        <label>
          Text in statement or error{' '}
          <input
            type="search"
            name="filter-text"
            value={draft.text ?? ''}
            onChange={(e) => setDraft({ ...draft, text: e.target.value || undefined })}
          />
        </label>
        <div className="actions">
          <button type="submit" className="primary" data-testid="audit-search">
            Search
          </button>
          <button type="button" onClick={() => void inspector.getState().search({})}>
            Clear
          </button>
          <button type="button" data-testid="export-csv" onClick={() => void download('csv')}>
            Export CSV
          </button>
          <button type="button" data-testid="export-json" onClick={() => void download('json')}>
            Export JSON
          </button>
        </div>
      </form>
      <p className="muted" role="status" data-testid="audit-range">
        {total === 0
          ? 'No entry matches.'
          : `Entries ${first + 1}–${first + feed.length} of ${total}, newest first${cursors.length === 1 ? ' (new ones appear live)' : ''}.`}
      </p>
      <div className="scroll-x">
        <table data-testid="feed">
          <thead>
            <tr>
              <th>Time</th>
              <th>Tool or request</th>
              <th>Client</th>
              <th>User</th>
              <th>Connection</th>
              <th>Database</th>
              <th>Duration</th>
              <th>Rows</th>
              <th>Outcome</th>
            </tr>
          </thead>
          <tbody>
            {feed.map((e) => (
              <AuditRow key={e.id} e={e} clientName={clientName(e.clientId)} />
            ))}
          </tbody>
        </table>
      </div>
      <div className="actions">
        <button
          type="button"
          data-testid="audit-newer"
          disabled={cursors.length < 2}
          onClick={() => void inspector.getState().newer()}
        >
          ← Newer
        </button>
        <button
          type="button"
          data-testid="audit-older"
          disabled={first + feed.length >= total}
          onClick={() => void inspector.getState().older()}
        >
          Older →
        </button>
      </div>
    </div>
  );
}

function AuditRow({ e, clientName }: { e: AuditEntry; clientName?: string }) {
  const request =
    e.durationMs === 0 &&
    !e.statement &&
    (e.errorCode?.startsWith('HTTP') || e.tool === 'initialize' || e.tool === 'server/discover');
  return (
    <tr data-tool={e.tool} data-outcome={e.outcome} data-id={e.id}>
      <td className="nowrap">{new Date(e.at).toLocaleString()}</td>
      <td>
        <code>{e.tool}</code>
        {e.statement && (
          <details className="statement" data-testid="statement">
            <summary>
              {e.statement.length > STATEMENT_PREVIEW
                ? `${e.statement.slice(0, STATEMENT_PREVIEW)}…`
                : e.statement}
            </summary>
            <pre>{e.statement}</pre>
            <CopyButton text={e.statement} label="Copy statement" testId="copy-statement" />
          </details>
        )}
      </td>
      <td title={e.clientId}>{clientName ?? (e.clientId ? <code>{e.clientId}</code> : '—')}</td>
      <td>
        {e.email ?? (e.subject || '—')}
        {e.dbUser ? <span className="muted"> as {e.dbUser}</span> : null}
        {e.rule ? <span className="muted"> · rule {e.rule}</span> : null}
      </td>
      <td>{e.profile ?? '—'}</td>
      <td>{e.database ?? '—'}</td>
      <td>{request ? '—' : `${e.durationMs} ms`}</td>
      <td>{e.rowCount ?? '—'}</td>
      <td title={e.errorMessage}>
        <Badge tone={tone(e)}>{outcomeText(e, request)}</Badge>
        {e.confirmedVia && (
          <span className="muted" data-testid="confirmed">
            {' '}
            {e.outcome === 'declined' ? 'declined' : 'confirmed'} by {e.confirmedBy} ({e.confirmedVia})
          </span>
        )}
        {e.errorMessage && <span className="muted"> {e.errorMessage}</span>}
      </td>
    </tr>
  );
}

const tone = (e: AuditEntry) =>
  e.outcome === 'ok'
    ? 'ok'
    : e.outcome === 'cancelled' || e.outcome === 'expired' || e.outcome === 'running'
      ? 'muted'
      : e.outcome === 'pending'
        ? 'warn'
        : 'fail';

function outcomeText(e: AuditEntry, request: boolean): string {
  if (request)
    return e.outcome === 'ok'
      ? 'session opened'
      : `refused ${e.errorCode?.replace('HTTP ', '') ?? ''}`.trim();
  if (e.outcome === 'pending') return 'waiting for approval';
  if (e.outcome === 'running') return 'running (or interrupted)';
  return e.outcome;
}

import { Fragment, useEffect, useState } from 'react';
import type { GrantInfo, TokenInfo } from '../../../shared/control/contract.js';
import type { AuditEntry, McpRequestEvent } from '../../../shared/types.js';
import { Badge, ErrorBanner, formatDuration, formatTime, useNow } from '../components/ui.js';
import { useSlice, useStores } from '../context.js';

const short = (id: string) => `${id.slice(0, 8)}…`;

export function InspectorPage() {
  const { inspector, status } = useStores();
  const { grants, tokens, feed, requests, selectedJti, error } = useSlice(inspector, (s) => s);
  const live = useSlice(status, (s) => s.live);
  const now = useNow();
  useEffect(() => void inspector.getState().load(), [inspector]);
  const selected = tokens.find((t) => t.jti === selectedJti);
  const activeGrants = grants.filter((g) => !g.revokedAt);

  return (
    <section>
      <div className="heading">
        <h2>Inspector</h2>
        <span data-testid="live">
          {live ? <Badge tone="ok">live</Badge> : <Badge tone="warn">reconnecting…</Badge>}
        </span>
      </div>
      <ErrorBanner message={error} />

      <div className="panel">
        <h3>Sign-in sessions ({activeGrants.length} active)</h3>
        <p className="hint">
          One per client and user: a refresh-token family. Revoking it ends every token in it at once.
        </p>
        <table data-testid="grants">
          <thead>
            <tr>
              <th>Client</th>
              <th>User</th>
              <th>Database user</th>
              <th>Scopes</th>
              <th>Started</th>
              <th>Refresh family</th>
              <th>State</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {grants.map((g) => (
              <GrantRow key={g.id} grant={g} now={now} />
            ))}
          </tbody>
        </table>
        {grants.length === 0 && <p className="empty">No one has signed in yet.</p>}
      </div>

      <div className="panel">
        <h3>Access tokens</h3>
        <table data-testid="tokens">
          <thead>
            <tr>
              <th>Token id</th>
              <th>Client</th>
              <th>Subject</th>
              <th>Scopes</th>
              <th>Audience</th>
              <th>Issued</th>
              <th>Expires in</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <TokenRow key={t.jti} token={t} now={now} selected={t.jti === selectedJti} />
            ))}
          </tbody>
        </table>
        {tokens.length === 0 && <p className="empty">No access tokens issued.</p>}
        {selected && (
          <div data-testid="token-claims">
            <h4>Claims of {selected.jti}</h4>
            <pre>{JSON.stringify(selected.claims, null, 2)}</pre>
            <dl className="compact" data-testid="claim-times">
              {TIME_CLAIMS.filter((k) => typeof selected.claims[k] === 'number').map((k) => (
                <Fragment key={k}>
                  <dt>{k}</dt>
                  <dd>{new Date((selected.claims[k] as number) * 1000).toLocaleString()}</dd>
                </Fragment>
              ))}
            </dl>
          </div>
        )}
      </div>

      <CallFeed feed={feed} requests={requests} />
    </section>
  );
}

function GrantRow({ grant: g, now }: { grant: GrantInfo; now: number }) {
  const { inspector } = useStores();
  return (
    <tr data-grant={g.id} className={g.revokedAt ? 'revoked' : undefined}>
      <td>
        <code>{g.clientId}</code>
      </td>
      <td>{g.email ?? g.subject}</td>
      <td>
        <code>{g.dbUser}</code>
      </td>
      <td>{g.scopes.join(' ')}</td>
      <td>{formatTime(g.createdAt)}</td>
      <td>
        {g.refreshIssued} issued
        {g.refreshExpiresAt && !g.revokedAt
          ? `, live one expires in ${formatDuration(g.refreshExpiresAt - now)}`
          : ''}
      </td>
      <td>
        {g.revokedAt ? (
          <Badge tone="fail">{revocationText(g.revokedReason)}</Badge>
        ) : (
          <Badge tone="ok">active</Badge>
        )}
        {g.via === 'broker' && (
          <>
            {' '}
            <Badge tone="muted">brokered</Badge>
          </>
        )}
      </td>
      <td>
        {!g.revokedAt && (
          <button
            type="button"
            className="danger"
            onClick={() =>
              confirm(`Revoke this session of ${g.subject}? Its client must sign in again.`) &&
              void inspector.getState().revokeGrant(g.id)
            }
          >
            Revoke session
          </button>
        )}
      </td>
    </tr>
  );
}

function TokenRow({ token: t, now, selected }: { token: TokenInfo; now: number; selected: boolean }) {
  const { inspector } = useStores();
  const expired = t.expiresAt <= now;
  return (
    <tr data-jti={t.jti} className={selected ? 'selected' : t.revoked || expired ? 'revoked' : undefined}>
      <td>
        <button
          type="button"
          className="link"
          title="Show the decoded claims"
          onClick={() => inspector.getState().select(selected ? undefined : t.jti)}
        >
          {short(t.jti)}
        </button>
      </td>
      <td>
        <code>{t.clientId}</code>
      </td>
      <td>{t.subject}</td>
      <td>{t.scopes.join(' ')}</td>
      <td>
        <code>{t.audience}</code>
      </td>
      <td>{formatTime(t.issuedAt)}</td>
      <td data-testid="expires-in">
        {t.revoked ? (
          <Badge tone="fail">revoked</Badge>
        ) : expired ? (
          <Badge tone="muted">expired</Badge>
        ) : (
          formatDuration(t.expiresAt - now)
        )}
      </td>
      <td>
        {!t.revoked && !expired && (
          <button
            type="button"
            className="danger"
            onClick={() =>
              confirm(`Revoke this access token of ${t.subject}? Its next MCP call is refused.`) &&
              void inspector.getState().revokeToken(t.jti)
            }
          >
            Revoke
          </button>
        )}
      </td>
    </tr>
  );
}

/** Why a session ended, in words (the bridge records a code). */
function revocationText(reason: string | undefined): string {
  switch (reason) {
    case 'revoked_in_app':
      return 'revoked in this app';
    case 'revoked_by_client':
      return 'signed out by its client';
    case 'refresh_token_reuse':
      return 'ended: a used refresh token came back (possible theft)';
    case 'authorization_code_replay':
      return 'ended: an authorization code was replayed';
    default:
      return reason ? `revoked (${reason.replaceAll('_', ' ')})` : 'revoked';
  }
}

/** JWT claims that are times (seconds since 1970), shown as dates beside the raw claims. */
const TIME_CLAIMS = ['iat', 'nbf', 'exp', 'auth_time'] as const;

type FeedRow =
  | { kind: 'call'; at: number; key: string; user: string; client: string; tool: string; entry: AuditEntry }
  | {
      kind: 'request';
      at: number;
      key: string;
      user: string;
      client: string;
      tool: string;
      ev: McpRequestEvent;
    };

const STATEMENT_PREVIEW = 70;

/** Tool calls (from the audit log) and requests that never reached a tool, newest first, filterable. */
function CallFeed({ feed, requests }: { feed: AuditEntry[]; requests: McpRequestEvent[] }) {
  const [filter, setFilter] = useState({ user: '', client: '', tool: '' });
  const rows: FeedRow[] = [
    ...feed.map((e): FeedRow => ({
      kind: 'call',
      at: e.at,
      key: `c${e.id}`,
      user: e.email ?? e.subject,
      client: e.clientId,
      tool: e.tool,
      entry: e,
    })),
    ...requests.map((ev, i): FeedRow => ({
      kind: 'request',
      at: ev.at,
      key: `r${ev.at}-${i}`,
      user: ev.email ?? ev.subject ?? '(unknown)',
      client: ev.clientId ?? '(unknown)',
      tool: ev.method,
      ev,
    })),
  ].sort((a, b) => b.at - a.at);
  const choices = (k: 'user' | 'client' | 'tool') => [...new Set(rows.map((r) => r[k]))].sort();
  const shown = rows.filter(
    (r) =>
      (!filter.user || r.user === filter.user) &&
      (!filter.client || r.client === filter.client) &&
      (!filter.tool || r.tool === filter.tool),
  );
  const select = (k: 'user' | 'client' | 'tool', label: string) => (
    <label>
      {label}{' '}
      <select
        name={`filter-${k}`}
        value={filter[k]}
        onChange={(e) => setFilter({ ...filter, [k]: e.target.value })}
      >
        <option value="">all</option>
        {choices(k).map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div className="panel">
      <h3>MCP calls (live)</h3>
      <div className="actions filters" data-testid="feed-filters">
        {select('user', 'User')}
        {select('client', 'Client')}
        {select('tool', 'Tool or request')}
      </div>
      <div className="scroll-x">
        <table data-testid="feed">
          <thead>
            <tr>
              <th>Time</th>
              <th>Tool or request</th>
              <th>Client</th>
              <th>User</th>
              <th>Database</th>
              <th>Duration</th>
              <th>Rows</th>
              <th>Outcome</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) =>
              r.kind === 'call' ? <CallRow key={r.key} e={r.entry} /> : <RequestRow key={r.key} ev={r.ev} />,
            )}
          </tbody>
        </table>
      </div>
      {rows.length === 0 && <p className="empty">No MCP calls yet. They appear here as they happen.</p>}
      {rows.length > 0 && shown.length === 0 && <p className="empty">No call matches these filters.</p>}
    </div>
  );
}

function CallRow({ e }: { e: AuditEntry }) {
  return (
    <tr data-tool={e.tool} data-outcome={e.outcome}>
      <td>{new Date(e.at).toLocaleTimeString()}</td>
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
          </details>
        )}
      </td>
      <td>
        <code>{e.clientId}</code>
      </td>
      <td>
        {e.email ?? e.subject}
        {e.dbUser ? <span className="muted"> as {e.dbUser}</span> : null}
        {e.rule ? <span className="muted"> · rule {e.rule}</span> : null}
      </td>
      <td>{e.database ?? '—'}</td>
      <td>{e.durationMs} ms</td>
      <td>{e.rowCount ?? '—'}</td>
      <td title={e.errorMessage}>
        <Badge
          tone={
            e.outcome === 'ok'
              ? 'ok'
              : e.outcome === 'cancelled' || e.outcome === 'expired' || e.outcome === 'running'
                ? 'muted'
                : e.outcome === 'pending'
                  ? 'warn'
                  : 'fail'
          }
        >
          {e.outcome === 'pending'
            ? 'waiting for approval'
            : e.outcome === 'running'
              ? 'running (or interrupted)'
              : e.outcome}
        </Badge>
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

function RequestRow({ ev }: { ev: McpRequestEvent }) {
  return (
    <tr data-tool={ev.method} data-outcome={ev.outcome}>
      <td>{new Date(ev.at).toLocaleTimeString()}</td>
      <td>
        <code>{ev.method}</code>
        {ev.protocolVersion && <span className="muted"> · protocol {ev.protocolVersion}</span>}
      </td>
      <td>{ev.clientId ? <code>{ev.clientId}</code> : '—'}</td>
      <td>{ev.email ?? ev.subject ?? '—'}</td>
      <td>—</td>
      <td>—</td>
      <td>—</td>
      <td>
        <Badge tone={ev.outcome === 'accepted' ? 'ok' : 'fail'}>
          {ev.outcome === 'accepted' ? 'session opened' : `refused ${ev.status}`}
        </Badge>
        {ev.reason && <span className="muted"> {ev.reason}</span>}
      </td>
    </tr>
  );
}

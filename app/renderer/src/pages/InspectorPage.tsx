import { Fragment, useEffect } from 'react';
import type { GrantInfo, TokenInfo } from '../../../shared/control/contract.js';
import { AuditLog } from '../components/audit-log.js';
import { Badge, ErrorBanner, formatDuration, formatTime, useNow } from '../components/ui.js';
import { useSlice, useStores } from '../context.js';

const short = (id: string) => `${id.slice(0, 8)}…`;

export function InspectorPage() {
  const { inspector, status } = useStores();
  const { grants, tokens, selectedJti, error } = useSlice(inspector, (s) => s);
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

      <AuditLog />
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

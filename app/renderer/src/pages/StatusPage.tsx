import { useEffect } from 'react';
import type { Page } from '../page.js';
import { CopyButton, ErrorBanner, Badge, formatDuration, useNow } from '../components/ui.js';
import { useSlice, useStores } from '../context.js';

export function StatusPage({ go }: { go: (page: Page) => void }) {
  const stores = useStores();
  const { status, error, live } = useSlice(stores.status, (s) => s);
  const now = useNow();
  // Checked afresh on arrival and every 10 s (the IdP's answer is kept 10 s): not what it was at start.
  useEffect(() => {
    void stores.status.getState().load();
    const timer = setInterval(() => void stores.status.getState().load(), 10_000);
    return () => clearInterval(timer);
  }, [stores]);
  if (!status) return <ErrorBanner message={error ?? 'Loading…'} />;
  return (
    <section>
      <h2>Status</h2>
      <ErrorBanner message={error} />
      {status.problems.length > 0 ? (
        <div className="panel">
          <h3>Needs your action</h3>
          <ul className="problems" data-testid="problems">
            {status.problems.map((p) => (
              <li key={p.message}>
                {p.message}{' '}
                <button type="button" className="link" onClick={() => go(p.page)}>
                  Open
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <div className="banner ok" data-testid="no-problems">
          Ready: the identity provider answers, the state database works, and a SQL Server connection is set
          up.
        </div>
      )}
      <div className="grid">
        <div className="panel">
          <h3>Server</h3>
          <dl>
            <dt>State</dt>
            <dd>
              <Badge tone="ok">running</Badge> for {formatDuration(now - Math.floor(status.startedAt / 1000))}
            </dd>
            <dt>MCP URL</dt>
            <dd>
              <code data-testid="mcp-url">{status.mcpUrl}</code>{' '}
              <CopyButton text={status.mcpUrl} label="Copy" />
            </dd>
            <dt>Authorization server</dt>
            <dd>
              <code>{status.issuer}</code>
            </dd>
            <dt>Port</dt>
            <dd>{status.port}</dd>
            <dt>Version</dt>
            <dd>{status.version}</dd>
          </dl>
        </div>
        <div className="panel">
          <h3>Security</h3>
          <dl>
            <dt>Keychain</dt>
            <dd>
              <Badge tone="ok">{status.keychain}</Badge> secrets are kept in the operating system&apos;s
              keychain
            </dd>
            <dt>Identity provider</dt>
            <dd data-testid="status-idp">
              {status.activeIdp ? (
                <>
                  <code>{status.activeIdp}</code>{' '}
                  {status.readiness.checks.idp === 'ok' ? (
                    <Badge tone="ok">answers</Badge>
                  ) : (
                    <Badge tone="fail">does not answer</Badge>
                  )}
                </>
              ) : (
                <Badge tone="warn">none active</Badge>
              )}
            </dd>
            <dt>Default connection</dt>
            <dd data-testid="status-default-connection">
              {status.defaultConnection ? (
                <code>{status.defaultConnection}</code>
              ) : (
                <Badge tone="warn">none</Badge>
              )}
            </dd>
            <dt>State database</dt>
            <dd>
              {status.readiness.checks.database === 'ok' ? (
                <Badge tone="ok">ok</Badge>
              ) : (
                <Badge tone="fail">not usable</Badge>
              )}
            </dd>
            <dt>IdP redirect URI</dt>
            <dd>
              <code>{status.idpCallback}</code>
            </dd>
            <dt>Sign-in sessions</dt>
            <dd data-testid="active-grants">{status.activeGrants}</dd>
            <dt>MCP sessions</dt>
            <dd>{status.mcpSessions}</dd>
            <dt>Live updates</dt>
            <dd>{live ? <Badge tone="ok">connected</Badge> : <Badge tone="warn">reconnecting…</Badge>}</dd>
          </dl>
        </div>
      </div>
    </section>
  );
}

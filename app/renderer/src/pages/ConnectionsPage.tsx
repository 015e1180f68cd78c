import { useEffect, useState, type FormEvent } from 'react';
import type { ConnectionProfile } from '../../../main/sql/profiles.js';
import type { ConnectionTest } from '../../../main/sql/test-connection.js';
import { Badge, ErrorBanner, Field } from '../components/ui.js';
import { useSlice, useStores } from '../context.js';
import type { ConnectionInput } from '../stores/connections.js';

type AuthType = ConnectionInput['auth']['type'];
type Draft = {
  id: string;
  name: string;
  host: string;
  port: string;
  database: string;
  authType: AuthType;
  user: string;
  domain: string;
  tenant_id: string;
  client_id: string;
  secret: string;
  encrypt: boolean;
  trust_server_certificate: boolean;
  read_only: boolean;
  allow_writes: boolean;
  impersonation: 'none' | 'execute_as_user';
  row_limit: string;
  query_timeout_seconds: string;
  blocked_databases: string;
  allowed_databases: string;
};

const EMPTY: Draft = {
  id: '',
  name: '',
  host: '',
  port: '1433',
  database: 'master',
  authType: 'sql',
  user: '',
  domain: '',
  tenant_id: '',
  client_id: '',
  secret: '',
  encrypt: true,
  trust_server_certificate: false,
  read_only: true,
  allow_writes: false,
  impersonation: 'execute_as_user',
  row_limit: '1000',
  query_timeout_seconds: '30',
  blocked_databases: 'master, msdb, tempdb, model',
  allowed_databases: '',
};

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

function toDraft(p: ConnectionProfile): Draft {
  const a = p.auth as Record<string, string>;
  return {
    ...EMPTY,
    id: p.id,
    name: p.name ?? '',
    host: p.host,
    port: String(p.port),
    database: p.database,
    authType: p.auth.type,
    user: a.user ?? '',
    domain: a.domain ?? '',
    tenant_id: a.tenant_id ?? '',
    client_id: a.client_id ?? '',
    encrypt: p.encrypt,
    trust_server_certificate: p.trust_server_certificate,
    read_only: p.read_only,
    allow_writes: p.allow_writes,
    impersonation: p.impersonation,
    row_limit: String(p.row_limit),
    query_timeout_seconds: String(p.query_timeout_seconds),
    blocked_databases: p.blocked_databases.join(', '),
    allowed_databases: p.allowed_databases.join(', '),
  };
}

function toInput(d: Draft): ConnectionInput {
  // Empty secret means "keep the stored one"; it never comes back to this window.
  const secret = d.secret || undefined;
  const auth: ConnectionInput['auth'] =
    d.authType === 'sql'
      ? { type: 'sql', user: d.user.trim(), password: secret }
      : d.authType === 'ntlm'
        ? { type: 'ntlm', domain: d.domain.trim(), user: d.user.trim(), password: secret }
        : d.authType === 'entra-service-principal'
          ? {
              type: 'entra-service-principal',
              tenant_id: d.tenant_id.trim(),
              client_id: d.client_id.trim(),
              client_secret: secret,
            }
          : { type: 'entra-default' };
  return {
    id: d.id.trim(),
    name: d.name.trim() || undefined,
    host: d.host.trim(),
    port: Number(d.port),
    database: d.database.trim(),
    auth,
    encrypt: d.encrypt,
    trust_server_certificate: d.trust_server_certificate,
    read_only: d.read_only,
    allow_writes: d.allow_writes,
    impersonation: d.impersonation,
    row_limit: Number(d.row_limit),
    query_timeout_seconds: Number(d.query_timeout_seconds),
    blocked_databases: list(d.blocked_databases),
    allowed_databases: list(d.allowed_databases),
  };
}

export function ConnectionsPage() {
  const { connections, status } = useStores();
  const { profiles, tests, error, defaultId } = useSlice(connections, (s) => s);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [editing, setEditing] = useState<ConnectionProfile | undefined>();
  useEffect(() => void connections.getState().load(), [connections]);
  const set = (patch: Partial<Draft>) => setDraft((d) => (d ? { ...d, ...patch } : d));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    if (await connections.getState().save(toInput(draft))) {
      setDraft(null);
      setEditing(undefined);
      void status.getState().load();
    }
  };
  const needsSecret = draft && draft.authType !== 'entra-default';

  return (
    <section>
      <div className="heading">
        <h2>SQL Server connections</h2>
        <button
          type="button"
          className="primary"
          onClick={() => (setEditing(undefined), setDraft({ ...EMPTY }))}
        >
          Add connection
        </button>
      </div>
      <p className="muted">
        The bridge connects with this login and runs each call as the signed-in user&apos;s database user.
        Passwords and secrets go to the keychain and are never shown again.
      </p>
      <ErrorBanner message={error} />
      {draft && (
        <form className="panel form" onSubmit={submit} data-testid="connection-form">
          <h3>{editing ? `Edit ${editing.id}` : 'New connection'}</h3>
          <div className="row">
            <Field label="Profile id" hint="lower-case letters, digits, - and _">
              <input
                name="id"
                required
                disabled={!!editing}
                value={draft.id}
                onChange={(e) => set({ id: e.target.value })}
              />
            </Field>
            <Field label="Name">
              <input name="name" value={draft.name} onChange={(e) => set({ name: e.target.value })} />
            </Field>
          </div>
          <div className="row">
            <Field label="Host">
              <input
                name="host"
                required
                value={draft.host}
                onChange={(e) => set({ host: e.target.value })}
              />
            </Field>
            <Field label="Port">
              <input
                name="port"
                required
                inputMode="numeric"
                pattern="[0-9]+"
                value={draft.port}
                onChange={(e) => set({ port: e.target.value })}
              />
            </Field>
            <Field label="Database">
              <input
                name="database"
                required
                value={draft.database}
                onChange={(e) => set({ database: e.target.value })}
              />
            </Field>
          </div>
          <div className="row">
            <Field label="Authentication">
              <select
                name="authType"
                value={draft.authType}
                onChange={(e) => set({ authType: e.target.value as AuthType })}
              >
                <option value="sql">SQL Server login</option>
                <option value="ntlm">Windows (NTLM)</option>
                <option value="entra-service-principal">Entra ID service principal</option>
                <option value="entra-default">Entra ID default credential</option>
              </select>
            </Field>
            {draft.authType === 'ntlm' && (
              <Field label="Domain">
                <input
                  name="domain"
                  required
                  value={draft.domain}
                  onChange={(e) => set({ domain: e.target.value })}
                />
              </Field>
            )}
            {(draft.authType === 'sql' || draft.authType === 'ntlm') && (
              <Field label="Login">
                <input
                  name="user"
                  required
                  value={draft.user}
                  onChange={(e) => set({ user: e.target.value })}
                />
              </Field>
            )}
            {draft.authType === 'entra-service-principal' && (
              <>
                <Field label="Tenant id">
                  <input
                    name="tenant_id"
                    required
                    value={draft.tenant_id}
                    onChange={(e) => set({ tenant_id: e.target.value })}
                  />
                </Field>
                <Field label="Client id">
                  <input
                    name="client_id"
                    required
                    value={draft.client_id}
                    onChange={(e) => set({ client_id: e.target.value })}
                  />
                </Field>
              </>
            )}
            {needsSecret && (
              <Field
                label={draft.authType === 'entra-service-principal' ? 'Client secret' : 'Password'}
                hint={
                  editing?.has_secret
                    ? 'Stored in the keychain. Leave empty to keep it.'
                    : 'Stored in the keychain.'
                }
              >
                <input
                  name="secret"
                  type="password"
                  autoComplete="new-password"
                  required={!editing?.has_secret}
                  value={draft.secret}
                  onChange={(e) => set({ secret: e.target.value })}
                />
              </Field>
            )}
          </div>
          <div className="row checks">
            <label>
              <input
                type="checkbox"
                name="encrypt"
                checked={draft.encrypt}
                onChange={(e) => set({ encrypt: e.target.checked })}
              />{' '}
              Encrypt
            </label>
            <label>
              <input
                type="checkbox"
                name="trust_server_certificate"
                checked={draft.trust_server_certificate}
                onChange={(e) => set({ trust_server_certificate: e.target.checked })}
              />{' '}
              Trust the server certificate (test servers only)
            </label>
            <label>
              <input
                type="checkbox"
                name="read_only"
                checked={draft.read_only}
                onChange={(e) => set({ read_only: e.target.checked })}
              />{' '}
              Read-only
            </label>
            <label>
              <input
                type="checkbox"
                name="allow_writes"
                checked={draft.allow_writes}
                onChange={(e) => set({ allow_writes: e.target.checked })}
              />{' '}
              Offer writes (execute_statement, needs the mssql:write scope)
            </label>
          </div>
          <div className="row">
            <Field label="Run calls as">
              <select
                name="impersonation"
                value={draft.impersonation}
                onChange={(e) => set({ impersonation: e.target.value as Draft['impersonation'] })}
              >
                <option value="execute_as_user">the signed-in user (EXECUTE AS USER)</option>
                <option value="none">the connection&apos;s login</option>
              </select>
            </Field>
            <Field label="Row limit">
              <input
                name="row_limit"
                inputMode="numeric"
                value={draft.row_limit}
                onChange={(e) => set({ row_limit: e.target.value })}
              />
            </Field>
            <Field label="Query timeout (s)">
              <input
                name="query_timeout_seconds"
                inputMode="numeric"
                value={draft.query_timeout_seconds}
                onChange={(e) => set({ query_timeout_seconds: e.target.value })}
              />
            </Field>
          </div>
          <div className="row">
            <Field label="Blocked databases" hint="comma separated">
              <input
                name="blocked_databases"
                value={draft.blocked_databases}
                onChange={(e) => set({ blocked_databases: e.target.value })}
              />
            </Field>
            <Field label="Allowed databases" hint="comma separated; empty allows all not blocked">
              <input
                name="allowed_databases"
                value={draft.allowed_databases}
                onChange={(e) => set({ allowed_databases: e.target.value })}
              />
            </Field>
          </div>
          <div className="actions">
            <button type="submit" className="primary">
              Save
            </button>
            <button type="button" onClick={() => (setDraft(null), setEditing(undefined))}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {profiles.length === 0 && !draft && (
        <p className="empty">No connection yet. Add one to give the SQL tools a server.</p>
      )}
      {profiles.map((p) => (
        <article key={p.id} className="panel card" data-testid={`connection-${p.id}`}>
          <div className="heading">
            <h3>
              {p.name ?? p.id} <span className="muted">· {p.id}</span>{' '}
              {p.read_only ? <Badge tone="ok">read-only</Badge> : <Badge tone="warn">read-write</Badge>}{' '}
              {p.id === defaultId && <Badge tone="ok">default</Badge>}
            </h3>
            <div className="actions">
              <button
                type="button"
                className="primary"
                onClick={() => void connections.getState().test(p.id)}
              >
                Test connection
              </button>
              {p.id !== defaultId && (
                <button
                  type="button"
                  onClick={() =>
                    void connections
                      .getState()
                      .setDefault(p.id)
                      .then(() => status.getState().load())
                  }
                >
                  Make default
                </button>
              )}
              <button type="button" onClick={() => (setEditing(p), setDraft(toDraft(p)))}>
                Edit
              </button>
              <button
                type="button"
                className="danger"
                onClick={() =>
                  confirm(`Remove the connection "${p.id}"?`) && void connections.getState().remove(p.id)
                }
              >
                Remove
              </button>
            </div>
          </div>
          <dl className="compact">
            <dt>Server</dt>
            <dd>
              <code>
                {p.host},{p.port}
              </code>{' '}
              database <code>{p.database}</code>
            </dd>
            <dt>Login</dt>
            <dd>
              {p.auth.type}
              {'user' in p.auth ? ` ${p.auth.user}` : ''}{' '}
              {p.has_secret ? (
                <Badge tone="muted">secret in keychain</Badge>
              ) : (
                p.auth.type !== 'entra-default' && <Badge tone="warn">no secret stored</Badge>
              )}
            </dd>
            <dt>Limits</dt>
            <dd>
              {p.row_limit} rows, {p.query_timeout_seconds} s; calls run as{' '}
              {p.impersonation === 'execute_as_user' ? 'the signed-in user' : 'the login'}
            </dd>
          </dl>
          {tests[p.id] && <TestOutcome test={tests[p.id]!} />}
        </article>
      ))}
    </section>
  );
}

function TestOutcome({ test }: { test: ConnectionTest | 'running' }) {
  if (test === 'running') return <p className="muted">Connecting…</p>;
  if (test.ok)
    return (
      <div className="banner ok" data-testid="connection-test">
        Connected in <strong>{test.latencyMs} ms</strong> as <code>{test.login}</code> to{' '}
        <code>{test.database}</code>. <span className="muted">{test.serverVersion}</span>
      </div>
    );
  return (
    <div className="banner error" role="alert" data-testid="connection-test">
      <strong>
        {test.code}
        {test.number ? ` ${test.number}` : ''}
      </strong>
      : {test.message}
      {test.fix && <div className="fix">Fix: {test.fix}</div>}
    </div>
  );
}

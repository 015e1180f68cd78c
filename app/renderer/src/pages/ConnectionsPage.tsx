import { useEffect, useState, type FormEvent } from 'react';
import { serverLabel } from '../../../shared/server-label.js';
import type { ConnectionProfile, ConnectionTest } from '../../../shared/types.js';
import { Badge, bindForm, ErrorBanner, escapeCloses, FormActions, RemoveButton } from '../components/ui.js';
import { useSlice, useStores } from '../context.js';
import { DRAFT_TEST, type ConnectionInput } from '../stores/connections.js';

type AuthType = ConnectionInput['auth']['type'];
type Draft = {
  id: string;
  name: string;
  host: string;
  port: string;
  instance: string;
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
  pool_max: string;
  blocked_databases: string;
  allowed_databases: string;
  read_only_procedures: string;
};

const EMPTY: Draft = {
  id: '',
  name: '',
  host: '',
  port: '1433',
  instance: '',
  // No default: master (the server's) is blocked by default, and a profile landing there refuses every call.
  database: '',
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
  pool_max: '10',
  blocked_databases: 'master, msdb, tempdb, model',
  allowed_databases: '',
  read_only_procedures: '',
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
    instance: p.instance ?? '',
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
    pool_max: String(p.pool_max),
    blocked_databases: p.blocked_databases.join(', '),
    allowed_databases: p.allowed_databases.join(', '),
    read_only_procedures: (p.read_only_procedures ?? []).join(', '),
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
    instance: d.instance.trim() || undefined,
    database: d.database.trim(),
    auth,
    encrypt: d.encrypt,
    trust_server_certificate: d.trust_server_certificate,
    read_only: d.read_only,
    allow_writes: d.allow_writes,
    impersonation: d.impersonation,
    row_limit: Number(d.row_limit),
    query_timeout_seconds: Number(d.query_timeout_seconds),
    pool_max: Number(d.pool_max),
    blocked_databases: list(d.blocked_databases),
    allowed_databases: list(d.allowed_databases),
    read_only_procedures: list(d.read_only_procedures),
  };
}

/** The bridge names request fields (`auth.user`); the form's fields are flat, the secret has one box. */
function draftErrors(fields: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(fields)) {
    const key = path.replace(/^auth\./, '');
    out[key === 'password' || key === 'client_secret' ? 'secret' : key] ??= message;
  }
  return out;
}

export function ConnectionsPage() {
  const { connections, status } = useStores();
  const { profiles, error, defaultId, fieldErrors } = useSlice(connections, (s) => s);
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
  const closeForm = () => (setDraft(null), setEditing(undefined));

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
        <ConnectionForm
          draft={draft}
          editing={editing}
          fieldErrors={fieldErrors}
          set={set}
          onSubmit={(e) => void submit(e)}
          onClose={closeForm}
        />
      )}
      {profiles.length === 0 && !draft && (
        <p className="empty">No connection yet. Add one to give the SQL tools a server.</p>
      )}
      {profiles.map((p) => (
        <ConnectionCard
          key={p.id}
          p={p}
          isDefault={p.id === defaultId}
          onEdit={() => (setEditing(p), setDraft(toDraft(p)))}
        />
      ))}
    </section>
  );
}

function TestOutcome({
  test,
  onCancel,
  testId = 'connection-test',
}: {
  test: ConnectionTest | 'running';
  onCancel: () => void;
  testId?: string;
}) {
  if (test === 'running')
    return (
      <p className="muted" role="status" aria-live="polite" data-testid={`${testId}-running`}>
        Connecting…{' '}
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </p>
    );
  if (test.ok)
    return (
      <div className="banner ok" role="status" data-testid={testId}>
        Connected in <strong>{test.latencyMs} ms</strong> as <code>{test.login}</code> to{' '}
        <code>{test.database}</code>. <span className="muted">{test.serverVersion}</span>
      </div>
    );
  return (
    <div className="banner error" role="alert" data-testid={testId}>
      <strong>
        {test.code}
        {test.number ? ` ${test.number}` : ''}
      </strong>
      : {test.message}
      {test.fix && <div className="fix">Fix: {test.fix}</div>}
    </div>
  );
}

/** The add/edit form, with a test of the typed settings before they are saved. */
function ConnectionForm(props: {
  draft: Draft;
  editing?: ConnectionProfile;
  fieldErrors?: Record<string, string>;
  set: (patch: Partial<Draft>) => void;
  onSubmit: (e: FormEvent) => void;
  onClose: () => void;
}) {
  const { draft, editing, onClose: closeForm } = props;
  const { connections } = useStores();
  const tests = useSlice(connections, (s) => s.tests);
  const needsSecret = draft.authType !== 'entra-default';
  const f = bindForm(draft, props.set, draftErrors(props.fieldErrors));
  return (
    <form
      className="panel form"
      onSubmit={props.onSubmit}
      data-testid="connection-form"
      {...escapeCloses(closeForm)}
    >
      <h3>{editing ? `Edit ${editing.id}` : 'New connection'}</h3>
      <div className="row">
        {f.text('id', 'Profile id', {
          required: true,
          disabled: !!editing,
          hint: 'lower-case letters, digits, - and _',
        })}
        {f.text('name', 'Name')}
      </div>
      <div className="row">
        {f.text('host', 'Host', {
          required: true,
          hint: 'a named instance as SQL Server tools write it (sql01\\SQLEXPRESS) also works',
        })}
        {f.text('instance', 'Instance', {
          hint: 'a named instance: its port is asked of SQL Server Browser (UDP 1434)',
        })}
        {f.text('port', 'Port', {
          required: !draft.instance.trim() && !draft.host.includes('\\'),
          disabled: !!draft.instance.trim() || draft.host.includes('\\'),
          inputMode: 'numeric',
          pattern: '[0-9]+',
          hint: draft.instance.trim() || draft.host.includes('\\') ? 'from SQL Server Browser' : undefined,
        })}
        {f.text('database', 'Database', {
          required: true,
          hint: 'the database tools query when a call names none (not a blocked system database)',
        })}
      </div>
      <div className="row">
        {f.select('authType', 'Authentication', [
          ['sql', 'SQL Server login'],
          ['ntlm', 'Windows (NTLM)'],
          ['entra-service-principal', 'Entra ID service principal'],
          ['entra-default', 'Entra ID default credential'],
        ])}
        {draft.authType === 'ntlm' && f.text('domain', 'Domain', { required: true })}
        {(draft.authType === 'sql' || draft.authType === 'ntlm') &&
          f.text('user', 'Login', { required: true })}
        {draft.authType === 'entra-service-principal' && (
          <>
            {f.text('tenant_id', 'Tenant id', { required: true })}
            {f.text('client_id', 'Client id', { required: true })}
          </>
        )}
        {needsSecret &&
          f.text('secret', draft.authType === 'entra-service-principal' ? 'Client secret' : 'Password', {
            type: 'password',
            autoComplete: 'new-password',
            required: !editing?.has_secret,
            hint: editing?.has_secret
              ? 'Stored in the keychain. Leave empty to keep it.'
              : 'Stored in the keychain.',
          })}
      </div>
      <div className="row checks">
        {f.check('encrypt', 'Encrypt')}
        {f.check('trust_server_certificate', 'Trust the server certificate (test servers only)')}
        {f.check('read_only', 'Read-only')}
        {f.check('allow_writes', 'Offer writes (execute_statement, needs the mssql:write scope)')}
      </div>
      <div className="row">
        {f.select('impersonation', 'Run calls as', [
          ['execute_as_user', 'the signed-in user (EXECUTE AS USER)'],
          ['none', "the connection's login"],
        ])}
        {f.text('row_limit', 'Row limit', { inputMode: 'numeric' })}
        {f.text('query_timeout_seconds', 'Query timeout (s)', { inputMode: 'numeric' })}
        {f.text('pool_max', 'Connections in pool', { inputMode: 'numeric' })}
      </div>
      <div className="row">
        {f.text('blocked_databases', 'Blocked databases', { hint: 'comma separated' })}
        {f.text('allowed_databases', 'Allowed databases', {
          hint: 'comma separated; empty allows all not blocked',
        })}
        {f.text('read_only_procedures', 'Read-only procedures', {
          hint: 'comma separated schema.name; callable with EXEC in run_query',
        })}
      </div>
      <div className="actions">
        <button
          type="button"
          data-testid="draft-test-button"
          disabled={tests[DRAFT_TEST] === 'running'}
          onClick={() => void connections.getState().testDraft(toInput(draft))}
        >
          {tests[DRAFT_TEST] === 'running' ? 'Testing…' : 'Test before saving'}
        </button>
      </div>
      {tests[DRAFT_TEST] && (
        <TestOutcome
          test={tests[DRAFT_TEST]}
          testId="draft-test"
          onCancel={() => connections.getState().cancelTest(DRAFT_TEST)}
        />
      )}
      <FormActions submit="Save" onCancel={closeForm} />
    </form>
  );
}

/** One saved connection: what it connects to, its test, default, edit and remove. */
function ConnectionCard({
  p,
  isDefault,
  onEdit,
}: {
  p: ConnectionProfile;
  isDefault: boolean;
  onEdit: () => void;
}) {
  const { connections, status } = useStores();
  const tests = useSlice(connections, (s) => s.tests);
  return (
    <article className="panel card" data-testid={`connection-${p.id}`}>
      <div className="heading">
        <h3>
          {p.name ?? p.id} <span className="muted">· {p.id}</span>{' '}
          {p.read_only ? <Badge tone="ok">read-only</Badge> : <Badge tone="warn">read-write</Badge>}{' '}
          {isDefault && <Badge tone="ok">default</Badge>}{' '}
          {tests[p.id] !== undefined && tests[p.id] !== 'running' && (
            <span data-testid={`connection-${p.id}-state`}>
              {(tests[p.id] as ConnectionTest).ok ? (
                <Badge tone="ok">connects</Badge>
              ) : (
                <Badge tone="fail">test failed</Badge>
              )}
            </span>
          )}
        </h3>
        <div className="actions">
          <button
            type="button"
            className="primary"
            disabled={tests[p.id] === 'running'}
            onClick={() => void connections.getState().test(p.id)}
          >
            {tests[p.id] === 'running' ? 'Testing…' : 'Test connection'}
          </button>
          {!isDefault && (
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
          <button type="button" onClick={onEdit}>
            Edit
          </button>
          <RemoveButton
            what={`the connection "${p.id}"`}
            onRemove={() => void connections.getState().remove(p.id)}
          />
        </div>
      </div>
      <dl className="compact">
        <dt>Server</dt>
        <dd>
          <code>{serverLabel(p)}</code> database <code>{p.database}</code>
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
      {tests[p.id] && (
        <TestOutcome test={tests[p.id]!} onCancel={() => connections.getState().cancelTest(p.id)} />
      )}
    </article>
  );
}

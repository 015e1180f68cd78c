import { useEffect, useState, type FormEvent } from 'react';
import type { ClientConfigSnippets, ClientInfo } from '../../../shared/control/contract.js';
import {
  Badge,
  bindForm,
  CopyButton,
  ErrorBanner,
  escapeCloses,
  Field,
  openInNewTab,
  FormActions,
  RemoveButton,
} from '../components/ui.js';
import { useSlice, useStores } from '../context.js';

export function ClientsPage() {
  const { clients } = useStores();
  const { clients: list, error } = useSlice(clients, (s) => s);
  const [adding, setAdding] = useState(false);
  useEffect(() => void clients.getState().load(), [clients]);
  return (
    <section>
      <div className="heading">
        <h2>MCP clients</h2>
        <button type="button" className="primary" onClick={() => setAdding(true)}>
          Add client
        </button>
      </div>
      <p className="muted">
        Pre-registered clients sign in without a registration step; clients that register themselves (dynamic
        registration) always get a consent page.
      </p>
      <ErrorBanner message={error} />
      <SharedSignIn />
      {adding && <AddClientForm onDone={() => setAdding(false)} />}
      {list.map((c) => (
        <ClientCard key={c.clientId} client={c} />
      ))}
    </section>
  );
}

/**
 * Connectors (Claude Desktop's) may use the sign-in of this computer's user instead of opening a browser, once
 * the person allows each one here; revoking ends the sessions it got that way.
 */
function SharedSignIn() {
  const { clients } = useStores();
  const broker = useSlice(clients, (s) => s.broker);
  useEffect(() => void clients.getState().loadBroker(), [clients]);
  if (!broker) return null;
  const signIn = () => openInNewTab(() => clients.getState().signInHere());
  return (
    <div className="panel" data-testid="shared-sign-in">
      <h3>Sign-in shared with connectors</h3>
      {broker.signedInAs ? (
        <p role="status">
          Signed in on this computer as <strong>{broker.signedInAs.label}</strong>. Connectors you allow get
          their tokens from this sign-in, with no browser step; signing out in the tray ends it.
        </p>
      ) : (
        <p role="status">
          No one is signed in on this computer, so connectors sign in through the browser.{' '}
          <button type="button" onClick={() => void signIn()} data-testid="sign-in-here">
            Sign in on this computer
          </button>
        </p>
      )}
      {broker.allowances.length > 0 && (
        <table data-testid="broker-allowances">
          <thead>
            <tr>
              <th>Client</th>
              <th>For</th>
              <th>Allowed</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {broker.allowances.map((a) => (
              <tr key={`${a.clientId} ${a.subject}`}>
                <td>
                  <code>{a.clientId}</code>
                </td>
                <td>{a.subject}</td>
                <td>{new Date(a.allowedAt).toLocaleString()}</td>
                <td>
                  <RemoveButton
                    what={`the use of your sign-in by "${a.clientId}" (its sessions from it end now)`}
                    onRemove={() => void clients.getState().revokeConnector(a.clientId)}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function AddClientForm({ onDone }: { onDone: () => void }) {
  const { clients } = useStores();
  const [form, setForm] = useState({
    client_id: '',
    client_name: '',
    redirect_uris: '',
    skip_consent: false,
  });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await clients.getState().add({
      client_id: form.client_id.trim(),
      client_name: form.client_name.trim() || undefined,
      redirect_uris: form.redirect_uris.split(/\s+/).filter(Boolean),
      skip_consent: form.skip_consent,
    });
    if (ok) onDone();
  };
  const f = bindForm(form, (patch) => setForm({ ...form, ...patch }));
  return (
    <form
      className="panel form"
      onSubmit={(e) => void submit(e)}
      data-testid="client-form"
      {...escapeCloses(onDone)}
    >
      <h3>New pre-registered client</h3>
      <div className="row">
        {f.text('client_id', 'Client id', { required: true })}
        {f.text('client_name', 'Name')}
      </div>
      <Field
        label="Redirect URIs"
        hint="One per line. Loopback URIs (http://127.0.0.1/…, http://localhost/…) accept any port, as RFC 8252 asks."
      >
        <textarea
          name="redirect_uris"
          required
          rows={3}
          value={form.redirect_uris}
          onChange={(e) => setForm({ ...form, redirect_uris: e.target.value })}
        />
      </Field>
      {f.check('skip_consent', 'Skip the consent page (only for clients you launch yourself)')}
      <FormActions submit="Add" onCancel={onDone} />
    </form>
  );
}

function ClientCard({ client: c }: { client: ClientInfo }) {
  const { clients } = useStores();
  const [snippets, setSnippets] = useState<ClientConfigSnippets>();
  const [installed, setInstalled] = useState<{ text: string; failed: boolean }>();
  // Only pre-registered clients: a config naming a dynamically registered client would be someone else's id.
  const preregistered = c.source === 'preregistered';
  useEffect(() => {
    if (preregistered) void clients.getState().snippets(c.clientId).then(setSnippets);
  }, [clients, c.clientId, preregistered]);
  const claude = snippets?.claudeDesktop && JSON.stringify(snippets.claudeDesktop, null, 2);
  const mcpRemote = snippets?.mcpRemote && JSON.stringify(snippets.mcpRemote, null, 2);
  const vscode = snippets?.vscode && JSON.stringify(snippets.vscode, null, 2);
  return (
    <article className="panel card" data-testid={`client-${c.clientId}`}>
      <div className="heading">
        <h3>
          {c.name ?? c.clientId} <span className="muted">· {c.clientId}</span>{' '}
          <Badge tone={c.source === 'dcr' ? 'warn' : 'muted'}>
            {c.source === 'dcr' ? 'registered itself' : c.fromConfig ? 'config file' : 'added here'}
          </Badge>
        </h3>
        <div className="actions">
          {claude && <InstallInClaudeDesktop clientId={c.clientId} onOutcome={setInstalled} />}
          {claude && <CopyButton text={claude} label="Copy Claude Desktop config" testId="copy-claude" />}
          {vscode && <CopyButton text={vscode} label="Copy VS Code config" testId="copy-vscode" />}
          <RemoveButton
            what={`the client "${c.clientId}" (its users must sign in again)`}
            disabled={c.fromConfig}
            title={c.fromConfig ? 'Defined in the config file (oauth.clients): remove it there.' : undefined}
            onRemove={() => void clients.getState().remove(c.clientId)}
          />
        </div>
      </div>
      {installed && (
        <p
          className={installed.failed ? 'error-text' : 'hint'}
          role={installed.failed ? 'alert' : 'status'}
          data-testid="install-claude-outcome"
        >
          {installed.text}
        </p>
      )}
      <dl className="compact">
        <dt>Redirect URIs</dt>
        <dd>
          {c.redirectUris.map((u) => (
            <code key={u} className="block">
              {u}
            </code>
          ))}
        </dd>
        <dt>Consent</dt>
        <dd>{c.skipConsent ? 'not asked (pre-approved)' : 'asked once per user'}</dd>
      </dl>
      {(claude || vscode) && (
        <details>
          <summary>Configuration snippets</summary>
          {claude && (
            <>
              <p className="hint">
                Claude Desktop: what <b>Install in Claude Desktop</b> adds to{' '}
                <code>claude_desktop_config.json</code>. It starts the bridge&apos;s own connector, which
                opens the sign-in in your browser once and keeps its tokens in this computer&apos;s keychain.
              </p>
              <pre data-testid="claude-snippet">{claude}</pre>
            </>
          )}
          {mcpRemote && (
            <>
              <p className="hint">
                Fallback for Claude Desktop: the same through <code>mcp-remote</code> (npm), which keeps its
                tokens in files under <code>~/.mcp-auth</code>.{' '}
                <CopyButton text={mcpRemote} label="Copy mcp-remote config" testId="copy-mcp-remote" />
              </p>
              <pre data-testid="mcp-remote-snippet">{mcpRemote}</pre>
            </>
          )}
          {vscode && (
            <>
              <p className="hint">
                VS Code: <code>.vscode/mcp.json</code> (VS Code signs in by itself), or{' '}
                <a href={snippets?.vscodeInstallLink} data-testid="vscode-install">
                  Install in VS Code
                </a>
                , or in a terminal:
              </p>
              <pre>{vscode}</pre>
              {snippets?.vscodeCommand && (
                <p className="hint">
                  <code data-testid="vscode-command">{snippets.vscodeCommand}</code>{' '}
                  <CopyButton text={snippets.vscodeCommand} label="Copy command" />
                </p>
              )}
            </>
          )}
          {snippets?.cursorInstallLink && (
            <p className="hint">
              Cursor:{' '}
              <a href={snippets.cursorInstallLink} data-testid="cursor-install">
                Install in Cursor
              </a>{' '}
              (an HTTP server entry; Cursor signs in by itself).
            </p>
          )}
        </details>
      )}
    </article>
  );
}

/** Writes the connector into claude_desktop_config.json; the card shows where, or why not, under its heading. */
function InstallInClaudeDesktop({
  clientId,
  onOutcome,
}: {
  clientId: string;
  onOutcome: (o: { text: string; failed: boolean }) => void;
}) {
  const { clients } = useStores();
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      data-testid="install-claude"
      disabled={busy}
      onClick={() => {
        setBusy(true);
        void clients
          .getState()
          .installClaudeDesktop(clientId)
          .then((r) => {
            setBusy(false);
            onOutcome(
              'ok' in r
                ? {
                    failed: false,
                    text: r.ok.changed
                      ? `Added to ${r.ok.file}${r.ok.backup ? ` (previous file kept as ${r.ok.backup})` : ''}. Restart Claude Desktop to load it.`
                      : `Already in ${r.ok.file}. Restart Claude Desktop if it does not show the server.`,
                  }
                : { failed: true, text: r.error },
            );
          });
      }}
    >
      {busy ? 'Installing…' : 'Install in Claude Desktop'}
    </button>
  );
}

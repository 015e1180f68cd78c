import { useEffect, useState, type FormEvent } from 'react';
import type { PresetInfo } from '../../../shared/control/contract.js';
import type { IdpProfile, TestSignInResult } from '../../../shared/types.js';
import { TestResult } from '../components/test-result.js';
import { ClaimsCompare } from '../components/claims-compare.js';
import {
  Badge,
  bindForm,
  ErrorBanner,
  escapeCloses,
  Field,
  FormActions,
  openInNewTab,
  RemoveButton,
} from '../components/ui.js';
import { useSlice, useStores } from '../context.js';
import type { Diagnosis, IdpInput, IdpState } from '../stores/idp.js';

type Draft = {
  id: string;
  preset: NonNullable<IdpInput['preset']>;
  display_name: string;
  issuer: string;
  client_id: string;
  client_secret: string;
  scopes: string;
  groups_claim: string;
  roles_claim: string;
  db_user_from: 'email_local_part' | 'claim';
  db_user_claim: string;
};

const EMPTY: Draft = {
  id: '',
  preset: 'generic',
  display_name: '',
  issuer: '',
  client_id: '',
  client_secret: '',
  scopes: '',
  groups_claim: '',
  roles_claim: '',
  db_user_from: 'email_local_part',
  db_user_claim: '',
};

function toDraft(p: IdpProfile, presets: PresetInfo[]): Draft {
  // Without an explicit rule the profile uses its provider's default; show that one.
  const rule = p.db_user ?? presets.find((x) => x.id === p.preset)?.dbUser;
  return {
    id: p.id,
    preset: p.preset,
    display_name: p.display_name ?? '',
    issuer: p.issuer,
    client_id: p.client_id,
    client_secret: '',
    scopes: p.scopes?.join(' ') ?? '',
    groups_claim: p.groups_claim ?? '',
    roles_claim: p.roles_claim ?? '',
    db_user_from: rule?.from ?? 'email_local_part',
    db_user_claim: rule?.from === 'claim' ? rule.claim : '',
  };
}

function toInput(d: Draft, existing?: IdpProfile): IdpInput {
  // The form edits everything but extra authorization parameters, which are kept as they are.
  return {
    id: d.id.trim(),
    preset: d.preset,
    display_name: d.display_name.trim() || undefined,
    issuer: d.issuer.trim(),
    client_id: d.client_id.trim(),
    // Empty means "keep the stored secret": it is never sent back to this window.
    client_secret: d.client_secret || undefined,
    scopes: d.scopes.trim() ? d.scopes.trim().split(/\s+/) : undefined,
    groups_claim: d.groups_claim.trim() || undefined,
    roles_claim: d.roles_claim.trim() || undefined,
    db_user:
      d.db_user_from === 'claim'
        ? { from: 'claim', claim: d.db_user_claim.trim() }
        : { from: 'email_local_part' },
    extra_auth_params: existing?.extra_auth_params ?? {},
  };
}

export function IdpPage() {
  const { idp, status } = useStores();
  const { profiles, presets, activeId, error, doctor, fieldErrors, tests } = useSlice(idp, (s) => s);
  const redirectUri = useSlice(status, (s) => s.status?.idpCallback);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [editing, setEditing] = useState<IdpProfile | undefined>();
  useEffect(() => void idp.getState().load(), [idp]);
  const preset = presets.find((p) => p.id === draft?.preset);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    const saved = await idp.getState().save(toInput(draft, editing));
    if (saved) {
      setDraft(null);
      setEditing(undefined);
      void status.getState().load();
    }
  };
  const set = (patch: Partial<Draft>) => setDraft((d) => (d ? { ...d, ...patch } : d));
  const f = bindForm(draft ?? EMPTY, set, fieldErrors);

  return (
    <section>
      <div className="heading">
        <h2>Identity providers</h2>
        <button
          type="button"
          className="primary"
          onClick={() => (setEditing(undefined), setDraft({ ...EMPTY }))}
        >
          Add identity provider
        </button>
      </div>
      <p className="muted">
        Users sign in here before an MCP client gets a token. Register this redirect URI in the IdP
        application: <code data-testid="redirect-uri">{redirectUri}</code>
      </p>
      <ErrorBanner message={error} />
      {draft && (
        <form
          className="panel form"
          onSubmit={(e) => void submit(e)}
          data-testid="idp-form"
          {...escapeCloses(() => (setDraft(null), setEditing(undefined)))}
        >
          <h3>{editing ? `Edit ${editing.id}` : 'New identity provider'}</h3>
          <div className="row">
            <Field label="Provider">
              <select
                name="preset"
                value={draft.preset}
                onChange={(e) => {
                  const next = presets.find((p) => p.id === e.target.value);
                  set({
                    preset: e.target.value as Draft['preset'],
                    // A new profile takes the provider's usual database-user rule.
                    ...(!editing && next
                      ? {
                          db_user_from: next.dbUser.from,
                          db_user_claim: next.dbUser.from === 'claim' ? next.dbUser.claim : '',
                        }
                      : {}),
                  });
                }}
              >
                {presets.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.label}
                  </option>
                ))}
              </select>
            </Field>
            {f.text('id', 'Profile id', {
              required: true,
              disabled: !!editing,
              hint: 'lower-case letters, digits, - and _',
            })}
            {f.text('display_name', 'Display name')}
          </div>
          {preset && <p className="hint">{preset.notes}</p>}
          {f.text('issuer', 'Issuer URL', {
            required: true,
            type: 'url',
            placeholder: preset?.issuerHint,
            hint: preset ? `Looks like ${preset.issuerHint}` : undefined,
          })}
          <div className="row">
            {f.text('client_id', 'Client id', { required: true })}
            {f.text('client_secret', 'Client secret', {
              type: 'password',
              autoComplete: 'new-password',
              hint: editing?.has_client_secret
                ? 'A secret is stored in the keychain. Leave empty to keep it.'
                : 'Only for confidential IdP applications. Stored in the keychain, never shown again.',
            })}
          </div>
          <div className="row">
            {f.text('scopes', 'Scopes', {
              hint: `Default: ${preset?.scopes.join(' ') ?? 'openid profile email'}`,
            })}
            {f.text('groups_claim', 'Groups claim')}
            {f.text('roles_claim', 'Roles claim', {
              hint: 'A dotted path reads a nested claim (realm_access.roles).',
            })}
          </div>
          <div className="row">
            {f.select('db_user_from', 'Database user from', [
              ['email_local_part', 'the part of the email before @'],
              ['claim', 'a claim of the ID token'],
            ])}
            {draft.db_user_from === 'claim' &&
              f.text('db_user_claim', 'Claim name', { required: true, placeholder: 'preferred_username' })}
          </div>
          <FormActions submit="Save" onCancel={() => (setDraft(null), setEditing(undefined))} />
        </form>
      )}
      {profiles.length === 0 && !draft && (
        <p className="empty">No identity provider yet. Add one to let users sign in.</p>
      )}
      {profiles.map((p) => (
        <ProfileCard
          key={p.id}
          profile={p}
          active={p.id === activeId || (profiles.length === 1 && !activeId)}
          diagnosis={doctor[p.id]}
          onEdit={() => (setEditing(p), setDraft(toDraft(p, presets)))}
        />
      ))}
      {profiles.length > 1 && (
        <>
          <h3>Compare claims</h3>
          <ClaimsCompare profiles={profiles} presets={presets} results={latestResults(tests)} />
        </>
      )}
    </section>
  );
}

/** The newest finished test of each profile. */
function latestResults(tests: IdpState['tests']): Record<string, TestSignInResult | undefined> {
  const out: Record<string, TestSignInResult | undefined> = {};
  for (const t of Object.values(tests)) if (t.result) out[t.profileId] = t.result;
  return out;
}

function ProfileCard(props: {
  profile: IdpProfile;
  active: boolean;
  diagnosis?: Diagnosis | 'running';
  onEdit: () => void;
}) {
  const { idp } = useStores();
  const { profile: p } = props;
  const test = useSlice(idp, (s) => s.latestTest(p.id));
  const presetLabel = useSlice(idp, (s) => s.presets.find((x) => x.id === p.preset)?.label ?? p.preset);
  const testing = !!test && !test.result;
  const startTest = (again = false) => openInNewTab(() => idp.getState().startTest(p.id, again));
  return (
    <article className="panel card" data-testid={`idp-${p.id}`}>
      <div className="heading">
        <h3>
          {p.display_name ?? p.id} <span className="muted">· {presetLabel}</span>{' '}
          {props.active && <Badge tone="ok">active</Badge>}
        </h3>
        <div className="actions">
          <button type="button" className="primary" disabled={testing} onClick={() => void startTest()}>
            {testing ? 'Testing…' : 'Test sign-in'}
          </button>
          {test?.result && (
            <button type="button" onClick={() => void startTest(true)} title="The IdP asks for a login again">
              Sign in as someone else
            </button>
          )}
          <button type="button" onClick={() => void idp.getState().diagnose(p.id)}>
            Check configuration
          </button>
          {!props.active && (
            <button type="button" onClick={() => void idp.getState().setActive(p.id)}>
              Make active
            </button>
          )}
          <button type="button" onClick={props.onEdit}>
            Edit
          </button>
          <RemoveButton
            what={`the identity provider "${p.id}"`}
            onRemove={() => void idp.getState().remove(p.id)}
          />
        </div>
      </div>
      <dl className="compact">
        <dt>Issuer</dt>
        <dd>
          <code>{p.issuer}</code>
        </dd>
        <dt>Client id</dt>
        <dd>
          <code>{p.client_id}</code>{' '}
          {p.has_client_secret ? <Badge tone="muted">secret in keychain</Badge> : null}
        </dd>
      </dl>
      {props.diagnosis && <DoctorReport diagnosis={props.diagnosis} />}
      {testing && (
        <p className="muted" data-testid="test-pending" role="status" aria-live="polite">
          Waiting for the sign-in in the other tab…{' '}
          <button type="button" onClick={() => void idp.getState().cancelTest(test.testId)}>
            Cancel
          </button>
        </p>
      )}
      {test?.result && <TestResult result={test.result} profile={p} />}
    </article>
  );
}

function DoctorReport({ diagnosis }: { diagnosis: Diagnosis | 'running' }) {
  if (diagnosis === 'running') return <p className="muted">Checking the configuration…</p>;
  return (
    <div className="doctor" data-testid="doctor">
      <h4>Configuration check</h4>
      <ul>
        {diagnosis.checks.map((c) => (
          <li key={c.id} className={`check ${c.status}`} data-check={c.id} data-status={c.status}>
            <Badge tone={c.status === 'skipped' ? 'muted' : c.status}>{c.status}</Badge>{' '}
            <strong>{c.label}:</strong> {c.detail}
          </li>
        ))}
      </ul>
    </div>
  );
}

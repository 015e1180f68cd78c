import { useEffect, useState, type FormEvent } from 'react';
import type { PolicyConfig, PolicyRuleInput } from '../../../shared/config-schema.js';
import type { AccessExplanation } from '../../../shared/types.js';
import { EXAMPLE_POLICY } from '../../../shared/example-policy.js';
import { AccessView } from '../components/access-view.js';
import { bindForm, CopyButton, ErrorBanner, RemoveButton } from '../components/ui.js';
import { useSlice, useStores } from '../context.js';
import type { Person } from '../stores/policy.js';

/** One rule as the form edits it: lists as comma-separated text. */
interface RuleDraft extends Record<string, string | boolean> {
  id: string;
  description: string;
  groups: string;
  roles: string;
  email_domains: string;
  emails: string;
  idps: string;
  connections: string;
  databases: string;
  allow: string;
  deny: string;
  read: boolean;
  explain: boolean;
  write: boolean;
  row_limit: string;
  timeout_seconds: string;
  db_user: string;
}

/** Where each draft field's value goes in a rule, for errors the bridge reports by path. */
const PATHS: Record<string, string> = {
  groups: 'match.groups',
  roles: 'match.roles',
  email_domains: 'match.email_domains',
  emails: 'match.emails',
  idps: 'match.idps',
  allow: 'tables.allow',
  deny: 'tables.deny',
  read: 'tools',
};

const list = (s: string) =>
  s
    .split(/[,\n]/)
    .map((x) => x.trim())
    .filter(Boolean);
const joined = (xs: string[] | undefined) => (xs ?? []).join(', ');

function toDraft(r: PolicyRuleInput): RuleDraft {
  const tools = r.tools ?? ['read', 'explain'];
  return {
    id: r.id,
    description: r.description ?? '',
    groups: joined(r.match?.groups),
    roles: joined(r.match?.roles),
    email_domains: joined(r.match?.email_domains),
    emails: joined(r.match?.emails),
    idps: joined(r.match?.idps),
    connections: joined(r.connections ?? ['*']),
    databases: joined(r.databases ?? ['*']),
    allow: joined(r.tables?.allow ?? ['*.*']),
    deny: joined(r.tables?.deny),
    read: tools.includes('read'),
    explain: tools.includes('explain'),
    write: tools.includes('write'),
    row_limit: r.row_limit?.toString() ?? '',
    timeout_seconds: r.timeout_seconds?.toString() ?? '',
    db_user: r.db_user ?? '',
  };
}

function fromDraft(d: RuleDraft): PolicyRuleInput {
  const match: NonNullable<PolicyRuleInput['match']> = {};
  for (const k of ['groups', 'roles', 'email_domains', 'emails', 'idps'] as const)
    if (list(d[k]).length) match[k] = list(d[k]);
  const num = (s: string) => (s.trim() ? Number(s) : undefined);
  return {
    id: d.id.trim(),
    description: d.description.trim() || undefined,
    match,
    connections: list(d.connections).length ? list(d.connections) : ['*'],
    databases: list(d.databases).length ? list(d.databases) : ['*'],
    tables: { allow: list(d.allow), deny: list(d.deny) },
    tools: (['read', 'explain', 'write'] as const).filter((t) => d[t]),
    row_limit: num(d.row_limit),
    timeout_seconds: num(d.timeout_seconds),
    db_user: d.db_user.trim() || undefined,
  };
}

export function PolicyPage() {
  const { policy: store } = useStores();
  const { policy, fromConfig, error, fieldErrors, changedElsewhere } = useSlice(store, (s) => s);
  const [rules, setRules] = useState<RuleDraft[] | undefined>();
  const [saved, setSaved] = useState(false);
  useEffect(() => void store.getState().load(), [store]);
  // The form starts from the saved policy, and again after a reload.
  const [loadedFrom, setLoadedFrom] = useState<PolicyConfig | undefined>();
  if (policy && policy !== loadedFrom && !changedElsewhere) {
    setLoadedFrom(policy);
    setRules(policy.rules.map(toDraft));
  }
  if (!rules) return <ErrorBanner message={error} />;

  const update = (i: number, patch: Partial<RuleDraft>) => {
    setSaved(false);
    setRules(rules.map((r, j) => (j === i ? ({ ...r, ...patch } as RuleDraft) : r)));
  };
  const move = (i: number, by: number) => {
    const next = [...rules];
    const [r] = next.splice(i, 1);
    next.splice(i + by, 0, r!);
    setRules(next);
    setSaved(false);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(await store.getState().save({ rules: rules.map(fromDraft) }));
  };
  return (
    <section>
      <form onSubmit={(e) => void submit(e)} data-testid="policy-form" noValidate>
        <div className="heading">
          <h2>Access policy</h2>
          <div className="actions">
            <button
              type="button"
              onClick={() => {
                const n = rules.length + 1;
                setRules([...rules, toDraft({ id: `rule-${n}`, match: {} })]);
              }}
            >
              Add rule
            </button>
            <button type="submit" className="primary" disabled={fromConfig}>
              Save policy
            </button>
          </div>
        </div>
        <p className="muted">
          Rules are tried from the top; the <strong>first</strong> whose conditions fit the person decides
          everything they may do, and is named in refusals and in the audit log. Once there is a rule, a
          person no rule fits can do nothing. Changes apply to the next request of everyone already signed in.
        </p>
        {fromConfig && (
          <div className="banner warn" role="status" data-testid="policy-from-config">
            The config file sets this policy (its <code>policy</code> section) and applies it at every start,
            so it cannot be saved here: a change would be undone. Edit it in the config file and restart the
            bridge. <strong>Try it</strong> below works on what you type here.{' '}
            <CopyButton
              text={JSON.stringify({ rules: rules.map(fromDraft) }, null, 2)}
              label="Copy as JSON"
            />
          </div>
        )}
        {changedElsewhere && (
          <div className="banner warn" role="status">
            The policy was changed elsewhere.{' '}
            <button type="button" onClick={() => void store.getState().load()}>
              Load the saved policy
            </button>
          </div>
        )}
        <ErrorBanner message={error} />
        {saved && (
          <div className="banner ok" role="status" data-testid="policy-saved">
            Saved. It applies from the next request.
          </div>
        )}
        {rules.length === 0 && (
          <div className="empty">
            <p>No rules: everyone who signs in gets what the connection profiles allow.</p>
            <button type="button" onClick={() => setRules(EXAMPLE_POLICY.rules.map(toDraft))}>
              Start from an example (analysts read, DBAs write)
            </button>
          </div>
        )}
        {rules.map((r, i) => (
          <RuleEditor
            key={i}
            index={i}
            count={rules.length}
            draft={r}
            errors={errorsOf(fieldErrors, i)}
            onChange={(patch) => update(i, patch)}
            onMove={(by) => move(i, by)}
            onRemove={() => (setRules(rules.filter((_, j) => j !== i)), setSaved(false))}
          />
        ))}
      </form>
      <TryIt draft={{ rules: rules.map(fromDraft) }} />
    </section>
  );
}

/** The bridge's field errors of rule `i`, keyed by the draft's field names. */
function errorsOf(all: Record<string, string> | undefined, i: number): Record<string, string> {
  const out: Record<string, string> = {};
  if (!all) return out;
  for (const [path, message] of Object.entries(all)) {
    const prefix = `rules.${i}.`;
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    const field =
      Object.entries(PATHS).find(([, p]) => rest === p || rest.startsWith(`${p}.`))?.[0] ??
      rest.split('.')[0]!;
    out[field] ??= message;
  }
  return out;
}

function RuleEditor(props: {
  index: number;
  count: number;
  draft: RuleDraft;
  errors: Record<string, string>;
  onChange: (patch: Partial<RuleDraft>) => void;
  onMove: (by: number) => void;
  onRemove: () => void;
}) {
  const { draft: d, index: i } = props;
  const f = bindForm(d, props.onChange, props.errors);
  return (
    <fieldset className="panel form rule" data-testid={`rule-${i}`}>
      <legend>
        Rule {i + 1}: <code>{d.id || '(no id)'}</code>
      </legend>
      <div className="actions">
        <button
          type="button"
          disabled={i === 0}
          onClick={() => props.onMove(-1)}
          aria-label={`Move rule ${i + 1} up`}
        >
          ↑
        </button>
        <button
          type="button"
          disabled={i === props.count - 1}
          onClick={() => props.onMove(1)}
          aria-label={`Move rule ${i + 1} down`}
        >
          ↓
        </button>
        <RemoveButton what={`the rule "${d.id}"`} onRemove={props.onRemove} />
      </div>
      <div className="row">
        {f.text('id', 'Rule id')}
        {f.text('description', 'Description')}
      </div>
      <h4>Applies to people with (every filled field must fit; empty fields fit everyone)</h4>
      <div className="row">
        {f.list('groups', 'Groups', { placeholder: 'analysts, sql-readers' })}
        {f.list('roles', 'Roles')}
      </div>
      <div className="row">
        {f.list('email_domains', 'E-mail domains', { placeholder: 'corp.example' })}
        {f.list('emails', 'E-mail addresses')}
        {f.list('idps', 'Identity providers', { placeholder: 'IdP profile ids' })}
      </div>
      <h4>May use</h4>
      <div className="row">
        {f.list('connections', 'Connections', { hint: '* for all' })}
        {f.list('databases', 'Databases', { hint: '* for all the connection allows' })}
      </div>
      <div className="row">
        {f.list('allow', 'Tables allowed', {
          hint: 'schema.table or database.schema.table; * matches any characters. sys and INFORMATION_SCHEMA stay readable.',
        })}
        {f.list('deny', 'Tables denied', {
          hint: 'Denied wins over allowed.',
          placeholder: 'hr.*, dbo.Salaries',
        })}
      </div>
      <div className="field" role="group" aria-label="Tools">
        <span className="label">Tools</span>
        <span className="checks">
          {f.check('read', 'Read (catalog tools, run_query, sample_rows)')}
          {f.check('explain', 'Explain (explain_query)')}
          {f.check('write', 'Write (execute_statement, where the connection allows writes)')}
        </span>
        {(props.errors.read ?? props.errors.tools) && (
          <span className="error-text" role="alert" data-testid="error-tools">
            {props.errors.read ?? props.errors.tools}
          </span>
        )}
      </div>
      <div className="row">
        {f.text('row_limit', 'Row limit', {
          inputMode: 'numeric',
          hint: "Caps the connection's; empty: the connection's.",
        })}
        {f.text('timeout_seconds', 'Timeout (s)', { inputMode: 'numeric' })}
        {f.text('db_user', 'Database user', {
          hint: 'Impersonate this user instead of the one from the ID token.',
        })}
      </div>
    </fieldset>
  );
}

/** Who would get what under the draft (unsaved) policy. */
function TryIt({ draft }: { draft: { rules: PolicyRuleInput[] } }) {
  const { policy } = useStores();
  const [person, setPerson] = useState({ groups: '', roles: '', email: '', idp: '', dbUser: '' });
  const [answer, setAnswer] = useState<{ ok: AccessExplanation } | { error: string }>();
  const f = bindForm(person, (patch) => setPerson({ ...person, ...patch }));
  const run = async (e: FormEvent) => {
    e.preventDefault();
    const p: Person = {
      groups: list(person.groups),
      roles: list(person.roles),
      email: person.email.trim() || undefined,
      idp: person.idp.trim(),
      dbUser: person.dbUser.trim() || '(mapped from the ID token)',
    };
    setAnswer(await policy.getState().explain(p, draft));
  };
  return (
    <form className="panel form" onSubmit={(e) => void run(e)} data-testid="policy-try">
      <h3>Try it</h3>
      <p className="muted">What a person would get under the rules above, saved or not.</p>
      <div className="row">
        {f.text('groups', 'Groups')}
        {f.text('roles', 'Roles')}
        {f.text('email', 'E-mail')}
        {f.text('idp', 'IdP profile')}
      </div>
      <div className="actions">
        <button type="submit">Show what they may do</button>
      </div>
      {answer && 'error' in answer && (
        <div className="banner error" role="alert">
          {answer.error}
        </div>
      )}
      {answer && 'ok' in answer && <AccessView access={answer.ok} />}
    </form>
  );
}

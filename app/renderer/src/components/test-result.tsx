import { useEffect, useState } from 'react';
import type {
  AccessExplanation,
  Identity,
  IdpProfile,
  TestSignInResult,
  TraceStep,
} from '../../../shared/types.js';
import { traceReport, traceReportHtml, traceText } from '../../../shared/trace-report.js';
import { useSlice, useStores } from '../context.js';
import { AccessView } from './access-view.js';
import { Badge, CopyButton } from './ui.js';

type Explained = { ok: AccessExplanation } | { error: string };

/** A test sign-in's outcome: mapped identity, what the person may do, the claims and the whole trace. */
export function TestResult({ result, profile }: { result: TestSignInResult; profile: IdpProfile }) {
  const access = useAccess(result.ok ? result.identity : undefined);
  return (
    <div className="test-result" data-testid="test-result">
      {result.ok ? (
        <>
          <div className="banner ok">
            Signed in as <strong>{result.identity.email ?? result.identity.subject}</strong>. MCP calls would
            run as database user <code data-testid="db-user">{result.identity.dbUser}</code>.
          </div>
          <h4>Mapped identity</h4>
          <dl className="compact">
            <dt>Subject</dt>
            <dd>{result.identity.subject}</dd>
            <dt>Email</dt>
            <dd>{result.identity.email ?? '—'}</dd>
            <dt>Name</dt>
            <dd>{result.identity.name ?? '—'}</dd>
            <dt>Groups</dt>
            <dd>{result.identity.groups.join(', ') || '—'}</dd>
            <dt>Roles</dt>
            <dd>{result.identity.roles?.join(', ') || '—'}</dd>
          </dl>
          <div data-testid="may-do">
            <h4>What this person may do</h4>
            {!access && <p className="muted">Checking the access policy…</p>}
            {access && 'error' in access && (
              <div className="banner error" role="alert">
                The access policy could not be checked: {access.error}
              </div>
            )}
            {access && 'ok' in access && <AccessView access={access.ok} person={personOf(result.identity)} />}
          </div>
        </>
      ) : (
        <div className="banner error" role="alert" data-testid="test-error">
          <strong>{result.code}</strong>: {result.message}
        </div>
      )}
      {(result.ok || result.claims) && <Claims claims={result.claims!} />}
      {result.trace && (
        <Trace result={result} profile={profile} access={access && 'ok' in access ? access.ok : undefined} />
      )}
    </div>
  );
}

const personOf = (identity: Identity) => ({
  groups: identity.groups,
  roles: identity.roles ?? [],
  email: identity.email,
  idp: identity.idp,
  dbUser: identity.dbUser,
});

/** What a person may do under the saved access policy, looked up once per identity. */
function useAccess(identity: Identity | undefined): Explained | undefined {
  const { policy } = useStores();
  const [answer, setAnswer] = useState<Explained>();
  useEffect(() => {
    if (!identity) return;
    let live = true;
    void policy
      .getState()
      .explain(personOf(identity))
      .then((a) => live && setAnswer(a));
    return () => void (live = false);
  }, [policy, identity]);
  return answer;
}

const TIME_CLAIMS = new Set(['exp', 'iat', 'nbf', 'auth_time']);

function Claims({ claims }: { claims: Record<string, unknown> }) {
  return (
    <>
      <h4>ID-token claims</h4>
      <table className="claims" data-testid="claims">
        <tbody>
          {Object.entries(claims).map(([k, v]) => (
            <tr key={k}>
              <th>{k}</th>
              <td>
                <code>{typeof v === 'string' ? v : JSON.stringify(v)}</code>
                {TIME_CLAIMS.has(k) && typeof v === 'number' && (
                  <span className="muted"> {new Date(v * 1000).toLocaleString()}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

const TONE = { ok: 'ok', fail: 'fail', warn: 'warn', info: 'muted' } as const;

/** The trace as a timeline, with copy, export (no credential in either) and an explicit reveal of the ID token. */
function Trace(props: { result: TestSignInResult; profile: IdpProfile; access?: AccessExplanation }) {
  const { result, profile } = props;
  const steps = result.trace!;
  const version = useSlice(useStores().status, (s) => s.status?.version ?? 'unknown');
  const report = () =>
    traceReport({
      result,
      profile: {
        id: profile.id,
        issuer: profile.issuer,
        preset: profile.preset,
        client_id: profile.client_id,
      },
      appVersion: version,
      access: props.access,
    });
  // Named when downloaded (the clock is read in the click, not during render).
  const name = () =>
    `sign-in-${profile.id}-${new Date(result.startedAt ?? Date.now()).toISOString().replace(/[:.]/g, '-')}`;
  return (
    <details className="trace" data-testid="trace" open={!result.ok}>
      <summary>
        Trace: {steps.length} steps{' '}
        {steps.some((s) => s.status === 'fail') && <Badge tone="fail">failed</Badge>}
        {steps.some((s) => s.status === 'warn') && <Badge tone="warn">warnings</Badge>}
      </summary>
      <p className="muted">
        Codes, tokens, verifiers and secrets are shown as their length and a short hash (the same value has
        the same hash), here and in exports.
      </p>
      <div className="actions">
        <CopyButton text={traceText(steps)} label="Copy as text" testId="trace-copy" />
        <button
          type="button"
          data-testid="export-json"
          onClick={() => download(`${name()}.json`, JSON.stringify(report(), null, 2), 'application/json')}
        >
          Export report (JSON)
        </button>
        <button
          type="button"
          data-testid="export-html"
          onClick={() => download(`${name()}.html`, traceReportHtml(report()), 'text/html')}
        >
          Export report (HTML)
        </button>
        {result.ok && <RevealIdToken testId={result.testId} />}
      </div>
      <ol className="timeline">
        {steps.map((s) => (
          <TraceItem key={s.id} step={s} />
        ))}
      </ol>
    </details>
  );
}

function TraceItem({ step }: { step: TraceStep }) {
  return (
    <li className={`step ${step.status}`} data-step={step.title} data-status={step.status}>
      <span className="at">{step.atMs} ms</span> <Badge tone={TONE[step.status]}>{step.status}</Badge>{' '}
      <strong>{step.title}</strong>
      {step.durationMs !== undefined && <span className="muted"> · {step.durationMs} ms</span>}
      <details>
        <summary>details</summary>
        <pre>{JSON.stringify(step.detail, null, 2)}</pre>
      </details>
    </li>
  );
}

/** The raw ID token, fetched only when asked (it stays in the bridge's memory for 10 minutes after the test). */
function RevealIdToken({ testId }: { testId: string }) {
  const { idp } = useStores();
  const [shown, setShown] = useState<{ idToken: string } | { error: string }>();
  if (shown && 'idToken' in shown)
    return (
      <div className="reveal" data-testid="id-token">
        <p className="muted">
          The ID token proves who signed in: paste it only into tools you trust, never into a ticket.
        </p>
        <textarea readOnly rows={4} value={shown.idToken} />
        <button type="button" onClick={() => setShown(undefined)}>
          Hide
        </button>
      </div>
    );
  return (
    <>
      <button
        type="button"
        data-testid="reveal-id-token"
        onClick={() => void idp.getState().revealIdToken(testId).then(setShown)}
      >
        Reveal ID token
      </button>
      {shown && 'error' in shown && (
        <span className="error-text" role="alert">
          {shown.error}
        </span>
      )}
    </>
  );
}

function download(filename: string, content: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

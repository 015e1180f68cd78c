import crypto from 'node:crypto';
import { IdentityMappingError, mapClaims } from './identity.js';
import { effectiveSettings, type IdpProfiles } from './profiles.js';
import { explainIdpError, UpstreamError, type UpstreamIdp } from './upstream.js';
import type { UpstreamChecks } from './upstream-checks.js';
import { SignInTrace } from './sign-in-trace.js';
import type { TestSignInResult } from '../../shared/types.js';
export type { TestSignInResult };

/** Test sign-ins share /idp/callback with real ones; their state carries this prefix so the two never mix. */
const STATE_PREFIX = 'test.';
/** ID tokens of finished tests kept for "Reveal" (memory only, the newest few, for a while). */
const REVEAL_KEEP = 10;
const REVEAL_MS = 10 * 60_000;

/** The bridge's own token lifetimes, which the trace compares the IdP's with. */
export interface BridgeLifetimes {
  accessSeconds: number;
  refreshSeconds: number;
}

/**
 * "Test sign-in" from the UI: a real sign-in at the upstream IdP through the bridge's own callback, which
 * shows the ID-token claims and the mapped identity instead of issuing anything. Pending tests live in memory
 * only: a restart simply means starting the test again.
 */
export class IdpTester {
  private readonly pending = new Map<
    string,
    {
      profileId: string;
      checks: UpstreamChecks;
      timer: NodeJS.Timeout;
      trace: SignInTrace;
      startedAt: number;
    }
  >();
  private readonly listeners = new Set<(result: TestSignInResult) => void>();
  private readonly idTokens = new Map<string, { idToken: string; until: number }>();

  constructor(
    private readonly profiles: IdpProfiles,
    private readonly upstream: UpstreamIdp,
    private readonly redirectUri: () => string,
    /** No answer from the browser by then (a closed tab, an IdP error page): the test fails, saying so. */
    private readonly timeoutMs = 180_000,
    private readonly bridge: BridgeLifetimes = { accessSeconds: 900, refreshSeconds: 30 * 86_400 },
  ) {}

  /** The ID token of a finished test, for a person who asks to see it (never in a result, report or log). */
  revealIdToken(testId: string): string | undefined {
    const kept = this.idTokens.get(testId);
    return kept && kept.until > Date.now() ? kept.idToken : undefined;
  }

  onResult(listener: (result: TestSignInResult) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** `again`: the IdP shows its login form even if the browser is signed in there (test another user). */
  async begin(
    profileId: string,
    opts: { again?: boolean } = {},
  ): Promise<{ testId: string; url: string; redirectUri: string }> {
    const profile = await this.profiles.get(profileId);
    if (!profile) throw new UpstreamError(`No identity provider profile "${profileId}".`, 'not_found');
    const testId = crypto.randomBytes(16).toString('base64url');
    const state = `${STATE_PREFIX}${testId}`;
    const trace = new SignInTrace();
    const startedAt = Date.now();
    const { url, checks } = await this.upstream.begin(
      profile,
      this.redirectUri(),
      state,
      opts.again ? 'login' : undefined,
      trace,
    );
    const seconds = Math.round(this.timeoutMs / 1000);
    const timer = setTimeout(
      () =>
        this.end(state, {
          code: 'timeout',
          message: `No sign-in came back from the identity provider within ${seconds} s. If its tab shows an error (an unknown client id or redirect URI, for example), fix what it names (Check configuration finds most), then test again; if the tab was closed, just test again.`,
        }),
      this.timeoutMs,
    );
    timer.unref();
    this.pending.set(state, { profileId, checks, timer, trace, startedAt });
    return { testId, url: url.href, redirectUri: this.redirectUri() };
  }

  /** Stops waiting for a test (the person closed the tab, or changed their mind). */
  cancel(testId: string): boolean {
    return this.end(`${STATE_PREFIX}${testId}`, { code: 'cancelled', message: 'Test sign-in cancelled.' });
  }

  private end(state: string, failure: { code: string; message: string }): boolean {
    const entry = this.pending.get(state);
    if (!entry) return false;
    clearTimeout(entry.timer);
    this.pending.delete(state);
    entry.trace.add({ kind: 'step', title: 'Ended', status: 'fail', detail: { ...failure } });
    const result: TestSignInResult = {
      testId: state.slice(STATE_PREFIX.length),
      profileId: entry.profileId,
      ok: false,
      ...failure,
      trace: entry.trace.steps,
      startedAt: entry.startedAt,
    };
    for (const l of this.listeners) l(result);
    return true;
  }

  owns(state: string | undefined): boolean {
    return !!state?.startsWith(STATE_PREFIX);
  }

  /** Completes a test from the callback's query; the result goes to listeners and back to the caller. */
  async complete(query: URLSearchParams): Promise<TestSignInResult> {
    const state = query.get('state') ?? '';
    const entry = this.pending.get(state);
    const testId = state.slice(STATE_PREFIX.length);
    if (!entry) {
      return {
        testId,
        profileId: '',
        ok: false,
        code: 'state_mismatch',
        message:
          'This test sign-in is unknown, cancelled or timed out (or the bridge restarted). Start it again.',
      };
    }
    clearTimeout(entry.timer);
    this.pending.delete(state);
    const result = {
      ...(await this.run(testId, entry.profileId, entry.checks, entry.trace, query)),
      trace: entry.trace.steps,
      startedAt: entry.startedAt,
    };
    if (entry.trace.idToken) this.keepIdToken(testId, entry.trace.idToken);
    for (const l of this.listeners) l(result);
    return result;
  }

  private keepIdToken(testId: string, idToken: string): void {
    this.idTokens.set(testId, { idToken, until: Date.now() + REVEAL_MS });
    for (const key of [...this.idTokens.keys()].slice(0, Math.max(0, this.idTokens.size - REVEAL_KEEP)))
      this.idTokens.delete(key);
  }

  private async run(
    testId: string,
    profileId: string,
    checks: UpstreamChecks,
    trace: SignInTrace,
    query: URLSearchParams,
  ): Promise<TestSignInResult> {
    const fail = (code: string, message: string): TestSignInResult => ({
      testId,
      profileId,
      ok: false,
      code,
      message,
    });
    const error = query.get('error');
    if (error) {
      const e = explainIdpError(error, query.get('error_description'));
      trace.add({
        kind: 'step',
        title: 'Callback',
        status: 'fail',
        detail: { error, error_description: query.get('error_description'), explanation: e.message },
      });
      return fail(e.code, e.message);
    }
    const profile = await this.profiles.get(profileId);
    if (!profile) return fail('not_found', `The profile "${profileId}" was removed during the test.`);
    const callbackUrl = new URL(this.redirectUri());
    callbackUrl.search = query.toString();
    let claims: Record<string, unknown>;
    try {
      claims = await this.upstream.validatedClaims(profile, callbackUrl, checks, trace);
    } catch (err) {
      if (err instanceof UpstreamError) return fail(err.code, err.message);
      return fail('failed', (err as Error).message);
    }
    this.recordLifetimes(trace);
    const settings = effectiveSettings(profile);
    try {
      const identity = mapClaims(claims, { idp: profile.id, ...settings });
      trace.add({
        kind: 'step',
        title: 'Identity mapping',
        status: 'ok',
        detail: {
          groups_claim: settings.groupsClaim ?? null,
          roles_claim: settings.rolesClaim ?? null,
          db_user_rule: settings.dbUser,
          identity,
        },
      });
      return { testId, profileId, ok: true, claims, identity };
    } catch (err) {
      if (!(err instanceof IdentityMappingError)) throw err;
      const code = /"email"/.test(err.message) ? 'missing_email_claim' : 'identity_mapping_failed';
      trace.add({
        kind: 'step',
        title: 'Identity mapping',
        status: 'fail',
        detail: { db_user_rule: settings.dbUser, message: err.message },
      });
      return { ...fail(code, err.message), claims };
    }
  }

  /** The IdP's lifetimes beside the bridge's: its tokens are used once, the bridge's are what clients hold. */
  private recordLifetimes(trace: SignInTrace): void {
    const l = trace.lifetimes;
    if (!l) return;
    trace.add({
      kind: 'step',
      title: 'Token lifetimes',
      status: 'info',
      detail: {
        idp_access_token_seconds: l.access ?? null,
        idp_id_token_seconds: l.id ?? null,
        idp_refresh_token_seconds: l.refreshIssued ? (l.refresh ?? 'not stated') : 'none issued',
        bridge_access_token_seconds: this.bridge.accessSeconds,
        bridge_refresh_token_seconds: this.bridge.refreshSeconds,
        note: "The IdP's tokens are used once, at sign-in; MCP clients hold the bridge's own tokens, whose lifetimes are set in oauth.access_token_ttl_seconds and oauth.refresh_token_ttl_seconds.",
      },
    });
  }
}

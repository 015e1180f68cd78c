import crypto from 'node:crypto';
import { IdentityMappingError, mapClaims } from './identity.js';
import { effectiveSettings, type IdpProfiles } from './profiles.js';
import { explainIdpError, UpstreamError, type UpstreamChecks, type UpstreamIdp } from './upstream.js';
import type { TestSignInResult } from '../../shared/types.js';
export type { TestSignInResult };

const TTL_MS = 10 * 60_000;
/** Test sign-ins share /idp/callback with real ones; their state carries this prefix so the two never mix. */
const STATE_PREFIX = 'test.';

/**
 * "Test sign-in" from the UI: a real sign-in at the upstream IdP through the bridge's own callback, which
 * shows the ID-token claims and the mapped identity instead of issuing anything. Pending tests live in memory
 * only: a restart simply means starting the test again.
 */
export class IdpTester {
  private readonly pending = new Map<string, { profileId: string; checks: UpstreamChecks; until: number }>();
  private readonly listeners = new Set<(result: TestSignInResult) => void>();

  constructor(
    private readonly profiles: IdpProfiles,
    private readonly upstream: UpstreamIdp,
    private readonly redirectUri: () => string,
  ) {}

  onResult(listener: (result: TestSignInResult) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async begin(profileId: string): Promise<{ testId: string; url: string; redirectUri: string }> {
    const profile = await this.profiles.get(profileId);
    if (!profile) throw new UpstreamError(`No identity provider profile "${profileId}".`, 'not_found');
    const now = Date.now();
    for (const [k, v] of this.pending) if (v.until < now) this.pending.delete(k);
    const testId = crypto.randomBytes(16).toString('base64url');
    const state = `${STATE_PREFIX}${testId}`;
    const { url, checks } = await this.upstream.begin(profile, this.redirectUri(), state);
    this.pending.set(state, { profileId, checks, until: now + TTL_MS });
    return { testId, url: url.href, redirectUri: this.redirectUri() };
  }

  owns(state: string | undefined): boolean {
    return !!state?.startsWith(STATE_PREFIX);
  }

  /** Completes a test from the callback's query; the result goes to listeners and back to the caller. */
  async complete(query: URLSearchParams): Promise<TestSignInResult> {
    const state = query.get('state') ?? '';
    const entry = this.pending.get(state);
    const testId = state.slice(STATE_PREFIX.length);
    if (!entry || entry.until < Date.now()) {
      return {
        testId,
        profileId: '',
        ok: false,
        code: 'state_mismatch',
        message:
          'This test sign-in is unknown or expired (over 10 minutes, or the bridge restarted). Start it again.',
      };
    }
    this.pending.delete(state);
    const result = await this.run(testId, entry.profileId, entry.checks, query);
    for (const l of this.listeners) l(result);
    return result;
  }

  private async run(
    testId: string,
    profileId: string,
    checks: UpstreamChecks,
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
      return fail(e.code, e.message);
    }
    const profile = await this.profiles.get(profileId);
    if (!profile) return fail('not_found', `The profile "${profileId}" was removed during the test.`);
    const callbackUrl = new URL(this.redirectUri());
    callbackUrl.search = query.toString();
    let claims: Record<string, unknown>;
    try {
      claims = await this.upstream.validatedClaims(profile, callbackUrl, checks);
    } catch (err) {
      if (err instanceof UpstreamError) return fail(err.code, err.message);
      return fail('failed', (err as Error).message);
    }
    try {
      return {
        testId,
        profileId,
        ok: true,
        claims,
        identity: mapClaims(claims, { idp: profile.id, ...effectiveSettings(profile) }),
      };
    } catch (err) {
      if (!(err instanceof IdentityMappingError)) throw err;
      const code = /"email"/.test(err.message) ? 'missing_email_claim' : 'identity_mapping_failed';
      return { ...fail(code, err.message), claims } as TestSignInResult;
    }
  }
}

import * as jose from 'jose';
import { BridgeError, causeChain, isAbortTimeout } from '../../shared/errors.js';
import * as oidc from 'openid-client';
import { mapClaims, type Identity } from './identity.js';
import { effectiveSettings, type IdpProfile, type IdpProfiles } from './profiles.js';
import { traceParams, type SignInTrace } from './sign-in-trace.js';
import { recordTokenChecks } from './trace-checks.js';
import type { UpstreamChecks } from './upstream-checks.js';

export class UpstreamError extends BridgeError {
  override name = 'UpstreamError';
  constructor(
    message: string,
    /** A stable code for tests and the config doctor. */
    code: string,
    /** The status a browser page gets: 400 for a bad answer, 502/504 when the IdP itself failed. */
    readonly httpStatus = 400,
  ) {
    super(message, code);
  }
}

const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'ABORT_ERR',
]);
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

/**
 * The IdP failing as a server (unreachable, timed out, TLS, HTTP 5xx) at one step of the sign-in, as a sentence
 * with the fix and the status for the page; undefined when the failure is an answer, not an outage.
 */
export function explainIdpOutage(err: unknown, profile: IdpProfile, step: string): UpstreamError | undefined {
  const chain = causeChain<{ code?: string; name?: string; status?: number; response?: { status?: number } }>(
    err,
  );
  const codes = chain.flatMap((c) => [c.code, c.name].filter((x): x is string => typeof x === 'string'));
  const status = chain.map((c) => c.status ?? c.response?.status).find((x) => typeof x === 'number');
  const where = `the identity provider ${profile.issuer} ${step}`;
  const retry = 'then start the sign-in again from your MCP client.';
  if (codes.some((c) => TIMEOUT_CODES.has(c) || c === 'TimeoutError'))
    return new UpstreamError(
      `${cap(where)} did not answer in time. Check that it is up and reachable from this computer, ${retry}`,
      'idp_timeout',
      504,
    );
  const unreachable = codes.find((c) => UNREACHABLE_CODES.has(c));
  if (unreachable)
    return new UpstreamError(
      `${cap(where)} could not be reached (${unreachable}). Check that it is running and reachable from this computer (proxy, VPN, firewall), ${retry}`,
      'idp_unreachable',
      502,
    );
  const tls = codes.find((c) => c.startsWith('ERR_TLS') || c.includes('CERT') || c.includes('SELF_SIGNED'));
  if (tls)
    return new UpstreamError(
      `${cap(where)} presented a certificate this computer does not trust (${tls}). Install the IdP's CA certificate (NODE_EXTRA_CA_CERTS), ${retry}`,
      'idp_tls',
      502,
    );
  if (status !== undefined && status >= 500)
    return new UpstreamError(
      `${cap(where)} failed with HTTP ${status}. This is the IdP's own error: try again later or ask its administrators, ${retry}`,
      'idp_server_error',
      502,
    );
  return undefined;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Sign-in at the upstream IdP with openid-client: discovery, state, nonce, PKCE and ID-token validation.
 * The MCP client's `resource` is never forwarded (Entra ID rejects unknown resources).
 */
export class UpstreamIdp {
  private readonly configs = new Map<string, Promise<oidc.Configuration>>();
  private readonly keySets = new Map<string, ReturnType<typeof jose.createRemoteJWKSet>>();
  /** A traced sign-in discovers afresh, through the trace's fetch, so every exchange is in it. */
  private readonly traced = new WeakMap<SignInTrace, Promise<oidc.Configuration>>();

  constructor(
    private readonly profiles: IdpProfiles,
    private readonly clockToleranceSeconds: number,
  ) {}

  /** Forget cached discovery (after a profile is edited). */
  invalidate(profileId?: string): void {
    if (profileId) this.configs.delete(profileId);
    else this.configs.clear();
  }

  async begin(
    profile: IdpProfile,
    redirectUri: string,
    state: string,
    /** `login`: ask the IdP to show its login form even with a session there (test another user). */
    prompt?: 'login',
    trace?: SignInTrace,
  ): Promise<{ url: URL; checks: UpstreamChecks }> {
    const config = await this.configurationFor(profile, trace);
    const { scopes } = effectiveSettings(profile);
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      ...profile.extra_auth_params,
      redirect_uri: redirectUri,
      scope: scopes.join(' '),
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      ...(prompt ? { prompt } : {}),
    });
    trace?.add({
      kind: 'step',
      title: 'Authorization request',
      status: 'info',
      detail: {
        endpoint: `${url.origin}${url.pathname}`,
        parameters: traceParams(url.searchParams),
        note: 'The browser is sent here; the IdP answers at the redirect_uri.',
      },
    });
    return { url, checks: { state, nonce, codeVerifier } };
  }

  /** Validates the callback and the ID token, then maps its claims. */
  async complete(
    profile: IdpProfile,
    callbackUrl: URL,
    checks: UpstreamChecks,
  ): Promise<{ identity: Identity; claims: Record<string, unknown> }> {
    const claims = await this.validatedClaims(profile, callbackUrl, checks);
    return { identity: mapClaims(claims, { idp: profile.id, ...effectiveSettings(profile) }), claims };
  }

  /** The callback and ID token checked (state, PKCE, nonce, issuer, audience, expiry); claims not yet mapped. */
  async validatedClaims(
    profile: IdpProfile,
    callbackUrl: URL,
    checks: UpstreamChecks,
    trace?: SignInTrace,
  ): Promise<Record<string, unknown>> {
    const config = await this.configurationFor(profile, trace);
    trace?.add({
      kind: 'step',
      title: 'Callback',
      status: 'info',
      detail: { parameters: traceParams(callbackUrl.searchParams) },
    });
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      const explained =
        explainIdpOutage(err, profile, 'at its token endpoint (exchanging the sign-in code)') ??
        explainUpstreamFailure(err, profile);
      trace?.add({
        kind: 'check',
        title: 'Code exchange and ID-token validation',
        status: 'fail',
        detail: { code: explained.code, message: explained.message, library: describeError(err) },
      });
      throw explained;
    }
    const claims = tokens.claims() as Record<string, unknown> | undefined;
    if (!claims) throw new UpstreamError('The identity provider returned no ID token.', 'no_id_token');
    if (trace)
      await recordTokenChecks(trace, {
        config,
        profile,
        callbackUrl,
        checks,
        tokens,
        claims,
        clockTolerance: this.clockToleranceSeconds,
      });
    return claims;
  }

  private configurationFor(profile: IdpProfile, trace?: SignInTrace): Promise<oidc.Configuration> {
    if (!trace) return this.configuration(profile);
    let config = this.traced.get(trace);
    if (!config) {
      config = this.discover(profile, trace).then((c) => {
        const m = c.serverMetadata();
        trace.endpoints = m;
        // Verify the ID token's signature too (optional over TLS), so the trace can show the key that signed it.
        if (m.jwks_uri) oidc.enableNonRepudiationChecks(c);
        return c;
      });
      this.traced.set(trace, config);
    }
    return config;
  }

  /**
   * Verifies a JWT the IdP signed (an ID-JAG): signature from the IdP's JWKS, its discovered issuer, expiry
   * within the clock tolerance, plus the caller's checks. Keys are fetched once and refetched on an unknown kid.
   */
  async verifySigned(
    profile: IdpProfile,
    jwt: string,
    checks: Omit<jose.JWTVerifyOptions, 'issuer' | 'clockTolerance'>,
  ): Promise<jose.JWTPayload> {
    const metadata = (await this.configuration(profile)).serverMetadata();
    if (!metadata.jwks_uri) throw new UpstreamError(`${profile.issuer} publishes no jwks_uri.`, 'no_jwks');
    let keys = this.keySets.get(metadata.jwks_uri);
    if (!keys)
      this.keySets.set(metadata.jwks_uri, (keys = jose.createRemoteJWKSet(new URL(metadata.jwks_uri))));
    const { payload } = await jose.jwtVerify(jwt, keys, {
      ...checks,
      issuer: metadata.issuer,
      clockTolerance: this.clockToleranceSeconds,
    });
    return payload;
  }

  /** Loads the profile's discovery document unless it is cached (readiness checks). */
  async ensureDiscovered(profile: IdpProfile): Promise<void> {
    await this.configuration(profile);
  }

  private configuration(profile: IdpProfile): Promise<oidc.Configuration> {
    let config = this.configs.get(profile.id);
    if (!config) {
      config = this.discover(profile);
      // A failed discovery is retried on the next sign-in rather than cached.
      config.catch(() => this.configs.delete(profile.id));
      this.configs.set(profile.id, config);
    }
    return config;
  }

  private async discover(profile: IdpProfile, trace?: SignInTrace): Promise<oidc.Configuration> {
    const issuer = new URL(profile.issuer);
    // Plain http only for an IdP on this machine (the test IdP, a local Keycloak).
    const insecure = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);
    const secret = await this.profiles.clientSecret(profile.id);
    let config: oidc.Configuration;
    try {
      config = await oidc.discovery(
        issuer,
        profile.client_id,
        { [oidc.clockTolerance]: this.clockToleranceSeconds },
        secret ? oidc.ClientSecretPost(secret) : oidc.None(),
        {
          timeout: 10,
          ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
          ...(trace ? { [oidc.customFetch]: trace.fetch } : {}),
        },
      );
    } catch (err) {
      throw new UpstreamError(
        `Cannot load the OpenID configuration of ${profile.issuer} (${describeError(err)}). Check the issuer URL and that the identity provider is reachable; discovery reads ${new URL('.well-known/openid-configuration', withSlash(issuer)).href}.`,
        'discovery_failed',
        502,
      );
    }
    return config;
  }
}

function withSlash(u: URL): URL {
  return new URL(u.href.endsWith('/') ? u.href : `${u.href}/`);
}

/**
 * An error and what caused it in one line. openid-client (oauth4webapi) hides the useful part: a non-2xx answer is
 * "unexpected HTTP response status code" with the Response as its cause, a timeout is a DOMException whose code
 * is 23, a network failure keeps its code two causes down. Said as the HTTP status, "no answer within N s" or
 * the network code.
 */
export function describeError(err: unknown, timeoutSeconds = 10): string {
  const chain = causeChain<{
    message?: unknown;
    code?: unknown;
    name?: unknown;
    status?: unknown;
    statusText?: unknown;
    headers?: unknown;
  }>(err);
  const top = typeof chain[0]?.message === 'string' ? chain[0].message : String(err);
  const response = chain.find((c) => typeof c.status === 'number' && c.headers !== undefined);
  if (response)
    return `${top}: the server answered HTTP ${String(response.status)}${typeof response.statusText === 'string' && response.statusText ? ` ${response.statusText}` : ''}`;
  if (chain.some((c) => isAbortTimeout(c) || (typeof c.code === 'string' && TIMEOUT_CODES.has(c.code))))
    return `no answer within ${timeoutSeconds} s`;
  const code = chain
    .slice(1)
    .map((c) => c.code)
    .find((c): c is string => typeof c === 'string' && !c.startsWith('OAUTH_'));
  const below = chain.slice(1).find((c) => typeof c.message === 'string' && c.message)?.message;
  return [top, code ?? below].filter(Boolean).join(': ');
}

const IDP_ERROR_HINTS: Record<string, string> = {
  invalid_client:
    "The IdP rejected the bridge's client id or secret: check client_id and the client secret in the IdP profile.",
  redirect_uri_mismatch:
    "The IdP does not know the bridge's callback URL: register it exactly in the IdP application.",
  invalid_grant: 'The sign-in code was refused by the IdP (expired or already used): sign in again.',
  access_denied: 'The sign-in was cancelled or denied at the identity provider.',
  invalid_scope:
    'The IdP refused a requested scope: remove it from the profile or allow it in the IdP application.',
  unauthorized_client: 'The IdP application may not use the authorization code flow: enable it in the IdP.',
};

/** An OAuth error the IdP answered with (at its token endpoint or on the callback), as a sentence with the fix. */
export function explainIdpError(error: string, description?: string | null): UpstreamError {
  return new UpstreamError(
    `${IDP_ERROR_HINTS[error] ?? `The identity provider answered "${error}".`}${description ? ` (${description})` : ''}`,
    error,
  );
}

/** Turns openid-client failures into a sentence that says what is wrong and what to do. */
export function explainUpstreamFailure(err: unknown, profile: IdpProfile): UpstreamError {
  const e = err as {
    message?: string;
    code?: string;
    error?: string;
    error_description?: string;
    cause?: unknown;
  };
  if (e.error) return explainIdpError(e.error, e.error_description);
  // openid-client wraps oauth4webapi's error, whose message and cause name the failing claim.
  const chain: Array<{ message?: string; claim?: string; cause?: unknown }> = [];
  for (
    let c: unknown = err;
    c && typeof c === 'object' && chain.length < 5;
    c = (c as { cause?: unknown }).cause
  )
    chain.push(c);
  const msg = chain.map((c) => c.message ?? '').join(' | ');
  const claim = chain.find((c) => typeof c.claim === 'string')?.claim;
  const cause = { claim };
  if (/"iss"/.test(msg) || cause.claim === 'iss') {
    return new UpstreamError(
      `The ID token's issuer (iss) does not match the configured issuer ${profile.issuer}. Set the issuer URL exactly as the IdP's discovery document states it (watch the trailing slash).`,
      'id_token_issuer_mismatch',
    );
  }
  if (/"aud"/.test(msg) || cause.claim === 'aud') {
    return new UpstreamError(
      `The ID token's audience (aud) is not the bridge's client id ${profile.client_id}. Check client_id in the IdP profile.`,
      'id_token_audience_mismatch',
    );
  }
  if (/"nonce"/.test(msg) || cause.claim === 'nonce') {
    return new UpstreamError(
      "The ID token's nonce does not match this sign-in (a replayed or foreign response). Start the sign-in again.",
      'id_token_nonce_mismatch',
    );
  }
  if (/"exp"|expired|timestamp/i.test(msg)) {
    return new UpstreamError(
      'The ID token has expired. If this repeats, the clocks of this computer and the IdP disagree: check the system time.',
      'id_token_expired',
    );
  }
  if (/state/i.test(msg)) {
    return new UpstreamError(
      'The sign-in response does not belong to this sign-in (state mismatch). Start the sign-in again.',
      'state_mismatch',
    );
  }
  return new UpstreamError(
    `Sign-in at the identity provider failed: ${describeError(err)}`,
    'upstream_failed',
  );
}

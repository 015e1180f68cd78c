import * as jose from 'jose';
import * as oidc from 'openid-client';
import type { IdpProfile } from './profiles.js';
import { effectiveSettings } from './profiles.js';
import { stringsAt } from './identity.js';
import { redacted, type SignInTrace } from './sign-in-trace.js';
import type { UpstreamChecks } from './upstream-checks.js';

interface Exchanged {
  config: oidc.Configuration;
  profile: IdpProfile;
  callbackUrl: URL;
  checks: UpstreamChecks;
  tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  claims: Record<string, unknown>;
  clockTolerance: number;
}

/**
 * After openid-client accepted the code exchange: each check it applied, written out with the values compared
 * (so a developer sees why a sign-in passes, not only that it did), the ID token's header and signing key, what
 * UserInfo would add, a refresh of the IdP's refresh token when one was issued (then revoked), and sign-out.
 */
export async function recordTokenChecks(trace: SignInTrace, x: Exchanged): Promise<void> {
  const { config, profile, callbackUrl, checks, tokens, claims } = x;
  const m = config.serverMetadata();
  const now = Math.floor(Date.now() / 1000);
  const idToken = tokens.id_token!;
  trace.idToken = idToken;
  const header = jose.decodeProtectedHeader(idToken);

  trace.check('State', callbackUrl.searchParams.get('state') === checks.state, {
    sent: checks.state,
    received: callbackUrl.searchParams.get('state'),
  });
  trace.check('PKCE (S256)', true, {
    code_challenge_method: 'S256',
    code_verifier: redacted(checks.codeVerifier),
    note: 'The IdP accepted the verifier for the challenge sent in the authorization request.',
  });
  const iss = callbackUrl.searchParams.get('iss');
  trace.add({
    kind: 'check',
    title: 'Authorization response issuer (RFC 9207)',
    status: iss
      ? iss === m.issuer
        ? 'ok'
        : 'fail'
      : m.authorization_response_iss_parameter_supported
        ? 'fail'
        : 'info',
    detail: iss
      ? { received: iss, expected: m.issuer }
      : {
          received: null,
          note: 'The IdP does not send iss on the callback (it does not advertise RFC 9207).',
        },
  });
  trace.check('Issuer', claims.iss === m.issuer, {
    id_token_iss: claims.iss,
    discovered_issuer: m.issuer,
    configured_issuer: profile.issuer,
  });
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  trace.check('Audience', aud.includes(profile.client_id), {
    aud: claims.aud,
    azp: claims.azp,
    client_id: profile.client_id,
  });
  trace.check('Nonce', claims.nonce === checks.nonce, { sent: checks.nonce, id_token_nonce: claims.nonce });
  const exp = Number(claims.exp);
  trace.check('Expiry', exp + x.clockTolerance >= now, {
    exp: isoTime(exp),
    now: isoTime(now),
    clock_tolerance_seconds: x.clockTolerance,
    seconds_left: exp - now,
  });
  const iat = Number(claims.iat);
  trace.add({
    kind: 'check',
    title: 'Issued at',
    status: Math.abs(iat - now) <= x.clockTolerance + 60 ? 'ok' : 'warn',
    detail: {
      iat: isoTime(iat),
      now: isoTime(now),
      skew_seconds: now - iat,
      note: 'A large skew means the clocks of this computer and the IdP disagree.',
    },
  });
  trace.add({
    kind: 'check',
    title: 'Signature',
    status: m.jwks_uri ? 'ok' : 'warn',
    detail: {
      alg: header.alg,
      kid: header.kid,
      typ: header.typ,
      jwks_uri: m.jwks_uri ?? null,
      verified: m.jwks_uri
        ? 'with the key of this kid from the JWKS'
        : 'not checked: the IdP publishes no jwks_uri (TLS to its token endpoint authenticates it)',
    },
  });
  trace.add({
    kind: 'step',
    title: 'ID token',
    status: 'info',
    detail: { header, claims, token: redacted(idToken) },
  });
  trace.lifetimes = {
    access: tokens.expires_in,
    id: Number.isFinite(exp - iat) ? exp - iat : undefined,
    refresh: typeof tokens.refresh_expires_in === 'number' ? tokens.refresh_expires_in : undefined,
    refreshIssued: !!tokens.refresh_token,
  };

  await userInfo(trace, x);
  await refreshAndRevoke(trace, x);
  trace.add({
    kind: 'step',
    title: 'Sign-out (end session)',
    status: m.end_session_endpoint ? 'info' : 'warn',
    detail: m.end_session_endpoint
      ? {
          end_session_endpoint: m.end_session_endpoint,
          url: oidc.buildEndSessionUrl(config, { client_id: profile.client_id }).href,
          note: 'Opening this URL ends the browser session at the IdP (RP-initiated logout).',
        }
      : { note: 'The IdP advertises no end_session_endpoint: people sign out at the IdP itself.' },
  });
}

/** What UserInfo returns beside the ID token: the usual reason groups seem missing (Okta sends them only there). */
async function userInfo(trace: SignInTrace, x: Exchanged): Promise<void> {
  const m = x.config.serverMetadata();
  if (!m.userinfo_endpoint || !x.tokens.access_token) {
    trace.add({
      kind: 'step',
      title: 'UserInfo',
      status: 'info',
      detail: { note: 'Not offered by the IdP.' },
    });
    return;
  }
  try {
    const info = (await oidc.fetchUserInfo(x.config, x.tokens.access_token, String(x.claims.sub))) as Record<
      string,
      unknown
    >;
    const { groupsClaim } = effectiveSettings(x.profile);
    const inIdToken = stringsAt(x.claims, groupsClaim).length > 0;
    const inUserInfo = stringsAt(info, groupsClaim).length > 0;
    const onlyThere = Object.keys(info).filter((k) => !(k in x.claims));
    trace.add({
      kind: 'check',
      title: 'UserInfo (not used for mapping)',
      status: groupsClaim && !inIdToken && inUserInfo ? 'warn' : 'info',
      detail: {
        claims_only_in_userinfo: onlyThere,
        ...(groupsClaim && !inIdToken && inUserInfo
          ? {
              note: `"${groupsClaim}" is in UserInfo but not in the ID token, which is all the bridge reads: configure the IdP to put it in the ID token.`,
            }
          : { note: 'The bridge maps the ID token only; UserInfo is shown for comparison.' }),
      },
    });
  } catch (err) {
    trace.add({ kind: 'step', title: 'UserInfo', status: 'warn', detail: { error: (err as Error).message } });
  }
}

/** Exercises the IdP's refresh token (when issued), then revokes it: a test leaves no live upstream token. */
async function refreshAndRevoke(trace: SignInTrace, x: Exchanged): Promise<void> {
  let refreshToken = x.tokens.refresh_token;
  if (!refreshToken) {
    trace.add({
      kind: 'step',
      title: 'Refresh',
      status: 'info',
      detail: {
        note: 'No refresh token was issued. The bridge does not need one: it keeps no upstream token and issues its own.',
      },
    });
    return;
  }
  try {
    const refreshed = await oidc.refreshTokenGrant(x.config, refreshToken);
    trace.add({
      kind: 'check',
      title: 'Refresh',
      status: 'ok',
      detail: {
        rotated: !!refreshed.refresh_token && refreshed.refresh_token !== refreshToken,
        access_token_expires_in: refreshed.expires_in,
        new_id_token: !!refreshed.id_token,
      },
    });
    refreshToken = refreshed.refresh_token ?? refreshToken;
  } catch (err) {
    trace.add({ kind: 'check', title: 'Refresh', status: 'fail', detail: { error: (err as Error).message } });
  }
  if (!x.config.serverMetadata().revocation_endpoint) return;
  try {
    await oidc.tokenRevocation(x.config, refreshToken, { token_type_hint: 'refresh_token' });
  } catch (err) {
    trace.add({
      kind: 'step',
      title: 'Token revocation',
      status: 'warn',
      detail: { error: (err as Error).message },
    });
  }
}

const isoTime = (s: number) => (Number.isFinite(s) ? new Date(s * 1000).toISOString() : null);

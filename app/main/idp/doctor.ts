import crypto from 'node:crypto';
import { effectiveSettings, type IdpProfile } from './profiles.js';
import { describeError } from './upstream.js';
import type { CheckStatus, DoctorCheck } from '../../shared/types.js';
export type { CheckStatus, DoctorCheck };

interface DiscoveryDoc {
  issuer?: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  response_types_supported?: string[];
  code_challenge_methods_supported?: string[];
  scopes_supported?: string[];
  claims_supported?: string[];
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const TIMEOUT_MS = 10_000;

/** What IdPs say when a redirect URI is not registered (oidc-provider, Entra, Auth0, Okta, Keycloak, Google). */
const REDIRECT_MISMATCH = /redirect_uri|redirect uri|callback url mismatch|AADSTS50011|AADSTS500113/i;
/** ...and when the client id is unknown. */
const UNKNOWN_CLIENT = /invalid_client|unknown client|client not found|AADSTS700016|AADSTS90002|client_id/i;

/**
 * The config doctor: probes the IdP the way a sign-in would and turns each known misconfiguration into a
 * sentence with its fix. It never signs anyone in; what only an ID token can show (audience, email claim)
 * is the job of Test sign-in.
 */
export async function diagnoseIdp(
  profile: IdpProfile,
  opts: { redirectUri: string; clientSecret: string | null; clockToleranceSeconds: number },
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const add = (id: DoctorCheck['id'], label: string, status: CheckStatus, detail: string) =>
    checks.push({ id, label, status, detail });
  const issuer = new URL(profile.issuer);
  if (issuer.protocol !== 'https:' && !(issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname))) {
    add(
      'discovery',
      'Discovery document',
      'fail',
      `The issuer must use https (plain http only for an IdP on this computer): ${profile.issuer}.`,
    );
    return checks;
  }
  const discoveryUrl = new URL(
    '.well-known/openid-configuration',
    issuer.href.endsWith('/') ? issuer : `${issuer.href}/`,
  );
  let doc: DiscoveryDoc;
  let serverDate: string | null = null;
  const sentAt = Date.now();
  try {
    const res = await fetch(discoveryUrl, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
    serverDate = res.headers.get('date');
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    doc = (await res.json()) as DiscoveryDoc;
  } catch (err) {
    add(
      'discovery',
      'Discovery document',
      'fail',
      `Cannot load ${discoveryUrl.href} (${describeError(err)}). Check the issuer URL (the preset shows its usual shape) and that this computer can reach the IdP.`,
    );
    return checks;
  }
  add('discovery', 'Discovery document', 'ok', `Loaded ${discoveryUrl.href}.`);

  // Compared as openid-client compares them (both as parsed URLs): for an issuer without a path a trailing
  // slash is the same URL, and sign-in works; with a path it is another URL, and sign-in fails.
  const sameUrl = (a: string) => {
    try {
      return new URL(a).href === new URL(profile.issuer).href;
    } catch {
      return false;
    }
  };
  if (doc.issuer === profile.issuer)
    add('issuer', 'Issuer', 'ok', `The IdP names itself ${doc.issuer}, as configured.`);
  else if (typeof doc.issuer === 'string' && sameUrl(doc.issuer))
    add(
      'issuer',
      'Issuer',
      'ok',
      `The IdP names itself ${doc.issuer}; the profile's ${profile.issuer} is the same URL, so sign-in accepts it.`,
    );
  else
    add(
      'issuer',
      'Issuer',
      'fail',
      `Issuer mismatch: the IdP names itself "${doc.issuer}" but the profile says "${profile.issuer}". ID tokens would be refused; set the issuer to exactly "${doc.issuer}" (watch the trailing slash).`,
    );

  const codeOk = doc.response_types_supported?.includes('code') ?? false;
  const s256 = doc.code_challenge_methods_supported;
  if (!codeOk || !doc.authorization_endpoint || !doc.token_endpoint)
    add(
      'code_flow',
      'Authorization code flow',
      'fail',
      'The IdP does not offer the authorization code flow (response type "code" with authorization and token endpoints), which the bridge uses.',
    );
  else if (s256 && !s256.includes('S256'))
    add(
      'code_flow',
      'Authorization code flow',
      'fail',
      `The IdP does not support PKCE S256 (it lists ${s256.join(', ')}).`,
    );
  else
    add(
      'code_flow',
      'Authorization code flow',
      s256 ? 'ok' : 'warn',
      s256
        ? 'Authorization code flow with PKCE S256 is supported.'
        : 'The IdP does not advertise PKCE methods; most support S256 anyway. Test sign-in will tell.',
    );

  const { scopes, dbUser } = effectiveSettings(profile);
  const unsupported = doc.scopes_supported ? scopes.filter((s) => !doc.scopes_supported!.includes(s)) : [];
  const needsEmail = dbUser.from === 'email_local_part';
  if (needsEmail && !scopes.includes('email'))
    add(
      'scopes',
      'Scopes and claims',
      'fail',
      'The database user is derived from the email claim, but the "email" scope is not requested: the ID token would have no email. Add "email" to the scopes, or set the database user to come from another claim.',
    );
  else if (unsupported.length)
    add(
      'scopes',
      'Scopes and claims',
      'warn',
      `The IdP does not advertise the scope(s) ${unsupported.join(', ')}; it may refuse the sign-in (invalid_scope). Remove them or enable them at the IdP.`,
    );
  else if (needsEmail && doc.claims_supported && !doc.claims_supported.includes('email'))
    add(
      'scopes',
      'Scopes and claims',
      'warn',
      'The IdP does not list "email" among its claims; the database user may not be derivable. Test sign-in will show the claims it sends.',
    );
  else add('scopes', 'Scopes and claims', 'ok', `Requested scopes ${scopes.join(' ')} are offered.`);

  checks.push(groupsCheck(profile, doc));

  if (serverDate) {
    // The server stamped its Date somewhere between sending and receiving; half the round trip is the error bar.
    const skew = Math.round((Date.parse(serverDate) - (sentAt + Date.now()) / 2) / 1000);
    if (Math.abs(skew) > opts.clockToleranceSeconds)
      add(
        'clock',
        'Clock',
        'fail',
        `This computer's clock is ${Math.abs(skew)} s ${skew > 0 ? 'behind' : 'ahead of'} the IdP's (tolerance ${opts.clockToleranceSeconds} s): ID tokens would look ${skew > 0 ? 'not yet valid' : 'expired'}. Turn on automatic time synchronisation.`,
      );
    else
      add(
        'clock',
        'Clock',
        'ok',
        `This computer's clock agrees with the IdP's (within ${Math.max(1, Math.abs(skew))} s).`,
      );
  } else
    add('clock', 'Clock', 'skipped', 'The IdP sent no Date header, so clock skew cannot be measured here.');

  if (doc.token_endpoint) checks.push(await probeClient(doc.token_endpoint, profile, opts));
  if (doc.authorization_endpoint)
    checks.push(await probeRedirect(doc.authorization_endpoint, profile, opts.redirectUri));
  return checks;
}

/**
 * Whether groups can reach access-policy rules: a groups claim configured and listed by the IdP. Only the claim's
 * first name is compared (claims_supported lists top-level claims; Keycloak's roles live inside realm_access).
 */
function groupsCheck(profile: IdpProfile, doc: DiscoveryDoc): DoctorCheck {
  const { groupsClaim } = effectiveSettings(profile);
  const check = (status: CheckStatus, detail: string): DoctorCheck => ({
    id: 'groups',
    label: 'Groups for access policy',
    status,
    detail,
  });
  if (!groupsClaim)
    return check(
      'skipped',
      'No groups claim is set for this IdP, so access-policy rules can match its users by e-mail domain, address, role or IdP, not by group. Set groups_claim if the IdP can send groups.',
    );
  if (!doc.claims_supported)
    return check(
      'skipped',
      `The IdP does not list its claims; Test sign-in shows whether "${groupsClaim}" arrives.`,
    );
  // A namespaced claim (Auth0: https://corp.example/groups) has dots of its own and is listed whole.
  const top = doc.claims_supported.includes(groupsClaim) ? groupsClaim : groupsClaim.split('.')[0]!;
  if (doc.claims_supported.includes(top))
    return check('ok', `The IdP lists "${top}" among its claims; Test sign-in shows the groups it sends.`);
  return check(
    'warn',
    `The IdP does not list "${top}" among its claims (claims_supported), so access-policy rules on groups may match nobody from it. Configure the IdP to send groups in the ID token (a groups claim or mapper), or write rules by e-mail domain.`,
  );
}

/**
 * A token request with a made-up code: "invalid_grant" means the IdP accepted the client; "invalid_client" (or
 * 401) that it did not. IdPs that answer otherwise (glewlwyd: `invalid_code` for the right secret, 403
 * `unauthorized_client` for a wrong one) are asked again with a made-up secret: an answer that differs from the
 * stored secret's means the IdP told them apart, so the stored one is accepted; the same answer means the stored
 * secret is most likely as wrong as the made-up one.
 */
async function probeClient(
  tokenEndpoint: string,
  profile: IdpProfile,
  opts: { redirectUri: string; clientSecret: string | null },
): Promise<DoctorCheck> {
  const label = 'Client id and secret';
  const ask = async (secret: string | null) => {
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code: 'bridge-config-doctor-probe',
      redirect_uri: opts.redirectUri,
      client_id: profile.client_id,
      code_verifier: 'bridge-config-doctor-probe-verifier-0123456789abcdefghijk',
    });
    if (secret) body.set('client_secret', secret);
    const res = await fetch(tokenEndpoint, { method: 'POST', body, signal: AbortSignal.timeout(TIMEOUT_MS) });
    const json = (await res.json().catch(() => ({}))) as { error?: string; error_description?: string };
    return { status: res.status, error: json.error, description: json.error_description };
  };
  const said = (a: { status: number; error?: string }) => `HTTP ${a.status}${a.error ? ` ${a.error}` : ''}`;
  const refused = (why: string): DoctorCheck => ({
    id: 'client',
    label,
    status: 'fail',
    detail: `${why}. Copy the client id (and secret, if the application is confidential) from the IdP application again.`,
  });
  try {
    const answer = await ask(opts.clientSecret);
    if (answer.error === 'invalid_client' || answer.status === 401)
      return refused(
        `invalid_client: the IdP does not accept client id "${profile.client_id}"${opts.clientSecret ? ' with the stored secret' : ' without a secret'}`,
      );
    if (answer.error === 'invalid_grant')
      return {
        id: 'client',
        label,
        status: 'ok',
        detail: `The IdP accepts client id "${profile.client_id}"${opts.clientSecret ? ' and its secret' : ''}.`,
      };
    if (opts.clientSecret) {
      const control = await ask(`bridge-doctor-${crypto.randomUUID()}`);
      if (control.status === answer.status && control.error === answer.error)
        return refused(
          `The IdP answers the stored secret exactly as it answers a made-up one (${said(answer)}${answer.description ? `: ${answer.description}` : ''}), so the stored secret is most likely wrong for client id "${profile.client_id}"`,
        );
      return {
        id: 'client',
        label,
        status: 'ok',
        detail: `The IdP tells the stored secret from a made-up one (${said(answer)} for it, ${said(control)} for the made-up one), so it accepts client id "${profile.client_id}" and its secret.`,
      };
    }
    return {
      id: 'client',
      label,
      status: 'warn',
      detail: `The IdP answered the probe with ${answer.error ?? `HTTP ${answer.status}`}${answer.description ? ` (${answer.description})` : ''}; the client could not be confirmed.`,
    };
  } catch (err) {
    return {
      id: 'client',
      label,
      status: 'warn',
      detail: `The token endpoint could not be probed (${describeError(err)}).`,
    };
  }
}

/** Starts an authorization request without following it: a login page means the redirect URI is registered. */
async function probeRedirect(
  authorizationEndpoint: string,
  profile: IdpProfile,
  redirectUri: string,
): Promise<DoctorCheck> {
  const label = 'Redirect URI registration';
  const url = new URL(authorizationEndpoint);
  url.search = new URLSearchParams({
    client_id: profile.client_id,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid',
    state: 'bridge-config-doctor',
    nonce: 'bridge-config-doctor',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  }).toString();
  try {
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      const to = new URL(location, url);
      const err = to.href.startsWith(redirectUri) ? to.searchParams.get('error') : null;
      if (err)
        return {
          id: 'redirect_uri',
          label,
          status: 'warn',
          detail: `The redirect URI is registered, but the IdP answered "${err}"${to.searchParams.get('error_description') ? ` (${to.searchParams.get('error_description')})` : ''}.`,
        };
      return {
        id: 'redirect_uri',
        label,
        status: 'ok',
        detail: `The IdP accepts ${redirectUri} (it proceeded to its sign-in).`,
      };
    }
    const text = (await res.text()).slice(0, 20_000);
    if (res.ok)
      return {
        id: 'redirect_uri',
        label,
        status: 'ok',
        detail: `The IdP accepts ${redirectUri} (it showed its sign-in page).`,
      };
    if (REDIRECT_MISMATCH.test(text))
      return {
        id: 'redirect_uri',
        label,
        status: 'fail',
        detail: `redirect_uri_mismatch: the IdP does not know the bridge's callback. Register exactly ${redirectUri} in the IdP application (scheme, host, port and path must match).`,
      };
    if (UNKNOWN_CLIENT.test(text))
      return {
        id: 'redirect_uri',
        label,
        status: 'fail',
        detail: `invalid_client: the IdP does not know client id "${profile.client_id}". Copy it from the IdP application again.`,
      };
    return {
      id: 'redirect_uri',
      label,
      status: 'warn',
      detail: `The IdP refused the authorization request (HTTP ${res.status}); Test sign-in will show its message.`,
    };
  } catch (err) {
    return {
      id: 'redirect_uri',
      label,
      status: 'warn',
      detail: `The authorization endpoint could not be probed (${describeError(err)}).`,
    };
  }
}

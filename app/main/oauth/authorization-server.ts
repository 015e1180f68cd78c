import crypto from 'node:crypto';
import Provider, {
  errors,
  interactionPolicy,
  type Configuration,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import type * as jose from 'jose';
import { SCOPES, SUPPORTED_SCOPES, type BridgeConfig } from '../../shared/config-schema.js';
import type { ClientRegistry } from './clients.js';
import type { GrantStore } from './grants.js';
import type { ModelStore } from './model-store.js';
import { JWT_BEARER } from './id-jag.js';
import { BROKER_GRANT } from './token-broker.js';
import { narrowAuthorizationServerMetadata } from './metadata.js';
import { grantErrorSentence } from './token-errors.js';
import { errorPageHtml, setPageHeaders } from '../pages/render.js';
import { isLoopbackRedirect, redirectRefusal, redirectSyntaxRefusal } from './redirect-policy.js';
import type { RegistrationLimit } from './registration-limit.js';
import type { OriginContext } from './origin.js';
import { SIGNING_ALG } from './signing-key.js';

export interface AuthorizationServerDeps {
  config: BridgeConfig;
  clients: ClientRegistry;
  grants: GrantStore;
  models: ModelStore;
  /** The access-token signing key (private JWK, from the keychain). */
  /** Private JWKs, the signing one first (oidc-provider signs with the first; all are published). */
  signingJwks: jose.JWK[];
  cookieKeys: string[];
  registrationLimit: RegistrationLimit;
  /** Counts one /token or /revoke request; false once over `oauth.token_requests_per_minute` (`oauth.token_requests_per_minute`, one counter for every origin's server and, in team mode, every instance). */
  tokenRequestAllowed: () => Promise<boolean>;
  /** Counts one /authorize request; false once over `oauth.authorize_requests_per_minute`. */
  authorizeRequestAllowed: () => Promise<boolean>;
  /** Whether a browser origin may read responses (configured origins and the bridge's own). */
  corsAllowed: (origin: string) => boolean;
  /**
   * How client metadata documents are fetched: special-use addresses refused before any connection
   * (cimdFetchGuarded); tests pass one trusting their CA on loopback (the only exception).
   */
  cimdFetch?: Configuration['fetch'];
  /**
   * Revokes one of the bridge's JWT access tokens for the client that holds it (RFC 7009 §2.1); oidc-provider
   * answers unsupported_token_type for structured tokens.
   */
  revokeAccessToken: (token: string, clientId: string) => Promise<void>;
  /** Extra grant types (ID-JAG) registered on every origin's provider. */
  extend?: (provider: Provider, ctx: OriginContext) => void;
  /**
   * The scopes the person behind a grant may hold now (their access policy); undefined for an unknown grant.
   * Every access token is capped with it at issuance (code exchange and refresh).
   */
  grantableScopes: (grantId: string) => Promise<string[] | undefined>;
}

/** Routes oidc-provider answers (everything else is the bridge's own). */
export const AS_ROUTES = {
  authorization: '/authorize',
  token: '/token',
  registration: '/register',
  revocation: '/revoke',
  jwks: '/jwks',
} as const;

/**
 * The authorization server for one origin the bridge is reached on: oidc-provider configured as an OAuth 2.1
 * server for public clients, issuing audience-bound JWT access tokens for that origin's /mcp.
 */
export function createAuthorizationServer(d: AuthorizationServerDeps, ctx: OriginContext): Provider {
  const provider = new Provider(ctx.issuer, providerConfiguration(d, ctx));
  // Behind a TLS-terminating proxy, X-Forwarded-Proto says the request was https (secure cookies); the HTTP
  // guard keeps those headers only from server.trusted_proxies.
  provider.proxy = d.config.server.trusted_proxies.length > 0;
  provider.use(bridgeMiddleware(d));
  d.extend?.(provider, ctx);
  return provider;
}

/** The login prompt always asks (the IdP decides who may sign in, every time); consent for remote redirects. */
function upstreamSignInPolicy() {
  const policy = interactionPolicy.base();
  // The bridge's own browser session never replaces the IdP's decision.
  policy
    .get('login')!
    .checks.add(
      new interactionPolicy.Check(
        'bridge_upstream_sign_in',
        'every authorization signs in at the identity provider',
        (c: KoaContextWithOIDC) =>
          c.oidc.result?.login
            ? interactionPolicy.Check.NO_NEED_TO_PROMPT
            : interactionPolicy.Check.REQUEST_PROMPT,
      ),
    );
  // A code that leaves this computer (a remote client's https redirect) is confirmed on the consent page every
  // time, even when the browser's session already holds a grant for the client.
  policy
    .get('consent')!
    .checks.add(
      new interactionPolicy.Check(
        'bridge_remote_redirect',
        'codes sent to a remote redirect are confirmed every time',
        (c: KoaContextWithOIDC) =>
          !isLoopbackRedirect(String(c.oidc.params?.redirect_uri)) && !c.oidc.result?.consent
            ? interactionPolicy.Check.REQUEST_PROMPT
            : interactionPolicy.Check.NO_NEED_TO_PROMPT,
      ),
    );
  return policy;
}

/** oidc-provider as an OAuth 2.1 server for public clients, for one origin. */
function providerConfiguration(d: AuthorizationServerDeps, ctx: OriginContext): Configuration {
  const o = d.config.oauth;
  const policy = upstreamSignInPolicy();
  return {
    adapter: (name: string) => (name === 'Client' ? d.clients.adapter() : d.models.adapter(name)),
    // Pre-registered clients may also redeem a code from the desktop sign-in (connectors, over the local channel).
    clients: d.clients.staticClients([BROKER_GRANT, ...(o.id_jag ? [JWT_BEARER] : [])]),
    jwks: { keys: d.signingJwks.map((k) => ({ ...k, use: 'sig' })) },
    clientDefaults: {
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: SIGNING_ALG,
    },
    clientAuthMethods: ['none'],
    responseTypes: ['code'],
    // The MCP scopes are listed here too so clients may register them (RFC 7591 `scope`); tokens carry them
    // for the resource (resourceIndicators below).
    scopes: ['openid', ...SUPPORTED_SCOPES],
    claims: { openid: ['sub'] },
    pkce: { required: () => true },
    routes: AS_ROUTES,
    cookies: {
      // The demo IdP (also oidc-provider) shares 127.0.0.1, and cookies ignore ports: names must differ.
      names: { session: 'mcpb_session', interaction: 'mcpb_interaction', resume: 'mcpb_resume' },
      keys: d.cookieKeys,
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    interactions: { url: (_c, interaction) => `/interaction/${interaction.uid}`, policy },
    ttl: {
      AccessToken: o.access_token_ttl_seconds,
      AuthorizationCode: o.code_ttl_seconds,
      RefreshToken: o.refresh_token_ttl_seconds,
      Grant: o.refresh_token_ttl_seconds,
      Interaction: o.pending_authorization_ttl_seconds,
      Session: o.pending_authorization_ttl_seconds,
    },
    // Refresh tokens for every client that may refresh, living as long as their own TTL, rotated on use
    // (reuse outside the grace window revokes the grant: ModelStore).
    issueRefreshToken: (_c, client) => client.grantTypeAllowed('refresh_token'),
    expiresWithSession: () => false,
    rotateRefreshToken: true,
    findAccount: (_c, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    extraTokenClaims: async (_c, token) => {
      if (token.kind !== 'AccessToken' || !token.grantId) return undefined;
      const grant = await d.grants.getGrant(token.grantId);
      return grant ? { gid: grant.id, identity: grant.identity } : undefined;
    },
    extraClientMetadata: {
      properties: ['redirect_uris', 'grant_types'],
      // Runs for every client: the config file's (their author chose them: syntax only) and DCR, app-added
      // and CIMD clients (the registration policy too).
      validator(_c, key, value, metadata) {
        const clientId = String(metadata.client_id);
        const fromConfig = d.clients.isFromConfig(clientId);
        // RFC 7591 §2 lets the server refuse grant types: a client that registered itself signs people in
        // through the browser only (no ID-JAG, no desktop sign-in code: those are for pre-registered clients).
        if (key === 'grant_types' && !fromConfig && Array.isArray(value)) {
          const other = (value as unknown[]).filter(
            (g) => g !== 'authorization_code' && g !== 'refresh_token',
          );
          if (other.length) {
            const err = new errors.InvalidClientMetadata(
              `grant_types may hold only authorization_code and refresh_token for a client that is not pre-registered (refused: ${other.join(', ')})`,
            );
            throw err;
          }
          return;
        }
        if (key !== 'redirect_uris' || !Array.isArray(value)) return;
        // A metadata document's https redirects on its own host are the client's (TLS vouches for both); the
        // code still goes there only after the consent page (bridge_remote_redirect).
        const documentHost = /^https:\/\//.test(clientId) ? new URL(clientId).host : undefined;
        for (const uri of value as unknown[]) {
          if (typeof uri !== 'string') continue;
          const why = fromConfig
            ? redirectSyntaxRefusal(uri)
            : redirectRefusal(uri, o.dcr.allowed_redirect_patterns);
          const ownHost =
            documentHost !== undefined &&
            !redirectSyntaxRefusal(uri) &&
            URL.canParse(uri) &&
            new URL(uri).protocol === 'https:' &&
            new URL(uri).host === documentHost;
          if (why && !ownHost) throw refusedRedirect(why);
        }
      },
    },
    clientBasedCORS: (_c, origin) => d.corsAllowed(origin),
    renderError: (c, out) => {
      setPageHeaders(c.res);
      c.type = 'html';
      c.set('X-Bridge-Error', out.error);
      c.body = errorPageHtml(out.error, out.error_description ?? 'The request was refused.');
    },
    ...(d.cimdFetch ? { fetch: d.cimdFetch } : {}),
    features: serverFeatures(d, ctx),
  };
}

/** What oidc-provider offers: DCR under the bridge's limit, CIMD, revocation, resource indicators. */
function serverFeatures(d: AuthorizationServerDeps, ctx: OriginContext): Configuration['features'] {
  const o = d.config.oauth;
  return {
    devInteractions: { enabled: false },
    userinfo: { enabled: false },
    rpInitiatedLogout: { enabled: false },
    pushedAuthorizationRequests: { enabled: false },
    // The resource server checks bearer tokens only; a DPoP-bound token would be accepted as a bearer.
    dPoP: { enabled: false },
    // RFC 7009 §2.1: a client revokes only its own tokens (others are answered 200 without effect).
    revocation: { enabled: true, allowedPolicy: (_c, client, token) => token.clientId === client.clientId },
    registration: {
      enabled: o.dcr.enabled,
      // Never issues one (clients do not manage their registration); oidc-provider awaits this before it
      // stores the client, which makes it the place for the shared, asynchronous registration limit.
      issueRegistrationAccessToken: async (c: KoaContextWithOIDC) => {
        await d.registrationLimit.take(c.oidc.body);
        return false;
      },
      idFactory: (c: KoaContextWithOIDC) => {
        const body = c.oidc.body;
        // oidc-provider decides on issuing a secret from the request before applying clientDefaults: a
        // registration that names no method is public (the default here), so it must get no secret.
        if (body && body.token_endpoint_auth_method === undefined) body.token_endpoint_auth_method = 'none';
        return crypto.randomUUID();
      },
    },
    clientIdMetadataDocument: {
      enabled: o.client_id_metadata_documents,
      ack: 'draft-02',
      // Documents only from the configured hosts (empty: any https host oidc-provider's SSRF guard allows).
      allowFetch: async (_c, clientId) =>
        o.cimd_allowed_hosts.length === 0 || o.cimd_allowed_hosts.includes(new URL(clientId).host),
    },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => ctx.resource,
      useGrantedResource: () => true,
      getResourceServerInfo: async (c, resource) => {
        if (resource !== ctx.resource)
          throw new errors.InvalidTarget(
            `this authorization server issues tokens only for ${ctx.resource}, not ${resource}`,
          );
        // At a code exchange or refresh the grant is known: the token gets what the person's policy gives now
        // (RFC 6749 §3.3: the token response's `scope` says so). At /authorize every scope may be asked for.
        const grantId = c.oidc.entities.Grant?.jti;
        const scopes = grantId ? await d.grantableScopes(grantId) : undefined;
        return {
          ...resourceServerInfo(d.config, ctx, scopes),
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: SIGNING_ALG } },
        };
      },
    },
  };
}

/**
 * Around every request: rate limits, the default scope; after it, CORS only for allowed origins, the narrowed
 * metadata, the sentence for invalid_grant, and revocation of the bridge's JWT access tokens.
 */
function bridgeMiddleware(d: AuthorizationServerDeps): Parameters<Provider['use']>[0] {
  return async (c, next) => {
    if ((c.path === AS_ROUTES.token || c.path === AS_ROUTES.revocation) && !(await d.tokenRequestAllowed())) {
      c.status = 429;
      c.set('Retry-After', '60');
      c.body = {
        error: 'too_many_requests',
        error_description:
          'Too many token requests; try again in a minute (oauth.token_requests_per_minute).',
      };
      return;
    }
    if (c.path === AS_ROUTES.authorization && !(await d.authorizeRequestAllowed())) {
      // A browser is on the other end: a page, not JSON.
      c.status = 429;
      c.set('Retry-After', '60');
      setPageHeaders(c.res);
      c.type = 'html';
      c.body = errorPageHtml(
        'too_many_requests',
        'Too many sign-ins were started in the last minute; wait a minute, then start the sign-in again from your MCP client (limit: oauth.authorize_requests_per_minute)',
      );
      return;
    }
    // The bridge's default scope when a client asks for none (oidc-provider would issue a token without one).
    if (c.path === AS_ROUTES.authorization && c.method === 'GET' && !c.query.scope)
      c.query = { ...c.query, scope: SCOPES.tools };
    await next();
    c.set('X-Content-Type-Options', 'nosniff');
    const stateFailure = c.state.stateFailure as Error | undefined;
    if (stateFailure) {
      // oidc-provider says 500 "oops! something went wrong"; the person or client learns what is down.
      const html = Boolean(c.response.is('html'));
      c.status = 503;
      c.set('Retry-After', '30');
      if (html) c.body = errorPageHtml('temporarily_unavailable', stateFailure.message);
      else c.body = { error: 'temporarily_unavailable', error_description: stateFailure.message };
      return;
    }
    // oidc-provider opens metadata and JWKS to every origin ("*" without an Origin header); the bridge
    // answers CORS only for origins it allows.
    const origin = c.get('Origin');
    if (!origin || !d.corsAllowed(origin)) c.remove('Access-Control-Allow-Origin');
    // Set by oidc-provider once a route matched (the middleware's context type does not say so).
    const oidc = (c as Partial<KoaContextWithOIDC>).oidc;
    if (oidc?.route === 'discovery' && c.body && typeof c.body === 'object')
      c.body = narrowAuthorizationServerMetadata(c.body as Record<string, unknown>);
    const refused = c.body as { error?: string; error_description?: string } | undefined;
    const sentence =
      refused?.error === 'invalid_grant' &&
      grantErrorSentence(c.state.grantErrorDetail as string, oidc?.params?.grant_type);
    if (sentence) refused.error_description = sentence;
    if (oidc?.route === 'token' && c.status === 200) await d.models.answerWithSuccessor(c);
    if (oidc?.route === 'revocation' && refused?.error === 'unsupported_token_type' && oidc.client) {
      await d.revokeAccessToken(String(oidc.params?.token), oidc.client.clientId);
      c.status = 200;
      c.body = '';
    }
  };
}

/** The one resource server (this origin's /mcp) and what its tokens carry. */
export function resourceServerInfo(
  config: BridgeConfig,
  ctx: OriginContext,
  scopes: readonly string[] = SUPPORTED_SCOPES,
) {
  return {
    scope: scopes.join(' '),
    audience: ctx.resource,
    accessTokenTTL: config.oauth.access_token_ttl_seconds,
  };
}

/** RFC 7591 §3.2.2 `invalid_redirect_uri`, with the reason (oidc-provider's class has a fixed description). */
function refusedRedirect(why: string): Error {
  const err = new errors.InvalidRedirectUri();
  err.error_description = `Registration refused: ${why}.`;
  return err;
}

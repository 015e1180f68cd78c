import express, { type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { createOAuthMetadata, mcpAuthRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { TooManyRequestsError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { SUPPORTED_SCOPES } from '../config/schema.js';
import { BridgeOAuthProvider, type OAuthServices, type OriginContext } from './provider.js';

export const PRM_PATHS = [
  '/.well-known/oauth-protected-resource/mcp',
  '/.well-known/oauth-protected-resource',
];
const AS_METADATA_PATHS = ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'];

/** RFC 8414 metadata: the SDK's document, corrected to what this server really does. */
export function authorizationServerMetadata(
  s: OAuthServices,
  ctx: OriginContext,
  provider: BridgeOAuthProvider,
) {
  const base = createOAuthMetadata({
    provider,
    issuerUrl: new URL(ctx.issuer),
    scopesSupported: [...SUPPORTED_SCOPES],
  });
  return {
    ...base,
    registration_endpoint: s.config.oauth.dcr.enabled ? base.registration_endpoint : undefined,
    // Every client is public: PKCE is the proof of possession.
    token_endpoint_auth_methods_supported: ['none'],
    revocation_endpoint_auth_methods_supported: ['none'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    client_id_metadata_document_supported: s.config.oauth.client_id_metadata_documents,
  };
}

/** RFC 9728 metadata for /mcp; `authorization_servers[0]` is byte-identical to the issuer. */
export function protectedResourceMetadata(ctx: OriginContext) {
  return {
    resource: ctx.resource,
    authorization_servers: [ctx.issuer],
    scopes_supported: [...SUPPORTED_SCOPES],
    bearer_methods_supported: ['header'],
    resource_name: 'MSSQL MCP Bridge',
  };
}

/** Limits shared by every origin's router (the SDK's own would count each origin separately). */
export function sharedRateLimits(s: OAuthServices) {
  const limit = (windowMs: number, max: number, what: string) =>
    rateLimit({
      windowMs,
      max,
      standardHeaders: true,
      legacyHeaders: false,
      message: new TooManyRequestsError(`Too many ${what} requests; try again later.`).toResponseObject(),
    });
  return {
    register: limit(60 * 60_000, s.config.oauth.dcr.max_per_hour, 'client registration'),
    authorize: limit(60_000, 120, 'authorization'),
    token: limit(60_000, s.config.oauth.token_requests_per_minute, 'token'),
  };
}

/**
 * The authorization server for one origin: the SDK's mcpAuthRouter with the project's provider, plus what the
 * SDK lacks: metadata at every well-known path, 401 for invalid_client, and `iss` on error redirects.
 */
export function originAuthRouter(
  s: OAuthServices,
  ctx: OriginContext,
  limits: ReturnType<typeof sharedRateLimits>,
): RequestHandler {
  const provider = new BridgeOAuthProvider(s, ctx);
  const router = express.Router();
  const asMetadata = authorizationServerMetadata(s, ctx, provider);
  const prm = protectedResourceMetadata(ctx);
  for (const path of AS_METADATA_PATHS) router.get(path, (_req, res) => void res.json(asMetadata));
  for (const path of PRM_PATHS) router.get(path, (_req, res) => void res.json(prm));

  router.use('/register', limits.register);
  router.use('/authorize', limits.authorize, completeErrorRedirects(ctx.issuer));
  router.use(['/token', '/revoke'], limits.token, invalidClientIs401);

  router.use(
    mcpAuthRouter({
      provider,
      issuerUrl: new URL(ctx.issuer),
      scopesSupported: [...SUPPORTED_SCOPES],
      resourceServerUrl: new URL(ctx.resource),
      resourceName: 'MSSQL MCP Bridge',
      authorizationOptions: { rateLimit: false },
      tokenOptions: { rateLimit: false },
      revocationOptions: { rateLimit: false },
      clientRegistrationOptions: { rateLimit: false, clientSecretExpirySeconds: 0 },
    }),
  );
  return router;
}

/** RFC 6749 §5.2: a failed client authentication is 401 (Claude re-registers only on that). */
const invalidClientIs401: RequestHandler = (_req, res, next) => {
  const json = res.json.bind(res);
  res.json = (body: unknown) => {
    if ((body as { error?: string } | null)?.error === 'invalid_client') res.status(401);
    return json(body);
  };
  next();
};

/**
 * Error responses the SDK redirects from /authorize get `iss` (RFC 9207) and, when the SDK's parameter check
 * failed before it read it, the client's `state` (RFC 6749 §4.1.2.1), so the client can match the error.
 */
function completeErrorRedirects(issuer: string): RequestHandler {
  return (req, res, next) => {
    const params = (req.method === 'POST' ? req.body : req.query) as Record<string, unknown> | undefined;
    const redirect = res.redirect.bind(res) as (status: number, url: string) => void;
    res.redirect = ((status: number, url: string) => {
      try {
        const u = new URL(url);
        if (u.searchParams.has('error')) {
          if (!u.searchParams.has('iss')) u.searchParams.set('iss', issuer);
          const state = typeof req.query.state === 'string' ? req.query.state : params?.state;
          if (!u.searchParams.has('state') && typeof state === 'string') u.searchParams.set('state', state);
        }
        return redirect(status, u.href);
      } catch {
        return redirect(status, url);
      }
    }) as typeof res.redirect;
    next();
  };
}

import type http from 'node:http';
import cors from 'cors';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import type { OriginServer } from './origin-servers.js';
import type { BridgeConfig } from '../../shared/config-schema.js';
import type { Readiness } from './health.js';
import type { IdpTester } from '../idp/test-sign-in.js';
import type { McpEndpoint } from '../mcp/endpoint.js';
import { AS_ROUTES } from '../oauth/authorization-server.js';
import type { Interactions } from '../oauth/interactions.js';
import { protectedResourceMetadata } from '../oauth/metadata.js';
import { PRM_PATHS, type OriginContext } from '../oauth/origin.js';
import type { Origins } from './origins.js';
import { sendErrorPage, sendPage } from '../pages/render.js';
import { stateStoreFailure } from '../state/state-errors.js';
import { testSignInDonePage } from '../pages/test-sign-in-page.js';
import { uiStatic } from './ui-static.js';

export interface HttpAppDeps {
  config: BridgeConfig;
  origins: Origins;
  /** The authorization server (oidc-provider) of an origin. */
  /** The authorization server and MCP endpoint of each origin (http/origin-servers.ts). */
  servers(ctx: OriginContext): OriginServer;
  interactions: Interactions;
  tester: IdpTester;
  mcp: McpEndpoint;
  /** The built renderer served at /ui/ (headless mode), or none. */
  uiDir?: string;
  /** The control API (its own token and origin checks), mounted at /control. */
  control: RequestHandler;
  /** The approval pages of writes asked for by clients without elicitation (/writes/:id). */
  writeApprovals: RequestHandler;
  /** `/readyz`: the checks a load balancer routes by. */
  readiness: () => Promise<Readiness>;
  log: (msg: string) => void;
}

type WithOrigin = Request & { bridgeOrigin: OriginContext };

export const originOf = (req: Request): OriginContext => (req as WithOrigin).bridgeOrigin;

/** Paths oidc-provider answers: its endpoints, the resume of an interaction, and AS metadata. */
const AS_PATHS = new Set<string>([
  ...Object.values(AS_ROUTES),
  '/.well-known/oauth-authorization-server',
  '/.well-known/openid-configuration',
]);
const isAuthorizationServerPath = (path: string) =>
  AS_PATHS.has(path) || path.startsWith(`${AS_ROUTES.authorization}/`);

/**
 * The one HTTP server: Host/Origin guard, then the authorization server (oidc-provider, straight from Node),
 * or the express app for everything else (interactions, IdP callback, /mcp, control API), per origin.
 */
export function createHttpApp(d: HttpAppDeps): http.RequestListener {
  const guard = hostAndOriginGuard(d);
  const app = expressApp(d);
  return (req, res) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const ctx = guard(req, res);
    if (!ctx) return;
    const q = req.url?.indexOf('?') ?? -1;
    const path = q === -1 ? (req.url ?? '/') : req.url!.slice(0, q);
    if (isAuthorizationServerPath(path)) return void d.servers(ctx).authorizationServer(req, res);
    (req as WithOrigin).bridgeOrigin = ctx;
    app(req, res);
  };
}

function expressApp(d: HttpAppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // req.ip and req.protocol from X-Forwarded-*, walking back only through the configured proxies (the guard has
  // already dropped those headers from anyone else).
  if (d.config.server.trusted_proxies.length) app.set('trust proxy', d.config.server.trusted_proxies);
  app.set('etag', false);
  // Browser clients (the MCP Inspector) need CORS on the resource's metadata and /mcp, for configured origins
  // only (the guard above has already refused all others). The authorization server sets its own.
  app.use(
    [...PRM_PATHS, '/mcp'],
    cors({
      origin: [...d.config.server.allowed_origins],
      exposedHeaders: ['Mcp-Session-Id', 'WWW-Authenticate', 'Mcp-Protocol-Version'],
      allowedHeaders: [
        'Authorization',
        'Content-Type',
        'Mcp-Session-Id',
        'Mcp-Protocol-Version',
        'Last-Event-ID',
      ],
    }),
  );

  app.use('/control', d.control);
  // Liveness and readiness for proxies and orchestrators: no secret, no session, never cached.
  app.get('/healthz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const stopping = d.mcp.isStopping();
    res.status(stopping ? 503 : 200).json({ status: stopping ? 'stopping' : 'ok' });
  });
  app.get('/readyz', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    d.readiness().then((r) => {
      const ready = r.ready && !d.mcp.isStopping();
      res.status(ready ? 200 : 503).json({ ...r, ready });
    }, next);
  });
  for (const path of PRM_PATHS)
    app.get(path, (req, res) => void res.json(protectedResourceMetadata(originOf(req))));
  app.use(d.interactions.router());
  app.use(d.writeApprovals);
  app.get('/idp/callback', (req, res, next) =>
    (typeof req.query.state === 'string' && d.tester.owns(req.query.state)
      ? testSignInCallback(d.tester, req, res)
      : d.interactions.upstreamCallback(req, res)
    ).catch(next),
  );
  if (d.uiDir) app.use('/ui', uiStatic(d.uiDir));
  app.use('/mcp', (req, res, next) => d.servers(originOf(req)).mcp(req, res, next));
  app.get('/', (req, res) => {
    const ctx = originOf(req);
    res.json({ name: 'MSSQL MCP Bridge', mcp: ctx.resource, authorization_server: ctx.issuer });
  });

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found', error_description: 'No such endpoint.' });
  });
  app.use(errorHandler(d.log));
  return app;
}

/**
 * Host (DNS rebinding) and Origin checks, as plain Node so the token endpoint does not pay for express: the
 * request's origin context, or undefined after answering 403 with the setting that would allow it.
 */
const FORWARDED_HEADERS = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded'];

/** `::ffff:127.0.0.1` (an IPv4 peer on a dual-stack socket) is 127.0.0.1. */
const normalizeAddress = (a: string) => a.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');

/** The last of a comma-separated forwarded list: the one the trusted proxy itself set (earlier ones came from the client). */
const lastValue = (v: string | string[] | undefined) =>
  typeof v === 'string' ? v.split(',').at(-1)!.trim() : undefined;

function hostAndOriginGuard(d: HttpAppDeps) {
  const allowed = new Set(d.config.server.allowed_origins);
  const refuse = (res: http.ServerResponse, description: string) => {
    res.writeHead(403, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ error: 'invalid_request', error_description: description }));
  };
  const trusted = new Set(d.config.server.trusted_proxies.map(normalizeAddress));
  return (req: http.IncomingMessage, res: http.ServerResponse): OriginContext | undefined => {
    // Forwarded headers say where a request came from: believed only from the configured proxies.
    // Two Host headers: which one a proxy and this server each believe is how requests are smuggled.
    if (req.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === 'host').length > 1) {
      res.writeHead(400, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
      res.end(
        JSON.stringify({
          error: 'invalid_request',
          error_description: 'The request has more than one Host header.',
        }),
      );
      return undefined;
    }
    if (!trusted.has(normalizeAddress(req.socket.remoteAddress ?? '')))
      for (const h of FORWARDED_HEADERS) delete req.headers[h];
    const host = lastValue(req.headers['x-forwarded-host']) ?? req.headers.host;
    const ctx = d.origins.forHost(host);
    if (!ctx) {
      refuse(
        res,
        `Host "${host ?? ''}" is not served here. Use ${d.origins.primary().origin}, or set server.public_url to the address the proxy is reached at.`,
      );
      return undefined;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !d.origins.isOwnOrigin(origin) && !allowed.has(origin)) {
      refuse(
        res,
        `Origin "${origin}" is not allowed. Add it to server.allowed_origins if this browser app should reach the bridge.`,
      );
      return undefined;
    }
    return ctx;
  };
}

/** RFC 6749-shaped JSON errors; details go to the log, never to the client. */
function errorHandler(log: (msg: string) => void): ErrorRequestHandler {
  return (err: { status?: number; type?: string; message?: string; stack?: string }, req, res, _next) => {
    if (err.type === 'entity.too.large') {
      res.status(413).json({ error: 'invalid_request', error_description: 'The request body is too large.' });
      return;
    }
    if (err.status && err.status >= 400 && err.status < 500) {
      res
        .status(err.status)
        .json({ error: 'invalid_request', error_description: 'The request could not be parsed.' });
      return;
    }
    const store = stateStoreFailure(err);
    if (store) {
      log(`${req.method} ${req.path}: ${store.message}`);
      if (res.headersSent) return;
      res.set('Retry-After', '30');
      // A browser (the IdP's callback, an approval page) gets a page; a client gets RFC 6749-shaped JSON.
      if (req.accepts(['json', 'html']) === 'html')
        sendErrorPage(res, 503, 'temporarily_unavailable', store.message);
      else res.status(503).json({ error: 'temporarily_unavailable', error_description: store.message });
      return;
    }
    log(`error on ${req.method} ${req.path}: ${err.stack ?? err.message}`);
    if (!res.headersSent)
      res
        .status(500)
        .json({ error: 'server_error', error_description: 'Internal error; see the bridge log.' });
  };
}

/** The end of a Test sign-in started in the app: the result goes to the app; this tab only says so. */
async function testSignInCallback(tester: IdpTester, req: Request, res: Response): Promise<void> {
  const result = await tester.complete(new URL(req.originalUrl, 'http://x').searchParams);
  if (!result.ok) return sendErrorPage(res, 400, result.code, result.message);
  sendPage(
    res,
    200,
    'Test sign-in succeeded',
    testSignInDonePage({
      signedInAs: result.identity.email ?? result.identity.subject,
      dbUser: result.identity.dbUser,
    }),
  );
}

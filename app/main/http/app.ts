import cors from 'cors';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import type { BridgeConfig } from '../config/schema.js';
import type { IdpTester } from '../idp/test-sign-in.js';
import type { McpEndpoint } from '../mcp/endpoint.js';
import type { AuthorizationFlow } from '../oauth/authorization-flow.js';
import type { OAuthServices, OriginContext } from '../oauth/provider.js';
import { originAuthRouter, sharedRateLimits } from '../oauth/router.js';
import type { Origins } from './origins.js';
import { escapeHtml, sendErrorPage, sendPage } from '../oauth/pages.js';
import { uiStatic } from './ui-static.js';

export interface HttpAppDeps {
  config: BridgeConfig;
  origins: Origins;
  oauth: OAuthServices;
  flow: AuthorizationFlow;
  tester: IdpTester;
  mcp: McpEndpoint;
  /** The built renderer served at /ui/ (headless mode), or none. */
  uiDir?: string;
  /** The control API (its own token and origin checks), mounted at /control. */
  control: RequestHandler;
  log: (msg: string) => void;
}

type WithOrigin = Request & { bridgeOrigin: OriginContext };

/** The one HTTP server: Host/Origin guard, then OAuth, IdP callback, consent and /mcp, per origin. */
export function createHttpApp(d: HttpAppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(hostAndOriginGuard(d));
  // Browser clients (the MCP Inspector) need CORS on metadata, token, registration and /mcp; only for
  // configured origins (the guard above has already refused all others).
  app.use(
    ['/.well-known', '/token', '/register', '/revoke', '/mcp'],
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

  const limits = sharedRateLimits(d.oauth);
  const perOrigin = new Map<string, { auth: RequestHandler; mcp: RequestHandler }>();
  const routersFor = (ctx: OriginContext) => {
    let r = perOrigin.get(ctx.origin);
    if (!r) {
      r = { auth: originAuthRouter(d.oauth, ctx, limits), mcp: d.mcp.handler(ctx) };
      perOrigin.set(ctx.origin, r);
    }
    return r;
  };

  app.use('/control', d.control);
  const form = express.urlencoded({ extended: false, limit: d.config.server.body_limit });
  app.get('/idp/callback', (req, res, next) =>
    (typeof req.query.state === 'string' && d.tester.owns(req.query.state)
      ? testSignInCallback(d.tester, req, res)
      : d.flow.upstreamCallback(req, res)
    ).catch(next),
  );
  if (d.uiDir) app.use('/ui', uiStatic(d.uiDir));
  app.get('/consent', (req, res, next) => d.flow.consentPage(req, res).catch(next));
  app.post('/consent', form, (req, res, next) => d.flow.consentSubmit(req, res).catch(next));
  app.use('/mcp', (req, res, next) => routersFor((req as WithOrigin).bridgeOrigin).mcp(req, res, next));
  app.get('/', (req, res) => {
    const ctx = (req as WithOrigin).bridgeOrigin;
    res.json({ name: 'MSSQL MCP Bridge', mcp: ctx.resource, authorization_server: ctx.issuer });
  });
  app.use((req, res, next) => routersFor((req as WithOrigin).bridgeOrigin).auth(req, res, next));

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found', error_description: 'No such endpoint.' });
  });
  app.use(errorHandler(d.log));
  return app;
}

function hostAndOriginGuard(d: HttpAppDeps): RequestHandler {
  const allowed = new Set(d.config.server.allowed_origins);
  return (req, res, next) => {
    const ctx = d.origins.forHost(req.headers.host);
    if (!ctx) {
      res.status(403).json({
        error: 'invalid_request',
        error_description: `Host "${req.headers.host ?? ''}" is not served here. Use ${d.origins.primary().origin}, or add the host to server.public_hosts.`,
      });
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !d.origins.isOwnOrigin(origin) && !allowed.has(origin)) {
      res.status(403).json({
        error: 'invalid_request',
        error_description: `Origin "${origin}" is not allowed. Add it to server.allowed_origins if this browser app should reach the bridge.`,
      });
      return;
    }
    (req as WithOrigin).bridgeOrigin = ctx;
    next();
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
    log(`error on ${req.method} ${req.path}: ${err.stack ?? err.message ?? String(err)}`);
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
    `<p>Signed in as <strong>${escapeHtml(result.identity.email ?? result.identity.subject)}</strong>; database user <code>${escapeHtml(result.identity.dbUser)}</code>.</p><p>The claims are shown in MSSQL MCP Bridge. You can close this tab.</p>`,
  );
}

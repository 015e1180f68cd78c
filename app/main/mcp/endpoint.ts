import { AsyncLocalStorage } from 'node:async_hooks';
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import express, { type Request, type RequestHandler, type Response } from 'express';
import {
  bearerAuthChallengeResponse,
  CLIENT_CAPABILITIES_META_KEY,
  createMcpHandler,
  isJsonContentType,
  isLegacyRequest,
  McpServer,
  verifyBearerToken,
  type AuthInfo,
  type McpHttpHandler,
  type VerifyBearerTokenOptions,
} from '@modelcontextprotocol/server';
import {
  NodeStreamableHTTPServerTransport,
  toNodeHandler,
  toWebRequest,
  type NodeMcpRequestHandler,
} from '@modelcontextprotocol/node';
import { APP_VERSION } from '../version.js';
import { SCOPES } from '../../shared/config-schema.js';
import { callerOf, type AccessTokens } from '../oauth/access-tokens.js';
import type { GrantStore } from '../oauth/grants.js';
import type { OriginContext } from '../oauth/origin.js';
import { applyAccess, type ToolContext, type ToolSet } from './tools.js';
import type { PolicyStore } from '../policy/policy-store.js';
import type { McpRequestEvent } from '../../shared/types.js';
import type { ConfirmationCodec } from './confirmations.js';
import { systemClock, type Clock } from '../state/clock.js';
import { declaresUi, type Views } from './views.js';

interface LegacySession {
  transport: NodeStreamableHTTPServerTransport;
  server: McpServer;
  /** The caller's tools: their listing follows policy changes during the session. */
  ctx: ToolContext;
  subject: string;
  clientId: string;
  grantId: string;
  /** When the session's last request came (ms, the endpoint's clock): idle sessions are closed. */
  lastSeen: number;
}

export interface McpEndpointDeps {
  tokens: AccessTokens;
  grants: GrantStore;
  toolSets: ToolSet[];
  /** The access policy, read at every call. */
  policy: PolicyStore;
  /** Verifies the signed state that carries a write's preview across the confirmation round trip. */
  confirmations: ConfirmationCodec;
  /** Whether a tool needs mssql:write (the built-in write tools and configured write tools): 403 without it. */
  isWriteTool: (name: string) => boolean;
  /** The MCP App views: offered to clients that declare the ui extension, when they are built. */
  views?: Views;
  /** How long a 2025-era session waits for the person's answer to an elicitation. */
  confirmTimeoutMs: number;
  /** A 2025-era session with no request for this long is closed (its client must initialize again). */
  sessionIdleMs: number;
  clock?: Clock;
}

const BODY_LIMIT = 1024 * 1024;
const INSTRUCTIONS =
  'SQL Server through MSSQL MCP Bridge, as the signed-in user. Start with search_schema or list_tables, ' +
  'describe_table for keys and descriptions, then run_query (read-only T-SQL). Results are CSV with a header line.';

/**
 * `/mcp` on the MCP SDK v2. Every request is bearer-verified first. Protocol 2026-07-28 requests (a per-request
 * `_meta` envelope) are served statelessly: a fresh server per request from the caller's token, nothing kept
 * between calls (a write's confirmation travels in signed request state). 2025-era clients (mcp-remote, the
 * Inspector, VS Code) keep a session of their own, because their cancellation (`notifications/cancelled` on a
 * later POST) and elicitation (a server-to-client request) need the same server instance across requests. A
 * session belongs to the user and client that opened it, and ends when the grant behind its token is revoked.
 */
/** An MCP exchange still being answered; long-lived listening streams are not counted as work. */
interface Exchange {
  req: Request;
  res: Response;
  /** A call that returns when its work is done (not a GET stream or a subscriptions/listen). */
  work: boolean;
}

const STOPPING = 'MSSQL MCP Bridge is stopping (the app is quitting or the server received SIGTERM)';

export class McpEndpoint {
  private readonly sessions = new Map<string, LegacySession>();
  private readonly exchanges = new Set<Exchange>();
  private stopping = false;
  private readonly stopListening: () => void;
  private readonly clock: Clock;
  private readonly sweeper: NodeJS.Timeout;
  private readonly modern: McpHttpHandler;
  private readonly modernNode: NodeMcpRequestHandler;
  /** Whether the 2026-07-28 request being served declared the ui extension (its capabilities come per request). */
  private readonly modernUi = new AsyncLocalStorage<boolean>();
  /** Sessions opened and requests refused before a tool ran, for the Inspector (tool calls are audited). */
  readonly requests = new EventEmitter<{ request: [McpRequestEvent] }>();

  constructor(private readonly d: McpEndpointDeps) {
    this.clock = d.clock ?? systemClock;
    // Abandoned sessions (a client that quit without DELETE) must not hold memory forever.
    this.sweeper = setInterval(
      () => void this.closeIdle(),
      Math.min(60_000, Math.max(1000, d.sessionIdleMs / 4)),
    ).unref();
    const stopGrants = d.grants.onEvent((event) => {
      if (event.type !== 'grant_revoked') return;
      for (const [id, s] of this.sessions) if (s.grantId === event.grantId) void this.close(id);
    });
    // Open sessions list what the new policy gives (tools/list_changed); calls are checked at run time anyway.
    const onPolicy = () => {
      for (const s of this.sessions.values()) applyAccess(s.ctx);
    };
    d.policy.on('change', onPolicy);
    this.stopListening = () => {
      stopGrants();
      d.policy.off('change', onPolicy);
    };
    this.modern = createMcpHandler(
      async ({ authInfo }) => (await this.serverFor(authInfo!, this.modernUi.getStore() ?? false)).server,
      {
        legacy: 'reject',
        maxRequestBodySize: BODY_LIMIT,
      },
    );
    this.modernNode = toNodeHandler(this.modern, { maxRequestBodySize: BODY_LIMIT });
  }

  /** Draining for shutdown: new MCP requests get 503. */
  isStopping(): boolean {
    return this.stopping;
  }

  sessionCount(): number {
    return this.sessions.size;
  }

  /** Closes the 2025-era sessions that had no request for `sessionIdleMs` (run by a timer; tests call it). */
  async closeIdle(): Promise<number> {
    const before = this.clock.now() - this.d.sessionIdleMs;
    const idle = [...this.sessions].filter(([, s]) => s.lastSeen < before).map(([id]) => id);
    await Promise.all(idle.map((id) => this.close(id)));
    return idle.length;
  }

  /** The same tools, resources and prompts for both protocol eras, built for one verified caller. */
  private async serverFor(
    auth: AuthInfo,
    declaredUi: boolean,
  ): Promise<{ server: McpServer; ctx: ToolContext }> {
    const caller = callerOf(auth);
    const ui = declaredUi && !!this.d.views?.available();
    const ctx: ToolContext = {
      caller,
      clientId: auth.clientId,
      scopes: auth.scopes,
      resource: auth.resource,
      access: () => this.d.policy.decide(caller.identity),
      gated: [],
      ui,
    };
    const server = new McpServer(
      { name: 'mssql-mcp-bridge', version: APP_VERSION },
      {
        capabilities: { tools: {}, logging: {}, resources: {}, prompts: {} },
        instructions: INSTRUCTIONS,
        // Lists depend on the caller's scopes and the connection profiles: private, and short-lived so a
        // profile change shows within a minute.
        cacheHints: {
          'tools/list': { ttlMs: 60_000, cacheScope: 'private' },
          'prompts/list': { ttlMs: 60_000, cacheScope: 'private' },
          'resources/list': { ttlMs: 60_000, cacheScope: 'private' },
          'resources/read': { ttlMs: 60_000, cacheScope: 'private' },
          'server/discover': { ttlMs: 3_600_000, cacheScope: 'public' },
        },
        requestState: { verify: (state, reqCtx) => this.d.confirmations.verify(state, reqCtx) },
        inputRequired: { roundTimeoutMs: this.d.confirmTimeoutMs },
      },
    );
    for (const register of this.d.toolSets) await register(server, ctx);
    if (ui) this.d.views!.register(server);
    applyAccess(ctx);
    return { server, ctx };
  }

  /** The handler for one origin: its resource URL is the token audience it accepts. */
  handler(ctx: OriginContext): RequestHandler {
    const bearer: VerifyBearerTokenOptions = {
      verifier: { verifyAccessToken: (token) => this.d.tokens.verify(token) },
      requiredScopes: [SCOPES.tools],
      resourceMetadataUrl: ctx.resourceMetadata,
      expectedResource: new URL(ctx.resource),
    };
    // The 401 asks for every scope the bridge has: stock clients request what the challenge names (SEP-835), and
    // the authorization server grants what the person's access policy gives (writes only where it allows them),
    // so a person whose rule allows writes holds mssql:write after one sign-in. Verification needs mcp:tools only.
    const challenge: VerifyBearerTokenOptions = { ...bearer, requiredScopes: [SCOPES.tools, SCOPES.write] };
    const router = express.Router();
    router.use((_req, res, next) => {
      if (!this.stopping) return next();
      res.setHeader('Retry-After', '5');
      jsonRpcError(res, 503, -32000, `${STOPPING}; retry once it is running again.`);
    });
    router.use((req, res, next) => {
      verifyBearerToken(req.headers.authorization, bearer).then(
        (auth) => {
          (req as Request & { auth: AuthInfo }).auth = auth;
          next();
        },
        (err: unknown) => {
          const answer = req.headers.authorization
            ? bearerAuthChallengeResponse(err, challenge)
            : signInChallenge(ctx.resourceMetadata);
          this.requests.emit('request', {
            at: Date.now(),
            method: `${req.method} /mcp`,
            status: answer.status,
            outcome: 'rejected',
            reason: challengeReason(answer.headers.get('www-authenticate')),
          });
          void sendWebResponse(res, answer);
        },
      );
    });
    router.use((req, res, next) => {
      // The SDK's transports check this too, but the body is parsed here first (scope check, era routing).
      if (req.method === 'POST' && !isJsonContentType(req.headers['content-type'] ?? null))
        return jsonRpcError(res, 415, -32000, 'Content-Type must be application/json.');
      next();
    });
    router.use(express.json({ limit: BODY_LIMIT }));
    router.all('/', (req, res, next) => {
      this.handle(req, res, ctx).catch((err: unknown) => {
        // An exchange already answered (the shutdown's sentence) that the SDK's handler then tries to write to
        // again: nothing left to say, and it must not become an unhandled error that ends the shutdown.
        if (res.headersSent || res.writableEnded) return;
        next(err);
      });
    });
    return router;
  }

  private async handle(req: Request, res: Response, ctx: OriginContext): Promise<void> {
    const exchange: Exchange = { req, res, work: req.method === 'POST' && !listens(req.body) };
    this.exchanges.add(exchange);
    res.once('close', () => this.exchanges.delete(exchange));
    const auth = (req as Request & { auth: AuthInfo }).auth;
    const who = whoOf(auth);
    const opening = opens(req.body);
    if (opening)
      this.requests.emit('request', {
        at: Date.now(),
        method: opening.method,
        status: 200,
        outcome: 'accepted',
        protocolVersion: opening.protocolVersion ?? req.header('mcp-protocol-version'),
        ...who,
      });
    // A write tool called with a token lacking mssql:write: 403 with the scope to ask for, so clients step up.
    if (!auth.scopes.includes(SCOPES.write) && callsWriteTool(req.body, this.d.isWriteTool)) {
      this.requests.emit('request', {
        at: Date.now(),
        method: 'tools/call',
        status: 403,
        outcome: 'rejected',
        reason: `insufficient_scope: the tool needs ${SCOPES.write}`,
        ...who,
      });
      const description = writeScopeRefusal(this.d.policy.scopesFor(callerOf(auth).identity));
      res.setHeader(
        'WWW-Authenticate',
        `Bearer error="insufficient_scope", scope="${SCOPES.tools} ${SCOPES.write}", resource_metadata="${ctx.resourceMetadata}", error_description="${description}"`,
      );
      res.status(403).json({ error: 'insufficient_scope', error_description: description });
      return;
    }
    const legacy = await isLegacyRequest(await toWebRequest(req, req.body), req.body, {
      maxRequestBodySize: BODY_LIMIT,
    });
    if (!legacy) {
      const meta = (req.body as { params?: { _meta?: Record<string, unknown> } } | undefined)?.params?._meta;
      return this.modernUi.run(declaresUi(meta?.[CLIENT_CAPABILITIES_META_KEY]), () =>
        this.modernNode(req, res, req.body),
      );
    }
    await this.handleLegacy(req, res, auth);
  }

  private async handleLegacy(req: Request, res: Response, auth: AuthInfo): Promise<void> {
    const caller = callerOf(auth);
    // MCP 2025-06-18 removed JSON-RPC batches (2025-03-26, the version assumed without the header, had them).
    const version = req.header('mcp-protocol-version') ?? '2025-03-26';
    if (Array.isArray(req.body) && version >= '2025-06-18')
      return jsonRpcError(
        res,
        400,
        -32600,
        `JSON-RPC batches are not part of MCP ${version}; send one message per request.`,
      );
    const sessionId = req.header('mcp-session-id');
    if (sessionId) {
      const session = this.sessions.get(sessionId);
      if (!session)
        return jsonRpcError(
          res,
          404,
          -32001,
          `Session not found: it ended (the bridge restarted, or it had no request for ${Math.round(this.d.sessionIdleMs / 60_000)} minutes); initialize a new session.`,
        );
      if (session.subject !== caller.identity.subject || session.clientId !== auth.clientId) {
        this.requests.emit('request', {
          at: Date.now(),
          method: 'session',
          status: 403,
          outcome: 'rejected',
          reason: 'the session belongs to another user or client',
          ...whoOf(auth),
        });
        return jsonRpcError(res, 403, -32003, 'This session belongs to another user or client.');
      }
      session.grantId = caller.grantId;
      session.lastSeen = this.clock.now();
      // The session follows its token: a refreshed token with more scope lists more tools (tools/list_changed).
      if (!sameScopes(session.ctx.scopes, auth.scopes)) {
        session.ctx.scopes = auth.scopes;
        applyAccess(session.ctx);
      }
      await session.transport.handleRequest(req, res, req.body);
      return;
    }
    if (req.method === 'POST' && !isInitialize(req.body)) return this.handleSessionless(req, res, auth);
    if (req.method !== 'POST')
      return jsonRpcError(
        res,
        405,
        -32000,
        'No Mcp-Session-Id: a GET or DELETE needs the session initialize returned (or use protocol 2026-07-28).',
      );
    const declared = (req.body as { params?: { capabilities?: unknown } }).params?.capabilities;
    const { server, ctx } = await this.serverFor(auth, declaresUi(declared));
    const transport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (id) => {
        this.sessions.set(id, {
          transport,
          server,
          ctx,
          subject: caller.identity.subject,
          clientId: auth.clientId,
          grantId: caller.grantId,
          lastSeen: this.clock.now(),
        });
      },
      onsessionclosed: (id) => void this.close(id),
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  }

  /**
   * A 2025-era request without Mcp-Session-Id after initialize (Claude.ai is reported to drop the header):
   * answered statelessly by a fresh server, as SDK v2's legacy fallback does, instead of refused. What such a
   * call cannot have is a server-to-client request (the client declared no capabilities to this server), so a
   * write is confirmed through the approval page instead of elicitation.
   */
  private async handleSessionless(req: Request, res: Response, auth: AuthInfo): Promise<void> {
    // No capabilities travel with such a request: text only (a view's app-only tools need a session or 2026-07-28).
    const { server } = await this.serverFor(auth, false);
    const transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.once('close', () => void server.close().catch(() => undefined));
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  }

  private async close(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    await s.server.close().catch(() => undefined);
  }

  /**
   * Stops taking MCP requests (503 with a sentence), waits up to `graceMs` for running calls, then answers each
   * call still running with a JSON-RPC error naming the shutdown, so no client is left with an empty answer.
   * Their statements are cancelled when the pools close; a write's transaction is rolled back, never half-done.
   */
  async drain(graceMs: number): Promise<void> {
    this.stopping = true;
    const until = Date.now() + graceMs;
    const working = () => [...this.exchanges].some((e) => e.work);
    while (working() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const message = `${STOPPING}; this call did not finish within ${Math.round(graceMs / 1000)} s and was cancelled. Retry once it is running again.`;
    for (const e of this.exchanges) answerStopping(e, message);
    this.exchanges.clear();
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    this.stopListening();
    await this.modern.close();
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
  }
}

/** subscriptions/listen (2026-07-28) holds its stream open for notifications: no work to wait for. */
function listens(body: unknown): boolean {
  return (Array.isArray(body) ? body : [body]).some(
    (m) => (m as { method?: string } | null)?.method === 'subscriptions/listen',
  );
}

/** Ends an exchange with a JSON-RPC error for each request in it: as JSON, or as SSE events once streaming. */
function answerStopping({ req, res }: Exchange, message: string): void {
  // The handler may still try to write after this; its writes must not surface as an unhandled error.
  res.on('error', () => undefined);
  if (res.writableEnded) return;
  const ids = (Array.isArray(req.body) ? req.body : [req.body])
    .map((m) => (m as { id?: string | number } | null)?.id)
    .filter((id) => id !== undefined);
  const errors = ids.map((id) => ({ jsonrpc: '2.0', id, error: { code: -32000, message } }));
  if (!res.headersSent) {
    res
      .status(503)
      .json(
        errors.length === 1
          ? errors[0]
          : errors.length
            ? errors
            : { jsonrpc: '2.0', id: null, error: { code: -32000, message } },
      );
    return;
  }
  if (String(res.getHeader('content-type') ?? '').startsWith('text/event-stream'))
    for (const e of errors) res.write(`event: message\ndata: ${JSON.stringify(e)}\n\n`);
  res.end();
}

/**
 * The 401 for a request that sent no credentials: where to sign in and for which scopes, and no error code
 * (RFC 6750 §3.1: a request that lacks authentication gets none).
 */
function signInChallenge(resourceMetadata: string): globalThis.Response {
  return Response.json(
    {
      error_description:
        'This endpoint needs a bearer token: sign in at the authorization server its metadata names.',
    },
    {
      status: 401,
      headers: {
        'WWW-Authenticate': `Bearer resource_metadata="${resourceMetadata}", scope="${SCOPES.tools} ${SCOPES.write}"`,
      },
    },
  );
}

const sameScopes = (a: string[], b: string[]) => a.length === b.length && a.every((s) => b.includes(s));

/** Why a token lacks mssql:write, and the one thing that gets it (the person's policy decides, not the client). */
function writeScopeRefusal(policyScopes: string[]): string {
  if (!policyScopes.includes(SCOPES.write))
    return `This tool needs the ${SCOPES.write} scope, and your access policy does not give you writes; ask an administrator.`;
  return (
    `This tool needs the ${SCOPES.write} scope, which your access policy now gives you but this token was issued without. ` +
    'Refreshing the token gets it when your sign-in asked for it; otherwise sign out of this server in your MCP client (or reconnect it) and sign in again.'
  );
}

function callsWriteTool(body: unknown, isWriteTool: (name: string) => boolean): boolean {
  const msgs = Array.isArray(body) ? body : [body];
  return msgs.some((m) => {
    const msg = m as { method?: string; params?: { name?: string } } | null;
    return msg?.method === 'tools/call' && isWriteTool(msg.params?.name ?? '');
  });
}

/** Who sent a verified request, as the Inspector's feed names them. */
function whoOf(auth: AuthInfo): Pick<McpRequestEvent, 'clientId' | 'subject' | 'email'> {
  const { identity } = callerOf(auth);
  return { clientId: auth.clientId, subject: identity.subject, email: identity.email };
}

/** initialize (2025) or server/discover (2026-07-28) in a body: a client starting to talk to the bridge. */
function opens(body: unknown): { method: string; protocolVersion?: string } | undefined {
  for (const m of Array.isArray(body) ? body : [body]) {
    const msg = m as { method?: string; params?: { protocolVersion?: string } } | null;
    if (msg?.method === 'initialize' || msg?.method === 'server/discover')
      return { method: msg.method, protocolVersion: msg.params?.protocolVersion };
  }
  return undefined;
}

/** The error and its description from a WWW-Authenticate challenge, for a person to read. */
function challengeReason(header: string | null): string {
  if (!header) return 'no bearer token';
  const field = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(header)?.[1];
  const error = field('error');
  const description = field('error_description');
  if (!error) return 'no bearer token';
  return description ? `${error}: ${description}` : error;
}

const isInitialize = (body: unknown) => opens(body)?.method === 'initialize';

function jsonRpcError(res: Response, status: number, code: number, message: string): void {
  res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
}

async function sendWebResponse(res: Response, answer: globalThis.Response): Promise<void> {
  answer.headers.forEach((value, name) => res.setHeader(name, value));
  res.status(answer.status).send(Buffer.from(await answer.arrayBuffer()));
}

import crypto from 'node:crypto';
import { APP_VERSION } from '../version.js';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { SCOPES } from '../config/schema.js';
import type { AccessTokens, CallerInfo } from '../oauth/access-tokens.js';
import type { GrantStore } from '../oauth/grants.js';
import type { OriginContext } from '../oauth/origin.js';
import type { ToolSet } from './tools.js';
import { WRITE_TOOLS } from './sql-tools.js';

interface Session {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  subject: string;
  clientId: string;
  grantId: string;
}

/**
 * `/mcp`: streamable HTTP with stateful sessions, every request bearer-verified. A session belongs to the
 * user and client that opened it, and ends when the grant behind its token is revoked.
 */
export class McpEndpoint {
  private readonly sessions = new Map<string, Session>();
  private readonly stopListening: () => void;

  constructor(
    private readonly tokens: AccessTokens,
    grants: GrantStore,
    private readonly toolSets: ToolSet[],
  ) {
    this.stopListening = grants.onEvent((event) => {
      if (event.type !== 'grant_revoked') return;
      const { grantId } = event;
      for (const [id, s] of this.sessions) if (s.grantId === grantId) void this.close(id);
    });
  }

  sessionCount(): number {
    return this.sessions.size;
  }

  /** The handler for one origin: its resource URL is the token audience it accepts. */
  handler(ctx: OriginContext): RequestHandler {
    const router = express.Router();
    router.use(
      requireBearerAuth({
        verifier: { verifyAccessToken: (token) => this.tokens.verify(token) },
        requiredScopes: [SCOPES.tools],
        resourceMetadataUrl: ctx.resourceMetadata,
        expectedResource: new URL(ctx.resource),
      }),
    );
    router.use(express.json({ limit: '1mb' }));
    router.all('/', (req, res) => void this.handle(req, res, ctx));
    return router;
  }

  private async handle(req: Request, res: Response, ctx: OriginContext): Promise<void> {
    const auth = (req as Request & { auth: AuthInfo }).auth;
    const caller = auth.extra as unknown as CallerInfo;
    // A write tool called with a token lacking mssql:write: 403 with the scope to ask for, so clients step up.
    if (!auth.scopes.includes(SCOPES.write) && callsWriteTool(req.body)) {
      res.setHeader(
        'WWW-Authenticate',
        `Bearer error="insufficient_scope", scope="${SCOPES.tools} ${SCOPES.write}", resource_metadata="${ctx.resourceMetadata}", error_description="This tool needs the ${SCOPES.write} scope"`,
      );
      res.status(403).json({
        error: 'insufficient_scope',
        error_description: `This tool needs the ${SCOPES.write} scope.`,
      });
      return;
    }
    const sessionId = req.header('mcp-session-id');
    if (sessionId) {
      const session = this.sessions.get(sessionId);
      if (!session) return jsonRpcError(res, 404, -32001, 'Session not found; initialize a new session.');
      if (session.subject !== caller.identity.subject || session.clientId !== auth.clientId) {
        return jsonRpcError(res, 403, -32003, 'This session belongs to another user or client.');
      }
      session.grantId = caller.grantId;
      await session.transport.handleRequest(req, res, req.body);
      return;
    }
    if (req.method !== 'POST' || !isInitialize(req.body)) {
      return jsonRpcError(res, 400, -32000, 'No Mcp-Session-Id: the first request must be initialize.');
    }
    const server = new McpServer(
      { name: 'mssql-mcp-bridge', version: APP_VERSION },
      { capabilities: { tools: {}, logging: {} } },
    );
    for (const register of this.toolSets)
      register(server, { caller, clientId: auth.clientId, scopes: auth.scopes });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (id) => {
        this.sessions.set(id, {
          transport,
          server,
          subject: caller.identity.subject,
          clientId: auth.clientId,
          grantId: caller.grantId,
        });
      },
      onsessionclosed: (id) => void this.close(id),
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  }

  private async close(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    await s.server.close().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    this.stopListening();
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
  }
}

function callsWriteTool(body: unknown): boolean {
  const msgs = Array.isArray(body) ? body : [body];
  return msgs.some((m) => {
    const msg = m as { method?: string; params?: { name?: string } } | null;
    return msg?.method === 'tools/call' && WRITE_TOOLS.has(msg.params?.name ?? '');
  });
}

function isInitialize(body: unknown): boolean {
  const msgs = Array.isArray(body) ? body : [body];
  return msgs.some((m) => (m as { method?: string } | null)?.method === 'initialize');
}

function jsonRpcError(res: Response, status: number, code: number, message: string): void {
  res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
}

import crypto from 'node:crypto';
import {
  SdkHttpError,
  StreamableHTTPClientTransport,
  isJSONRPCRequest,
  isJSONRPCResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type Transport,
} from '@modelcontextprotocol/client';
import { SignInError, type ConnectorCredentials } from './connector-credentials.js';
import type { WriteReview } from '../../shared/types.js';
import { CONFIRMED_VIA_META, WRITE_REVIEW_META, writeReviewSchema } from '../mcp/write-review.js';
import type { LocalAnswer } from './confirm-locally.js';
import type { ConnectorCache } from './connector-cache.js';

export interface ConnectorOptions {
  /** The MCP client's side: stdio, as Claude Desktop launches local servers. */
  stdio: Transport;
  mcpUrl: URL;
  credentials: ConnectorCredentials;
  cache: ConnectorCache;
  version: string;
  log: (line: string) => void;
  /**
   * Confirms a write with the person when the MCP client cannot (no elicitation): the desktop app, else a local
   * page. With it the connector declares elicitation to the bridge on the client's behalf and serves it.
   */
  confirm?: (review: WriteReview) => Promise<LocalAnswer>;
}

/** Listed while the bridge cannot be reached and no earlier tool list is known, so the reason can be asked for. */
const STATUS_TOOL = {
  name: 'bridge_status',
  description: 'Says why MSSQL MCP Bridge cannot be reached right now, and what to do about it.',
  inputSchema: { type: 'object', properties: {} },
};

/**
 * The stdio connector: every message from the MCP client goes to the bridge's /mcp unchanged (requests,
 * notifications, progress, cancellation, answers to the bridge's elicitations) and every message back returns
 * unchanged, through the SDK's Streamable HTTP transport with this user's bearer token. What the bridge cannot
 * answer (it is not running, the person has not signed in) is answered here with a sentence naming the fix, and
 * the connector reconnects, re-initializing the MCP session with the client's own parameters, once it can.
 */
export class Connector {
  private upstream: StreamableHTTPClientTransport | undefined;
  /** The client's initialize parameters, replayed when the bridge restarts (a new MCP session). */
  private initParams: JSONRPCRequest['params'];
  private reconnecting: Promise<void> | undefined;
  private offline = false;
  /** Methods of forwarded requests by id, to read the answers worth remembering (initialize, tools/list). */
  private readonly methods = new Map<string | number, string>();
  private readonly ownRequests = new Map<string | number, (msg: JSONRPCMessage) => void>();
  /** The client declared no elicitation and the connector declared it for them: it answers the bridge's. */
  private servesElicitation = false;

  constructor(private readonly o: ConnectorOptions) {}

  async start(): Promise<void> {
    this.o.stdio.onmessage = (msg) => void this.fromClient(msg);
    await this.o.stdio.start();
  }

  async close(): Promise<void> {
    await this.upstream?.close();
    await this.o.stdio.close();
  }

  private async fromClient(received: JSONRPCMessage): Promise<void> {
    if (!isJSONRPCRequest(received)) {
      const msg = received;
      // Notifications (initialized, cancelled, progress) and answers to the bridge's own requests.
      if (this.upstream)
        await this.send(msg).catch((err: Error) => this.o.log(`not delivered: ${err.message}`));
      return;
    }
    const msg: JSONRPCRequest =
      received.method === 'initialize'
        ? { ...received, params: (this.initParams = this.withElicitation(received.params)) }
        : received;
    this.methods.set(msg.id, msg.method);
    try {
      if (msg.method !== 'initialize' && this.initParams !== undefined && !this.upstream)
        await this.reconnect();
      await this.send(msg);
    } catch (err) {
      this.methods.delete(msg.id);
      if (isUnreachable(err)) this.dropUpstream();
      this.o.log((err as Error).message);
      await this.o.stdio.send(this.answerHere(msg, err as Error));
    }
  }

  /** Sends upstream; a 401 renews the sign-in once, a lost session (the bridge restarted) is re-made once. */
  private async send(msg: JSONRPCMessage, retried = false): Promise<void> {
    const upstream = (this.upstream ??= this.transport());
    const token = await this.o.credentials.accessToken();
    try {
      await upstream.send(msg);
    } catch (err) {
      if (retried || !(err instanceof SdkHttpError)) throw err;
      if (err.status === 401) {
        await this.o.credentials.renew(token);
        return this.send(msg, true);
      }
      if (err.status === 404 && upstream.sessionId && this.initParams !== undefined && !isInitialize(msg)) {
        this.o.log('the bridge no longer knows this MCP session (restarted?): starting a new one');
        this.dropUpstream();
        await this.reconnect();
        return this.send(msg, true);
      }
      throw err;
    }
  }

  private transport(): StreamableHTTPClientTransport {
    const transport = new StreamableHTTPClientTransport(this.o.mcpUrl, {
      // The bearer as the credentials hold it now (loaded from the keychain once, reloaded there after a 401,
      // which is when another connector process may have refreshed it).
      fetch: async (url, init) => {
        const headers = new Headers(init?.headers);
        const token = await this.o.credentials.accessToken();
        if (token) headers.set('authorization', `Bearer ${token}`);
        return fetch(url, { ...init, headers });
      },
      reconnectionOptions: {
        maxRetries: 0,
        initialReconnectionDelay: 1000,
        maxReconnectionDelay: 1000,
        reconnectionDelayGrowFactor: 1,
      },
    });
    transport.onmessage = (msg) => void this.fromBridge(msg);
    // Errors of sends come back to send() and are handled there; log only the rest (the event stream's).
    transport.onerror = (err) => {
      if (!(err instanceof SdkHttpError) && !isUnreachable(err)) this.o.log(`bridge stream: ${err.message}`);
    };
    return transport;
  }

  /**
   * A client without elicitation (Claude Desktop's chat) could never confirm a write: when the connector can ask
   * the person itself, it says so to the bridge in the client's initialize, and answers the elicitations.
   */
  private withElicitation(params: JSONRPCRequest['params']): JSONRPCRequest['params'] {
    const p = (params ?? {}) as { capabilities?: Record<string, unknown> };
    if (!this.o.confirm || p.capabilities?.elicitation) {
      this.servesElicitation = false;
      return params;
    }
    this.servesElicitation = true;
    return { ...p, capabilities: { ...p.capabilities, elicitation: { form: {} } } };
  }

  /** The bridge asks to confirm a write: the person answers in the app or on the connector's page. */
  private async serveElicitation(msg: JSONRPCRequest): Promise<void> {
    const params = msg.params as { _meta?: Record<string, unknown> } | undefined;
    const review = writeReviewSchema.safeParse(params?._meta?.[WRITE_REVIEW_META]);
    let result: Record<string, unknown>;
    if (!review.success) {
      this.o.log('the bridge asked for input the connector cannot show; declined');
      result = { action: 'decline' };
    } else {
      const answer = await this.o.confirm!(review.data).catch((err: Error) => {
        this.o.log(`could not ask for the confirmation: ${err.message}`);
        return { action: 'cancel' as const, via: 'connector page' as const };
      });
      this.o.log(
        `write ${answer.action === 'accept' ? 'approved' : answer.action === 'decline' ? 'declined' : 'not answered'} (${answer.via})`,
      );
      result = {
        action: answer.action,
        ...(answer.action === 'accept' ? { content: { confirm: true } } : {}),
        _meta: { [CONFIRMED_VIA_META]: answer.via },
      };
    }
    await this.send({ jsonrpc: '2.0', id: msg.id, result }).catch((err: Error) =>
      this.o.log(`the confirmation could not be sent to the bridge: ${err.message}`),
    );
  }

  private async fromBridge(msg: JSONRPCMessage): Promise<void> {
    if (this.servesElicitation && isJSONRPCRequest(msg) && msg.method === 'elicitation/create')
      return this.serveElicitation(msg);
    if (isJSONRPCResponse(msg) && msg.id !== undefined) {
      const own = this.ownRequests.get(msg.id);
      if (own) {
        this.ownRequests.delete(msg.id);
        return own(msg);
      }
      const method = this.methods.get(msg.id);
      this.methods.delete(msg.id);
      if ('result' in msg && method === 'initialize') {
        this.upstream?.setProtocolVersion(String(msg.result.protocolVersion));
        this.offline = false;
        this.o.cache.rememberInitialize(msg.result);
      }
      if ('result' in msg && method === 'tools/list' && !msg.result.nextCursor)
        this.o.cache.rememberTools(msg.result.tools);
    }
    await this.o.stdio.send(msg);
  }

  /** A new MCP session with the client's own initialize parameters; tells the client its tools may have changed. */
  private reconnect(): Promise<void> {
    this.reconnecting ??= (async () => {
      const id = `connector-${crypto.randomUUID()}`;
      const answered = new Promise<JSONRPCMessage>((resolve) => this.ownRequests.set(id, resolve));
      try {
        await this.send({ jsonrpc: '2.0', id, method: 'initialize', params: this.initParams });
      } catch (err) {
        this.ownRequests.delete(id);
        throw err;
      }
      const answer = await answered;
      if (!('result' in answer))
        throw new Error(`the bridge refused to start an MCP session: ${JSON.stringify(answer)}`);
      this.upstream?.setProtocolVersion(String(answer.result.protocolVersion));
      await this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      if (this.offline) {
        this.offline = false;
        this.o.log(`connected to ${this.o.mcpUrl.href}`);
        await this.o.stdio.send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
      }
    })().finally(() => (this.reconnecting = undefined));
    return this.reconnecting;
  }

  private dropUpstream(): void {
    const upstream = this.upstream;
    this.upstream = undefined;
    this.offline = true;
    void upstream?.close().catch(() => undefined);
  }

  /** What the connector says itself when the bridge cannot answer: the reason and its fix, never a crash. */
  private answerHere(req: JSONRPCRequest, err: Error): JSONRPCMessage {
    const reason = this.explain(err);
    const reply = (result: Record<string, unknown>): JSONRPCMessage => ({
      jsonrpc: '2.0',
      id: req.id,
      result,
    });
    switch (req.method) {
      case 'initialize': {
        const known = this.o.cache.initialize();
        const asked = (req.params as { protocolVersion?: string } | undefined)?.protocolVersion;
        return reply({
          protocolVersion: asked ?? known?.protocolVersion ?? '2025-11-25',
          capabilities: known?.capabilities ?? { tools: { listChanged: true } },
          serverInfo: { name: 'mssql-mcp-bridge', version: this.o.version },
          instructions: reason,
        });
      }
      case 'tools/list':
        return reply({ tools: this.o.cache.tools() ?? [STATUS_TOOL] });
      case 'tools/call':
        return reply({ content: [{ type: 'text', text: reason }], isError: true });
      case 'resources/list':
        return reply({ resources: [] });
      case 'resources/templates/list':
        return reply({ resourceTemplates: [] });
      case 'prompts/list':
        return reply({ prompts: [] });
      case 'ping':
        return reply({});
      default:
        return { jsonrpc: '2.0', id: req.id, error: { code: -32603, message: reason } };
    }
  }

  private explain(err: Error): string {
    if (err instanceof SignInError) return `${err.message} Retry to open the sign-in page again.`;
    const origin = this.o.mcpUrl.origin;
    if (err instanceof SdkHttpError) {
      if (err.status === 503)
        return `MSSQL MCP Bridge at ${origin} is starting or stopping (HTTP 503). Retry in a moment.`;
      return `MSSQL MCP Bridge at ${origin} answered HTTP ${err.status}: ${err.message.slice(0, 300)}`;
    }
    if (isUnreachable(err)) {
      return `MSSQL MCP Bridge is not running at ${origin}. Start MSSQL MCP Bridge from the tray (or run \`mssql-mcp-bridge serve\`), then retry.`;
    }
    return err.message;
  }
}

/** Nothing answers at the bridge's address (fetch's own failure, not an HTTP status). */
function isUnreachable(err: unknown): boolean {
  const code = (err as { cause?: { code?: string } }).cause?.code;
  return (
    err instanceof TypeError &&
    (code === undefined || /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|UND_ERR_)/.test(code))
  );
}

const isInitialize = (msg: JSONRPCMessage) => isJSONRPCRequest(msg) && msg.method === 'initialize';

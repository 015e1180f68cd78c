import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { UserAgent } from './user-agent.js';

/**
 * An OAuthClientProvider as a desktop MCP client implements it: its loopback redirect, its stored client
 * information and tokens, and a "browser" (the HTTP user agent) that signs in and consents.
 */
export class TestSdkOAuthProvider implements OAuthClientProvider {
  saved: { client?: OAuthClientInformationMixed; tokens?: OAuthTokens; verifier?: string } = {};
  lastCode?: string;
  lastRedirect?: URL;
  readonly ua: UserAgent;

  constructor(
    private readonly opts: {
      redirectUrl: string;
      clientId?: string;
      user: string;
      consent?: 'allow' | 'deny';
      scope?: string;
      /** How the "browser" reaches hosts (a proxy's name, one instance of several). */
      fetch?: typeof fetch;
    },
  ) {
    this.ua = new UserAgent(opts.fetch);
    if (opts.clientId) this.saved.client = { client_id: opts.clientId };
  }

  get redirectUrl(): string {
    return this.opts.redirectUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'Bridge test client',
      redirect_uris: [this.opts.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope: this.opts.scope,
    };
  }

  clientInformation() {
    return this.saved.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.saved.client = info;
  }
  tokens() {
    return this.saved.tokens;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved.tokens = tokens;
  }
  saveCodeVerifier(v: string) {
    this.saved.verifier = v;
  }
  codeVerifier() {
    if (!this.saved.verifier) throw new Error('no verifier');
    return this.saved.verifier;
  }

  async redirectToAuthorization(url: URL): Promise<void> {
    const result = await this.ua.browse(url.href, {
      stopAt: this.opts.redirectUrl,
      login: { user: this.opts.user, password: `${this.opts.user}-pass` },
      consent: this.opts.consent ?? 'allow',
    });
    if (result.kind !== 'redirected')
      throw new Error(`browser stopped at ${result.url}: ${result.html.slice(0, 300)}`);
    this.lastRedirect = result.url;
    this.lastCode = result.url.searchParams.get('code') ?? undefined;
  }
}

/**
 * The SDK's own flow, as a stock client runs it: connect → 401 → auth() (scope from the challenge) → browser →
 * finishAuth → reconnect. The client declares no capabilities unless given (Claude.ai declares no elicitation).
 */
export async function connectWithOAuth(
  serverUrl: string,
  provider: TestSdkOAuthProvider,
  capabilities: ClientCapabilities = {},
): Promise<Client> {
  const first = new StreamableHTTPClientTransport(new URL(serverUrl), { authProvider: provider });
  const refused = await new Client({ name: 't', version: '1' }).connect(first).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(refused instanceof UnauthorizedError))
    throw new Error(`expected a 401 first, got ${String(refused)}`);
  if (!provider.lastCode) throw new Error('the browser step returned no code');
  await first.finishAuth(provider.lastCode);
  const client = new Client({ name: 't', version: '1' }, { capabilities });
  await client.connect(new StreamableHTTPClientTransport(new URL(serverUrl), { authProvider: provider }));
  return client;
}

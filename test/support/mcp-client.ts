import * as oidc from 'openid-client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  ElicitRequestSchema,
  type ElicitRequest,
  type ElicitResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { Env } from './harness.js';
import { UserAgent, type BrowseResult } from './user-agent.js';

export const CLIENT_REDIRECT = 'http://127.0.0.1:53682/oauth/callback';

/** A fixed RFC 7636 Appendix B pair, for requests built by hand. */
export const PKCE_PAIR = {
  challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
};

/** A hand-built /authorize URL for claude-desktop (state `s1`); `undefined` drops a parameter. */
export function authorizeUrl(origin: string, params: Record<string, string | undefined> = {}): URL {
  const url = new URL('/authorize', origin);
  const base = {
    response_type: 'code',
    client_id: 'claude-desktop',
    redirect_uri: CLIENT_REDIRECT,
    code_challenge: PKCE_PAIR.challenge,
    code_challenge_method: 'S256',
    state: 's1',
  };
  for (const [k, v] of Object.entries({ ...base, ...params }))
    if (v !== undefined) url.searchParams.set(k, v);
  return url;
}

/** Discovery of the bridge's AS with openid-client, as a strict third-party client would do it. */
export function discoverBridge(
  env: Env,
  clientId = 'claude-desktop',
  origin = env.core.urls().origin,
): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(`${origin}/`), clientId, undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
}

export interface FlowOptions {
  clientId?: string;
  redirectUri?: string;
  scope?: string;
  resource?: string;
  user?: string;
  password?: string;
  consent?: 'allow' | 'deny';
  origin?: string;
}

/** Runs /authorize → test IdP login → (consent) → redirect, and returns what the client's listener got. */
export async function authorizeViaBrowser(env: Env, o: FlowOptions = {}) {
  const config = await discoverBridge(env, o.clientId ?? 'claude-desktop', o.origin);
  const redirectUri = o.redirectUri ?? CLIENT_REDIRECT;
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const params: Record<string, string> = {
    redirect_uri: redirectUri,
    scope: o.scope ?? 'mcp:tools',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    resource: o.resource ?? `${o.origin ?? env.core.urls().origin}/mcp`,
  };
  const url = oidc.buildAuthorizationUrl(config, params);
  const ua = new UserAgent();
  const result: BrowseResult = await ua.browse(url.href, {
    stopAt: redirectUri,
    login: { user: o.user ?? 'alice', password: o.password ?? `${o.user ?? 'alice'}-pass` },
    consent: o.consent,
  });
  return { config, verifier, state, result, redirectUri, resource: params.resource!, ua };
}

/** The whole flow up to tokens. */
export async function signIn(env: Env, o: FlowOptions = {}) {
  const flow = await authorizeViaBrowser(env, o);
  if (flow.result.kind !== 'redirected')
    throw new Error(
      `sign-in stopped at ${flow.result.url}: ${flow.result.status} ${flow.result.html.slice(0, 400)}`,
    );
  const tokens = await oidc.authorizationCodeGrant(
    flow.config,
    flow.result.url,
    { pkceCodeVerifier: flow.verifier, expectedState: flow.state },
    { resource: flow.resource },
  );
  return { ...flow, tokens, code: flow.result.url.searchParams.get('code')! };
}

/** What a 2025-era client answers to the bridge's elicitation (write confirmation); none: no capability. */
export type ElicitAnswer = (params: ElicitRequest['params']) => Promise<ElicitResult> | ElicitResult;

/** A 2025-era MCP SDK (v1) client on /mcp with a bearer token: the lane mcp-remote and the Inspector use. */
export async function mcpClient(url: string, accessToken: string, onElicit?: ElicitAnswer): Promise<Client> {
  const client = new Client(
    { name: 'bridge-test', version: '1.0.0' },
    { capabilities: onElicit ? { elicitation: { form: {} } } : {} },
  );
  if (onElicit) client.setRequestHandler(ElicitRequestSchema, (req) => onElicit(req.params));
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${accessToken}` } },
    }),
  );
  return client;
}

/** POST a form to the bridge's token endpoint and return status + JSON. */
export async function tokenRequest(env: Env, fields: Record<string, string>) {
  const res = await fetch(`${env.core.urls().origin}/token`, {
    method: 'POST',
    body: new URLSearchParams(fields),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

/** A raw MCP initialize POST with a bearer token: status and WWW-Authenticate, for auth assertions. */
export async function postInitialize(mcpUrl: string, token: string, via: typeof fetch = fetch) {
  const res = await via(mcpUrl, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    }),
  });
  await res.body?.cancel();
  return { status: res.status, www: res.headers.get('www-authenticate') ?? '' };
}

/**
 * Two clients nobody here wrote, each through the real flow with the browser step in headless Chromium (the
 * test IdP's login form, the bridge's consent page): the MCP SDK's Client with StreamableHTTPClientTransport
 * and an OAuthClientProvider (discovery, Dynamic Client Registration, PKCE, token, tool call), and openid-client
 * validating the bridge's metadata strictly (code flow, refresh rotation, revocation).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnv, type Env } from '../test/support/harness.js';
import { discoverBridge, mcpClient, postInitialize } from '../test/support/mcp-client.js';
import { TestSdkOAuthProvider } from '../test/support/sdk-oauth-provider.js';
import { codeFlowInChromium, launchChromium, signInWithBrowser } from './browser.js';

let env: Env;
let browser: Browser;
let callback: http.Server;
let redirectUri: string;
beforeAll(async () => {
  env = await startEnv({ sql: {} });
  browser = await launchChromium();
  // The client's loopback listener (what a desktop client runs while the user signs in).
  callback = http.createServer((_req, res) => res.end('done'));
  await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
  redirectUri = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/oauth/callback`;
}, 60_000);
afterAll(async () => {
  callback?.close();
  await browser?.close();
  await env?.close();
});

/** The SDK's provider, with the person at a real browser instead of the HTTP user agent. */
class ChromiumOAuthProvider extends TestSdkOAuthProvider {
  override async redirectToAuthorization(url: URL): Promise<void> {
    const landed = new URL(
      await signInWithBrowser(browser, url.href, {
        user: 'bob',
        password: 'bob-pass',
        callbackPrefix: redirectUri,
      }),
    );
    this.lastRedirect = landed;
    this.lastCode = landed.searchParams.get('code') ?? undefined;
  }
}

describe('third-party OAuth clients, signed in through Chromium', () => {
  it('MCP SDK Client: discovery, DCR, consent, token and a tool call', async () => {
    const provider = new ChromiumOAuthProvider({ redirectUrl: redirectUri, user: 'bob' });
    const url = new URL(env.core.urls().mcp);
    await expect(
      new Client({ name: 'sdk', version: '1' }).connect(
        new StreamableHTTPClientTransport(url, { authProvider: provider }),
      ),
    ).rejects.toBeInstanceOf(UnauthorizedError);
    const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
    await transport.finishAuth(provider.lastCode!);
    const client = new Client({ name: 'sdk', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
    expect(provider.saved.client?.client_id).toMatch(/^[0-9a-f-]{36}$/); // registered itself
    const r = (await client.callTool({
      name: 'run_query',
      arguments: { sql: 'SELECT COUNT(*) AS n FROM Customers' },
    })) as unknown as { structuredContent: { rows: unknown[][] } };
    expect(r.structuredContent.rows).toEqual([[1000]]);
    await client.close();
  }, 90_000);

  it('openid-client: strict metadata, code flow, refresh rotation and revocation', async () => {
    const mcp = env.core.urls().mcp;
    const config = await discoverBridge(env, 'claude-desktop');
    expect(config.serverMetadata()).toMatchObject({
      issuer: env.core.urls().issuer,
      code_challenge_methods_supported: ['S256'],
    });
    // openid-client checks state and the RFC 9207 `iss` of the response against the metadata.
    const tokens = await codeFlowInChromium(browser, config, { redirectUri, resource: mcp, user: 'alice' });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, { resource: mcp });
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    const client = await mcpClient(mcp, refreshed.access_token);
    await client.callTool({ name: 'whoami', arguments: {} });
    await client.close();
    await oidc.tokenRevocation(config, refreshed.refresh_token!);
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    // Revoking the refresh token ends the family: its access token too.
    expect((await postInitialize(mcp, refreshed.access_token)).status).toBe(401);
  }, 90_000);
});

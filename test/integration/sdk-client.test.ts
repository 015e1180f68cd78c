import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { startEnv, type Env } from '../support/harness.js';
import { postInitialize } from '../support/mcp-client.js';
import { connectWithOAuth, TestSdkOAuthProvider } from '../support/sdk-oauth-provider.js';

let env: Env;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(() => env?.close());

describe('MCP SDK client auth()', () => {
  for (const host of ['127.0.0.1', 'localhost']) {
    it(`discovers, registers (DCR), consents and calls a tool via http://${host}:PORT/mcp`, async () => {
      const serverUrl = `http://${host}:${env.core.port}/mcp`;
      const provider = new TestSdkOAuthProvider({
        redirectUrl: `http://${host}:61${host === 'localhost' ? '111' : '112'}/oauth/callback`,
        user: 'bob',
      });
      const client = await connectWithOAuth(serverUrl, provider);
      // DCR happened and the registration is a public client.
      expect(provider.saved.client?.client_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(
        (provider.saved.client as { token_endpoint_auth_method?: string }).token_endpoint_auth_method,
      ).toBe('none');
      // RFC 9207: the authorization response names the issuer the client used.
      expect(provider.lastRedirect!.searchParams.get('iss')).toBe(`http://${host}:${env.core.port}/`);
      const result = await client.callTool({ name: 'whoami', arguments: {} });
      expect(result.structuredContent).toMatchObject({
        subject: 'bob',
        databaseUser: 'bob',
        groups: ['engineers', 'dba'],
      });
      await client.close();
    });
  }

  it('uses the pre-registered claude-desktop client on any loopback port without consent', async () => {
    const provider = new TestSdkOAuthProvider({
      redirectUrl: 'http://localhost:49152/oauth/callback',
      clientId: 'claude-desktop',
      user: 'alice',
      consent: 'deny',
    });
    const client = await connectWithOAuth(env.core.urls().mcp, provider);
    expect((await client.callTool({ name: 'whoami', arguments: {} })).structuredContent).toMatchObject({
      subject: 'alice',
      client: 'claude-desktop',
    });
    await client.close();
  });

  it('a denied consent returns access_denied to the client, with iss', async () => {
    const provider = new TestSdkOAuthProvider({
      redirectUrl: 'http://127.0.0.1:61113/oauth/callback',
      user: 'alice',
      consent: 'deny',
    });
    const result = await auth(provider, { serverUrl: env.core.urls().mcp });
    expect(result).toBe('REDIRECT');
    expect(provider.lastRedirect!.searchParams.get('error')).toBe('access_denied');
    expect(provider.lastRedirect!.searchParams.get('iss')).toBe(env.core.urls().issuer);
    expect(provider.lastCode).toBeUndefined();
  });

  it('a token lacking mcp:tools gets 403 insufficient_scope naming the scope to ask for', async () => {
    const provider = new TestSdkOAuthProvider({
      redirectUrl: 'http://127.0.0.1:61114/oauth/callback',
      clientId: 'claude-desktop',
      user: 'alice',
      scope: 'mssql:write',
    });
    await auth(provider, { serverUrl: env.core.urls().mcp, scope: 'mssql:write' });
    await auth(provider, { serverUrl: env.core.urls().mcp, authorizationCode: provider.lastCode! });
    expect(provider.saved.tokens?.scope).toBe('mssql:write');
    const res = await postInitialize(env.core.urls().mcp, provider.saved.tokens!.access_token);
    expect(res.status).toBe(403);
    const header = res.www;
    expect(header).toContain('error="insufficient_scope"');
    expect(header).toContain('scope="mcp:tools mssql:write"');
    expect(header).toContain(`resource_metadata="${env.core.urls().protectedResourceMetadata}"`);
  });
});

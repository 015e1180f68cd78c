import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { startEnv, type Env } from '../support/harness.js';
import { mcpClient, signIn } from '../support/mcp-client.js';

let env: Env;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(() => env?.close());

describe('authorization-code flow with openid-client as the MCP client', () => {
  it('signs in through the test IdP, gets audience-bound tokens and calls /mcp as that user', async () => {
    const { tokens, config } = await signIn(env, { user: 'alice' });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.expires_in).toBe(900);
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.scope).toBe('mcp:tools');

    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString());
    expect(claims.aud).toBe(env.core.urls().mcp);
    expect(claims.iss).toBe(env.core.urls().issuer);
    expect(claims.sub).toBe('alice');
    expect(claims.client_id).toBe('claude-desktop');
    expect(claims.identity.dbUser).toBe('alice');

    const client = await mcpClient(env.core.urls().mcp, tokens.access_token);
    const who = await client.callTool({ name: 'whoami', arguments: {} });
    expect(who.structuredContent).toMatchObject({
      subject: 'alice',
      email: 'alice@example.com',
      databaseUser: 'alice',
      groups: ['analysts'],
      client: 'claude-desktop',
    });
    await client.close();

    // Refresh rotates: a new refresh token, a working access token.
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    const again = await mcpClient(env.core.urls().mcp, refreshed.access_token);
    expect((await again.listTools()).tools.map((t) => t.name)).toContain('whoami');
    await again.close();

    // Revocation (RFC 7009) of the refresh token ends the whole family at once.
    await oidc.tokenRevocation(config, refreshed.refresh_token!);
    const res = await fetch(env.core.urls().mcp, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${refreshed.access_token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('revoked');
  });
});

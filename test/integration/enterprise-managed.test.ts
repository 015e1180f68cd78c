/**
 * Enterprise-managed authorization (MCP ext-auth; draft-ietf-oauth-identity-assertion-authz-grant): an MCP
 * client signed in at the company IdP trades its ID token there for an ID-JAG (RFC 8693), then the ID-JAG here
 * for an access token (RFC 7523 jwt-bearer), with no browser at the bridge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { ID_JAG_TOKEN_TYPE } from '@mssql-mcp-bridge/demo-idp';
import { startEnv, type Env } from '../support/harness.js';
import { mcpClient, tokenRequest } from '../support/mcp-client.js';
import { UserAgent } from '../support/user-agent.js';

const AGENT = {
  client_id: 'enterprise-agent',
  client_secret: 'agent-secret',
  redirect_uris: ['http://127.0.0.1:53999/cb'],
  id_jag_client_id: 'claude-desktop',
};
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

let env: Env;
let idToken: string;
let idp: oidc.Configuration;
beforeAll(async () => {
  env = await startEnv({ idpClients: [AGENT] });
  // The agent signs alice in at the IdP (its own client there) and keeps her ID token.
  idp = await oidc.discovery(
    new URL(env.idp.issuer),
    AGENT.client_id,
    undefined,
    oidc.ClientSecretPost(AGENT.client_secret),
    {
      execute: [oidc.allowInsecureRequests],
    },
  );
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(idp, {
    redirect_uri: AGENT.redirect_uris[0]!,
    scope: 'openid email profile groups',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    nonce: 'n-1',
  });
  const back = await new UserAgent().browse(url.href, {
    stopAt: AGENT.redirect_uris[0]!,
    login: { user: 'alice', password: 'alice-pass' },
  });
  if (back.kind !== 'redirected') throw new Error('IdP sign-in failed');
  const tokens = await oidc.authorizationCodeGrant(idp, back.url, {
    pkceCodeVerifier: verifier,
    expectedNonce: 'n-1',
  });
  idToken = tokens.id_token!;
});
afterAll(() => env?.close());

async function idJag(over: { audience?: string; resource?: string; scope?: string } = {}): Promise<string> {
  const res = await oidc.genericGrantRequest(idp, 'urn:ietf:params:oauth:grant-type:token-exchange', {
    subject_token: idToken,
    subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
    requested_token_type: ID_JAG_TOKEN_TYPE,
    audience: over.audience ?? env.core.urls().issuer,
    resource: over.resource ?? env.core.urls().mcp,
    scope: over.scope ?? 'mcp:tools',
  });
  return res.access_token;
}

const exchange = (assertion: string, extra: Record<string, string> = {}) =>
  tokenRequest(env, { grant_type: JWT_BEARER, client_id: 'claude-desktop', assertion, ...extra });

describe('ID-JAG at /token', () => {
  it('is advertised in the authorization server metadata', async () => {
    const meta = (await (await fetch(env.core.urls().authorizationServerMetadata)).json()) as {
      grant_types_supported: string[];
    };
    expect(meta.grant_types_supported).toContain(JWT_BEARER);
  });

  it('issues an audience-bound access token for the asserted user, usable at /mcp, once per assertion', async () => {
    const assertion = await idJag();
    const r = await exchange(assertion);
    expect(r.status).toBe(200);
    expect(r.body.refresh_token).toBeUndefined();
    const claims = jose.decodeJwt(r.body.access_token!);
    expect(claims).toMatchObject({
      aud: env.core.urls().mcp,
      sub: 'alice',
      scope: 'mcp:tools',
      client_id: 'claude-desktop',
    });
    const client = await mcpClient(env.core.urls().mcp, r.body.access_token!);
    const who = await client.callTool({ name: 'whoami', arguments: {} });
    expect(who.structuredContent).toMatchObject({ subject: 'alice', email: 'alice@example.com' });
    await client.close();

    const replay = await exchange(assertion);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
  });

  it('grants the intersection of requested and asserted scopes, and refuses when it is empty', async () => {
    const wide = await exchange(await idJag({ scope: 'mcp:tools' }), { scope: 'mcp:tools mssql:write' });
    expect(wide.status).toBe(200);
    expect(wide.body.scope).toBe('mcp:tools');
    const none = await exchange(await idJag({ scope: 'mcp:tools' }), { scope: 'mssql:write' });
    expect(none.status).toBe(400);
    expect(none.body.error).toBe('invalid_scope');
  });

  it('refuses an assertion for another authorization server or resource, for another client, or of another type', async () => {
    expect((await exchange(await idJag({ audience: 'https://other-as.example/' }))).body.error).toBe(
      'invalid_grant',
    );
    expect((await exchange(await idJag({ resource: 'https://other.example/mcp' }))).body.error).toBe(
      'invalid_grant',
    );
    const asVscode = await tokenRequest(env, {
      grant_type: JWT_BEARER,
      client_id: 'vscode',
      assertion: await idJag(),
    });
    expect(asVscode.body.error).toBe('invalid_grant');
    // An ID token is signed by the same IdP but is not an ID-JAG (typ), and is not for this audience.
    expect((await exchange(idToken)).body.error).toBe('invalid_grant');
  });

  it('refuses an assertion that was tampered with', async () => {
    const [h, p, s] = (await idJag()).split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    payload.sub = 'bob';
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    expect((await exchange(forged)).body.error).toBe('invalid_grant');
  });
});

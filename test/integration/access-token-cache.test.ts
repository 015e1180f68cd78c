/**
 * Verified access tokens are remembered so bearer checks skip the signature after the first use; expiry and
 * revocation must still apply on every use. (TTL 2 s: `exp` is whole seconds, so at least 1 s remains after issuing.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokens } from '../../app/main/oauth/access-tokens.js';
import { loadSigningKey } from '../../app/main/oauth/signing-key.js';
import { forgeAccessToken } from '../support/forge-token.js';
import { startEnv, type Env } from '../support/harness.js';

let env: Env;
beforeAll(async () => {
  env = await startEnv({ withIdp: false });
}, 60_000);
afterAll(() => env?.close());

function grant(id: string): string {
  env.core.grants.createGrant({
    id,
    clientId: 'claude-desktop',
    scopes: ['mcp:tools'],
    resource: env.core.urls().mcp,
    issuer: env.core.urls().issuer,
    identity: { subject: 'alice', issuer: 'x', idp: 'x', groups: [], dbUser: 'alice' },
  });
  return id;
}

const issue = (gid: string) => forgeAccessToken(env, { gid }, Math.floor(Date.now() / 1000) + 2);

describe('verified-token cache', () => {
  it('refuses a remembered token once it expires, and once it or its grant is revoked', async () => {
    const tokens = new AccessTokens(await loadSigningKey(env.core.secrets), env.core.grants, () => [
      env.core.urls().issuer,
    ]);
    const g = grant('cache-grant-1');
    const token = await issue(g);
    await tokens.verify(token);
    await tokens.verify(token); // remembered
    await new Promise((r) => setTimeout(r, 3100));
    await expect(tokens.verify(token)).rejects.toThrow('expired');

    const t2 = await issue(g);
    const info = await tokens.verify(t2);
    env.core.grants.revokeAccessToken((info.extra as { jti: string }).jti, info.expiresAt!);
    await expect(tokens.verify(t2)).rejects.toThrow('revoked');

    const g2 = grant('cache-grant-2');
    const t3 = await issue(g2);
    await tokens.verify(t3);
    env.core.grants.revokeGrant(g2, 'test');
    await expect(tokens.verify(t3)).rejects.toThrow('revoked');
    // A token that never verified is still checked in full.
    await expect(tokens.verify(`${t3.slice(0, -4)}AAAA`)).rejects.toThrow('invalid');
  });
});

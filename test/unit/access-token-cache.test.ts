/**
 * Verified access tokens are remembered so bearer checks skip the signature after the first use; expiry and
 * revocation must still apply on every use. The clock is moved, not waited for; grants and revocations are the
 * real store over an in-memory state database, the signing key in an in-memory secret store.
 */
import { describe, expect, it } from 'vitest';
import { AccessTokens } from '../../app/main/oauth/access-tokens.js';
import { GrantStore } from '../../app/main/oauth/grants.js';
import { ModelStore } from '../../app/main/oauth/model-store.js';
import { loadStateKeys } from '../../app/main/oauth/sealer.js';
import { loadSigningKey } from '../../app/main/oauth/signing-key.js';
import { openMemoryStateDb } from '../../app/main/state/database.js';
import { localEvents } from '../../app/main/state/events.js';
import { sqliteSql } from '../../app/main/state/sqlite-sql.js';
import { signAccessToken } from '../support/forge-token.js';
import { ManualClock, MemorySecretStore } from '../support/memory-secret-store.js';

const ORIGIN = 'http://127.0.0.1:1';

async function setup() {
  const secrets = new MemorySecretStore();
  const db = openMemoryStateDb();
  const sql = sqliteSql(db);
  const models = new ModelStore(sql, (await loadStateKeys(secrets)).sealer, 30);
  const grants = await GrantStore.open(sql, models, localEvents());
  const clock = new ManualClock();
  const tokens = new AccessTokens(await loadSigningKey(secrets), grants, () => [`${ORIGIN}/`], clock);
  const grant = async (id: string) => {
    await grants.createGrant({
      id,
      clientId: 'claude-desktop',
      scopes: ['mcp:tools'],
      resource: `${ORIGIN}/mcp`,
      issuer: `${ORIGIN}/`,
      identity: { subject: 'alice', issuer: 'x', idp: 'x', groups: [], dbUser: 'alice' },
    });
    return id;
  };
  const issue = (gid: string, ttlSeconds = 60) =>
    signAccessToken(secrets, ORIGIN, { gid }, Math.floor(clock.now() / 1000) + ttlSeconds);
  return { db, grants, clock, tokens, grant, issue };
}

describe('verified-token cache', () => {
  it('refuses a remembered token once its expiry passes on the clock', async () => {
    const { tokens, grant, issue, clock, db } = await setup();
    const token = await issue(await grant('g1'), 60);
    await tokens.verify(token);
    await tokens.verify(token); // remembered
    clock.advance(59_000);
    await expect(tokens.verify(token)).resolves.toBeTruthy();
    clock.advance(2_000);
    await expect(tokens.verify(token)).rejects.toThrow('expired');
    // Not remembered any more: the full check says the same.
    await expect(tokens.verify(token)).rejects.toThrow('expired');
    db.close();
  });

  it('refuses a remembered token once it or its grant is revoked', async () => {
    const { tokens, grants, grant, issue, db } = await setup();
    const g = await grant('g2');
    const t2 = await issue(g);
    const info = await tokens.verify(t2);
    await grants.revokeAccessToken((info.extra as { jti: string }).jti, info.expiresAt!);
    await expect(tokens.verify(t2)).rejects.toThrow('revoked');

    const t3 = await issue(await grant('g3'));
    await tokens.verify(t3);
    await grants.revokeGrant('g3', 'test');
    await expect(tokens.verify(t3)).rejects.toThrow('revoked');
    // A token that never verified is still checked in full.
    await expect(tokens.verify(`${t3.slice(0, -4)}AAAA`)).rejects.toThrow('invalid');
    db.close();
  });
});

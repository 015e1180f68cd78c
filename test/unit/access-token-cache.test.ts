/**
 * Verified access tokens are remembered so bearer checks skip the signature after the first use; expiry and
 * revocation must still apply on every use. The clock is moved, not waited for; grants and revocations are the
 * real store over an in-memory state database, the signing key in an in-memory secret store.
 */
import { describe, expect, it } from 'vitest';
import * as jose from 'jose';
import { AccessTokens } from '../../app/main/oauth/access-tokens.js';
import { GrantStore } from '../../app/main/oauth/grants.js';
import { ModelStore } from '../../app/main/oauth/model-store.js';
import { loadStateKeys } from '../../app/main/secrets/sealer.js';
import { loadSigningKeys, rotateSigningKey } from '../../app/main/oauth/signing-key.js';
import { openMemoryStateDb } from '../../app/main/state/database.js';
import { localEvents } from '../../app/main/state/events.js';
import { sqliteSql } from '../../app/main/state/sqlite-sql.js';
import { sqlRepositories } from '../../app/main/state/sql-repositories.js';
import { signAccessToken } from '../support/forge-token.js';
import { ManualClock, MemorySecretStore } from '../support/memory-secret-store.js';

const ORIGIN = 'http://127.0.0.1:1';

async function setup() {
  const secrets = new MemorySecretStore();
  const db = openMemoryStateDb();
  const state = sqlRepositories(sqliteSql(db));
  const models = new ModelStore(state.oidcModels, (await loadStateKeys(secrets)).sealer, 30);
  const grants = await GrantStore.open(state.grants, models, localEvents());
  const clock = new ManualClock();
  const tokens = new AccessTokens(await loadSigningKeys(secrets, {}), grants, () => [`${ORIGIN}/`], clock);
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

describe('signing key rotation', () => {
  it('signs with the new key, accepts the previous one during the overlap, and drops the one before', async () => {
    const secrets = new MemorySecretStore();
    const db = openMemoryStateDb();
    const state = sqlRepositories(sqliteSql(db));
    const models = new ModelStore(state.oidcModels, (await loadStateKeys(secrets)).sealer, 30);
    const grants = await GrantStore.open(state.grants, models, localEvents());
    await grants.createGrant({
      id: 'rot',
      clientId: 'claude-desktop',
      scopes: ['mcp:tools'],
      resource: `${ORIGIN}/mcp`,
      issuer: `${ORIGIN}/`,
      identity: { subject: 'alice', issuer: 'x', idp: 'x', groups: [], dbUser: 'alice' },
    });
    const verifier = async () =>
      new AccessTokens(await loadSigningKeys(secrets, {}), grants, () => [`${ORIGIN}/`]);
    const first = (await loadSigningKeys(secrets, {})).current.kid;
    const old = await signAccessToken(secrets, ORIGIN, { gid: 'rot' });

    const rotated = await rotateSigningKey(secrets);
    expect(rotated.previous).toBe(first);
    const keys = await loadSigningKeys(secrets, {});
    expect(keys.all.map((k) => k.kid)).toEqual([rotated.kid, first]);
    const fresh = await signAccessToken(secrets, ORIGIN, { gid: 'rot' });
    expect(jose.decodeProtectedHeader(fresh).kid).toBe(rotated.kid);
    const during = await verifier();
    await expect(during.verify(old)).resolves.toBeTruthy();
    await expect(during.verify(fresh)).resolves.toBeTruthy();

    await rotateSigningKey(secrets);
    const after = await verifier();
    await expect(after.verify(fresh)).resolves.toBeTruthy();
    await expect(after.verify(old)).rejects.toThrow('invalid');
    db.close();
  });

  it('takes the keys from MSSQL_MCP_SIGNING_KEYS, and names what is wrong with them', async () => {
    const secrets = new MemorySecretStore();
    await rotateSigningKey(secrets);
    const stored = (await secrets.get('oauth-signing-key'))!;
    const fromEnv = await loadSigningKeys(new MemorySecretStore(), { MSSQL_MCP_SIGNING_KEYS: stored });
    expect(fromEnv.current.kid).toBe((JSON.parse(stored) as Array<{ kid: string }>)[0]!.kid);
    await expect(loadSigningKeys(secrets, { MSSQL_MCP_SIGNING_KEYS: '{"kty":"RSA"}' })).rejects.toThrow(
      'MSSQL_MCP_SIGNING_KEYS must hold ES256 private keys',
    );
    await expect(loadSigningKeys(secrets, { MSSQL_MCP_SIGNING_KEYS: 'nope' })).rejects.toThrow('is not JSON');
  });
});

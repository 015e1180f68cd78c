/**
 * The repositories read every row back through a check: a row edited by hand or written by a newer version is
 * named (which record, which field, where to fix it) instead of flowing on as a cast. In-memory state database
 * and secret store: the unit tier needs neither a disk nor a keychain.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { IdpProfiles } from '../../app/main/idp/profiles.js';
import { AuditLog } from '../../app/main/mcp/audit.js';
import { ConnectionProfiles } from '../../app/main/sql/profiles.js';
import { openMemoryStateDb } from '../../app/main/state/database.js';
import { StoredRowError } from '../../app/main/state/state-errors.js';
import { sqlRepositories } from '../../app/main/state/sql-repositories.js';
import { sqliteSql } from '../../app/main/state/sqlite-sql.js';
import { SecretAccounts } from '../../app/main/secrets/secret-store.js';
import { MemorySecretStore } from '../support/memory-secret-store.js';

function setup() {
  const db = openMemoryStateDb();
  const state = sqlRepositories(sqliteSql(db));
  const secrets = new MemorySecretStore();
  const connections = new ConnectionProfiles(
    state.connectionProfiles,
    state.settings,
    secrets,
    () => undefined,
  );
  const idps = new IdpProfiles(state.idpProfiles, state.settings, secrets);
  return { db, state, secrets, connections, idps };
}

const sqlProfile = (id: string, extra: object = {}) => ({
  id,
  host: 'db.example',
  database: 'Sales',
  auth: { type: 'sql' as const, user: 'bridge', password: 'pw-secret' },
  ...extra,
});

describe('settings', () => {
  it('reads a value through its schema and names a stored value that no longer fits', async () => {
    const { state, db } = setup();
    await state.settings.set('k', { n: 1 });
    expect(await state.settings.get('k', z.object({ n: z.number() }))).toEqual({ n: 1 });
    await expect(state.settings.get('k', z.object({ n: z.string() }))).rejects.toThrow(
      /The stored setting "k" is not valid/,
    );
    db.prepare("UPDATE settings SET value = '{oops' WHERE key = 'k'").run();
    await expect(state.settings.get('k', z.unknown())).rejects.toBeInstanceOf(StoredRowError);
    await state.settings.delete('k', 'other value');
    expect(await state.settings.get('k', z.unknown()).catch(() => 'still there')).toBe('still there');
    await state.settings.delete('k');
    expect(await state.settings.get('k', z.unknown())).toBeUndefined();
  });
});

describe('connection profiles', () => {
  it('keeps the password in the secret store, never in the row', async () => {
    const { connections, secrets, db } = setup();
    const saved = await connections.save(sqlProfile('sales'));
    expect(saved).toMatchObject({ id: 'sales', has_secret: true, read_only: true });
    const row = db.prepare("SELECT data FROM connection_profiles WHERE id = 'sales'").get() as {
      data: string;
    };
    expect(row.data).not.toContain('pw-secret');
    expect(await secrets.get(SecretAccounts.sqlSecret('sales'))).toBe('pw-secret');
  });

  it('names a stored row that is not a profile, and where to fix it', async () => {
    const { connections, db } = setup();
    await connections.save(sqlProfile('sales'));
    db.prepare(
      `UPDATE connection_profiles SET data = json_set(data, '$.port', 'x') WHERE id = 'sales'`,
    ).run();
    await expect(connections.get('sales')).rejects.toThrow(
      /The stored connection profile "sales" is not valid \(port: .*\)\. Edit it on the Connections page/,
    );
  });

  it('keeps an explicit default and answers whether any profile allows writes', async () => {
    const { connections } = setup();
    await connections.save(sqlProfile('a'));
    await connections.keepDefault();
    expect(await connections.defaultId()).toBe('a');
    await connections.save(sqlProfile('b', { allow_writes: true }));
    await connections.keepDefault();
    expect(await connections.defaultId()).toBe('a');
    expect(await connections.anyAllowsWrites()).toBe(true);
    await connections.remove('a');
    await connections.keepDefault();
    expect(await connections.defaultId()).toBe('b');
    await connections.remove('b');
    expect(await connections.anyAllowsWrites()).toBe(false);
  });
});

describe('connection profiles on the tool-call path', () => {
  it('resolving a profile reads the keychain once, not on every call; save and remove keep has_secret true', async () => {
    const { connections, secrets } = setup();
    let reads = 0;
    const get = secrets.get.bind(secrets);
    secrets.get = (account: string) => {
      reads++;
      return get(account);
    };
    await connections.save(sqlProfile('hr', { auth: { type: 'sql', user: 'u', password: 'pw' } }));
    for (let i = 0; i < 50; i++) expect((await connections.resolve('hr')).has_secret).toBe(true);
    expect(reads).toBe(1);
    // Saved without a secret (a new profile): the flag is learned again, and says so.
    await connections.save(sqlProfile('bi', { auth: { type: 'sql', user: 'u' } }));
    expect((await connections.resolve('bi')).has_secret).toBe(false);
    await connections.save(sqlProfile('bi', { auth: { type: 'sql', user: 'u', password: 'now' } }));
    expect((await connections.resolve('bi')).has_secret).toBe(true);
    await connections.remove('bi');
    await connections.save(sqlProfile('bi', { auth: { type: 'sql', user: 'u' } }));
    expect((await connections.resolve('bi')).has_secret).toBe(false);
  });
});

describe('IdP profiles', () => {
  it('names a stored row the schema refuses', async () => {
    const { idps, db } = setup();
    await idps.save({ id: 'corp', issuer: 'https://idp.example/', client_id: 'bridge', client_secret: 's' });
    expect(await idps.get('corp')).toMatchObject({ id: 'corp', has_client_secret: true });
    db.prepare(
      `UPDATE idp_profiles SET data = json_set(data, '$.issuer', 'not a url') WHERE id = 'corp'`,
    ).run();
    await expect(idps.get('corp')).rejects.toThrow(
      /The stored identity provider "corp" is not valid \(issuer: .*\)\. Edit it on the Identity provider page/,
    );
  });
});

describe('audit', () => {
  it('returns entries newest first, and names a row with an outcome it does not know', async () => {
    const { state, db } = setup();
    const log = new AuditLog(state.audit, { max_rows: 2, max_age_days: 1 });
    for (const tool of ['a', 'b', 'c'])
      await log.record({
        subject: 's',
        clientId: 'c',
        tool,
        durationMs: 1,
        outcome: 'ok',
        statement: 'SELECT 1',
      });
    await log.prune();
    const rows = await log.query();
    expect(rows.map((r) => r.tool)).toEqual(['c', 'b']);
    expect(rows[0]!.statementHash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]).not.toHaveProperty('email', null);
    db.prepare("UPDATE audit SET outcome = 'maybe' WHERE tool = 'c'").run();
    await expect(log.query()).rejects.toThrow(/An audit row is not valid \(outcome: /);
  });
});

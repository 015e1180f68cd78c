import { serverLabel } from '../../shared/server-label.js';
import sql from 'mssql';
import { explainSqlError } from './errors.js';
import { connectionPolicy, databaseRefusal } from './guard.js';
import { mssqlConfig } from './pools.js';
import type { ConnectionProfileConfig } from '../../shared/config-schema.js';
import { loginOf, secretOf, type ConnectionProfiles } from './profiles.js';
import type { ConnectionTest } from '../../shared/types.js';
export type { ConnectionTest };

/** Connects once with the profile (a pool of one, closed afterwards) and reports who and where it landed. */
export async function testConnection(
  profile: ConnectionProfileConfig,
  secret: string | null,
): Promise<ConnectionTest> {
  const started = performance.now();
  const pool = new sql.ConnectionPool(
    mssqlConfig(profile, secret, { pool: { max: 1, min: 0 }, connectionTimeout: 10_000 }),
  );
  try {
    await pool.connect();
    const r = await pool
      .request()
      .query('SELECT @@VERSION AS version, SUSER_SNAME() AS login, DB_NAME() AS db');
    const row = r.recordset[0] as { version: string; login: string; db: string };
    // "Connected" is not "ready": a database the tools would refuse makes every call that names none fail.
    const refusal = databaseRefusal(row.db, connectionPolicy(profile));
    if (refusal) {
      return {
        ok: false,
        code: 'database_refused',
        message: `Connected to ${serverLabel(profile)} as "${row.login}", but the tools would refuse its database: ${refusal}`,
        fix: `Set Database to the one people should query, or remove "${row.db}" from Blocked databases if it is meant to be read.`,
      };
    }
    return {
      ok: true,
      serverVersion: row.version.split('\n')[0]!.trim(),
      login: row.login,
      database: row.db,
      latencyMs: Math.round(performance.now() - started),
    };
  } catch (err) {
    return {
      ok: false,
      ...explainSqlError(err, {
        host: profile.host,
        port: profile.port,
        instance: profile.instance,
        login: loginOf(profile.auth),
        database: profile.database,
      }),
    };
  } finally {
    await pool.close().catch(() => undefined);
  }
}

/** Connection tests of saved profiles and of drafts (the control API's): the secret from the keychain or typed. */
export class ConnectionTester {
  constructor(private readonly connections: ConnectionProfiles) {}

  /** Connects with a saved profile once and reports the server, login, database and latency, or what to fix. */
  async test(profileId: string): Promise<ConnectionTest> {
    const profile = await this.connections.resolve(profileId);
    return testConnection(profile, await this.connections.secret(profile.id));
  }

  /** Tests a profile before it is saved: the typed secret, else the one stored for that id. */
  async testDraft(profile: ConnectionProfileConfig): Promise<ConnectionTest> {
    return testConnection(profile, secretOf(profile.auth) ?? (await this.connections.secret(profile.id)));
  }
}

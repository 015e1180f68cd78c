import sql from 'mssql';
import type { ConnectionProfileConfig } from '../../shared/config-schema.js';
import type { ConnectionProfile, ConnectionProfiles } from './profiles.js';

/** mssql connection settings for a profile, with its secret from the keychain. */
export function mssqlConfig(
  profile: ConnectionProfileConfig,
  secret: string | null,
  overrides: Partial<sql.config> = {},
): sql.config {
  const base: sql.config = {
    server: profile.host,
    // A named instance's port comes from SQL Server Browser; tedious refuses both at once.
    ...(profile.instance ? {} : { port: profile.port }),
    database: profile.database,
    requestTimeout: profile.query_timeout_seconds * 1000,
    connectionTimeout: Math.min(15_000, profile.query_timeout_seconds * 1000),
    pool: { max: profile.pool_max, min: 0, idleTimeoutMillis: 30_000 },
    options: {
      encrypt: profile.encrypt,
      trustServerCertificate: profile.trust_server_certificate,
      appName: 'mssql-mcp-bridge',
      ...(profile.instance ? { instanceName: profile.instance } : {}),
      // A server that does not acknowledge a cancel within a second is treated as gone: tedious closes that
      // connection (the server rolls its transaction back), so a timeout is answered within about a second of
      // its limit even when the server is frozen (the default, 5 s, answered a 3 s limit after 8 s).
      cancelTimeout: 1000,
    },
    ...overrides,
  };
  const auth = profile.auth;
  switch (auth.type) {
    case 'sql':
      return { ...base, user: auth.user, password: secret ?? '' };
    case 'ntlm':
      return {
        ...base,
        authentication: {
          type: 'ntlm',
          options: { domain: auth.domain, userName: auth.user, password: secret ?? '' },
        },
      };
    case 'entra-service-principal':
      return {
        ...base,
        authentication: {
          type: 'azure-active-directory-service-principal-secret',
          options: { tenantId: auth.tenant_id, clientId: auth.client_id, clientSecret: secret ?? '' },
        },
      };
    case 'entra-default':
      return { ...base, authentication: { type: 'azure-active-directory-default', options: {} } };
  }
}

/** Errors after which a pool's connections cannot be trusted (server restarted, network gone). */
const CONNECTION_LEVEL = new Set([
  'ESOCKET',
  'ECONNCLOSED',
  'ECONNRESET',
  'ENOTOPEN',
  'ETIMEOUT',
  'EINSTLOOKUP',
  'ECONNREFUSED',
]);

export function isConnectionLevel(err: unknown): boolean {
  return err instanceof sql.ConnectionError || CONNECTION_LEVEL.has((err as { code?: string }).code ?? '');
}

/** One mssql pool per profile, created on first use and replaced after connection-level failures. */
export class Pools {
  private readonly pools = new Map<string, Promise<sql.ConnectionPool>>();

  constructor(private readonly profiles: ConnectionProfiles) {}

  get(profile: ConnectionProfile): Promise<sql.ConnectionPool> {
    let pool = this.pools.get(profile.id);
    if (!pool) {
      pool = (async () => {
        const p = new sql.ConnectionPool(mssqlConfig(profile, await this.profiles.loginSecret(profile)));
        p.on('error', () => void this.discard(profile.id));
        return p.connect();
      })();
      // A pool that failed to connect is forgotten so the next call tries again.
      pool.catch(() => this.pools.delete(profile.id));
      this.pools.set(profile.id, pool);
    }
    return pool;
  }

  /** Drops a profile's pool (after an edit, or when its connections broke). */
  async discard(id: string): Promise<void> {
    const pool = this.pools.get(id);
    this.pools.delete(id);
    await pool?.then((p) => p.close()).catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.pools.keys()].map((id) => this.discard(id)));
  }
}

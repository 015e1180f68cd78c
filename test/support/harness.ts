import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../app/main/config/load.js';
import type { BridgeConfigInput } from '../../app/shared/config-schema.js';
import { BridgeCore } from '../../app/main/core.js';
import type { Clock } from '../../app/main/state/clock.js';
import { KeytarSecretStore } from '../../app/main/secrets/secret-store.js';
import { createTestDatabase } from './test-database.js';
import { freePort } from './ports.js';
import type { ConnectionProfileInput, IdpProfileInput } from '../../app/shared/config-schema.js';
import { startTestIdp, type Flavour, type TestIdp, type TestIdpClient } from '@mssql-mcp-bridge/demo-idp';
import {
  grantImpersonation,
  sampleConnection,
  sampleDatabase,
  SAMPLE_LOGINS,
} from '@mssql-mcp-bridge/tds-test-server';
import { startTdsServer, type TdsServer } from '@mssql-mcp-bridge/tds-test-server';

/** The instance key of team-mode tests (any 32 bytes; the same for every instance of one test). */
export const TEST_STATE_KEY = Buffer.alloc(32, 7).toString('base64');

export const BRIDGE_IDP_CLIENT = { client_id: 'mssql-mcp-bridge', client_secret: 'bridge-upstream-secret' };

export interface Env {
  idp: TestIdp;
  /** The TDS test server with the sample database, when asked for. */
  sql?: TdsServer;
  core: BridgeCore;
  dataDir: string;
  service: string;
  /** Restart the bridge on the same port and data directory. */
  restart(): Promise<BridgeCore>;
  close(): Promise<void>;
}

/**
 * A bridge wired to a fresh test IdP, with its own data directory and its own keychain service name
 * (removed afterwards) so tests never share or leak secrets.
 */
export async function startEnv(
  opts: {
    config?: BridgeConfigInput;
    withIdp?: boolean;
    cimdCa?: string;
    /** More clients of the test IdP (an MCP client signing in there itself, for enterprise-managed auth). */
    idpClients?: TestIdpClient[];
    /** Start the TDS test server and add a connection profile "sales" (these fields override its defaults). */
    sql?: Partial<ConnectionProfileInput>;
    /** The test IdP behaves as this provider, and the profile "test" uses that provider's preset. */
    flavour?: Flavour;
    /** Fields of the IdP profile "test" beyond issuer and client. */
    idpProfile?: Partial<IdpProfileInput>;
    /** The core's clock (idle sessions, pending writes), for tests that move time instead of waiting. */
    clock?: Clock;
  } = {},
): Promise<Env> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-test-'));
  const service = `mssql-mcp-bridge-test-${crypto.randomUUID()}`;
  // The IdP must know the bridge's callback before the bridge exists: reserve the bridge's port first.
  const port = await freePort();
  const idp = await startTestIdp({
    flavour: opts.flavour,
    clients: [
      {
        ...BRIDGE_IDP_CLIENT,
        // With a public URL, the IdP sends the browser back through the proxy.
        redirect_uris: [`${opts.config?.server?.public_url ?? `http://127.0.0.1:${port}`}/idp/callback`],
      },
      ...(opts.idpClients ?? []),
    ],
  });
  const withIdp = opts.withIdp ?? true;
  const sql = opts.sql
    ? await startTdsServer({ logins: SAMPLE_LOGINS, databases: [sampleDatabase()] })
    : undefined;
  if (sql) await grantImpersonation(sql, 'bridge_svc', ['alice', 'bob']);
  const svc = SAMPLE_LOGINS.find((l) => l.name === 'bridge_svc')!;
  // The postgres project runs these suites on PostgreSQL: a fresh database each, on the cluster of the run.
  const stateUrl = process.env.BRIDGE_TEST_STATE === 'postgres' ? await createTestDatabase() : undefined;
  const stateEnv = { MSSQL_MCP_STATE_KEY: TEST_STATE_KEY };
  const config = loadConfig({
    env: {},
    overrides: {
      ...(stateUrl ? { state: { url: stateUrl } } : {}),
      ...opts.config,
      server: { port, ...opts.config?.server },
      secrets: { service },
      idp: withIdp
        ? {
            active: 'test',
            profiles: [
              {
                id: 'test',
                issuer: idp.issuer,
                ...BRIDGE_IDP_CLIENT,
                ...(opts.flavour && opts.flavour !== 'generic'
                  ? { preset: opts.flavour }
                  : { preset: 'generic', scopes: ['openid', 'profile', 'email', 'groups'] }),
                ...opts.idpProfile,
              } as IdpProfileInput,
            ],
            ...opts.config?.idp,
          }
        : opts.config?.idp,
      sql: sql
        ? {
            ...opts.config?.sql,
            profiles: [
              {
                id: 'sales',
                host: '127.0.0.1',
                port: sql.port,
                database: 'Sales',
                auth: { type: 'sql', user: svc.name, password: svc.password },
                encrypt: false,
                ...opts.sql,
              } as ConnectionProfileInput,
            ],
          }
        : opts.config?.sql,
    },
  });
  const start = () =>
    BridgeCore.start({
      config,
      dataDir,
      cimdCa: opts.cimdCa,
      log: () => undefined,
      env: stateEnv,
      clock: opts.clock,
    });
  const env: Env = {
    idp,
    sql,
    core: await start(),
    dataDir,
    service,
    async restart() {
      await env.core.stop();
      env.core = await start();
      return env.core;
    },
    async close() {
      await env.core.stop().catch(() => undefined);
      await idp.stop();
      await env.sql?.stop();
      const store = await KeytarSecretStore.open(service);
      for (const account of await store.accounts()) await store.delete(account);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return env;
}

/**
 * A connection profile "sales" for a TDS test server reached as `sa` with no impersonation (the bridge's own
 * login), for tests and benchmarks that run the bridge against a server of their own; `extra` overrides.
 */
export function tdsProfile(
  server: { host: string; port: number },
  extra: Partial<ConnectionProfileInput> = {},
): ConnectionProfileInput {
  const sa = sampleConnection(server, 'sa');
  return {
    id: 'sales',
    host: sa.server,
    port: sa.port,
    database: 'Sales',
    auth: { type: 'sql', user: sa.user, password: sa.password },
    encrypt: false,
    impersonation: 'none',
    ...extra,
  } as ConnectionProfileInput;
}

export { freePort };

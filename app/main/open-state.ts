import path from 'node:path';
import type { BridgeConfig } from '../shared/config-schema.js';
import { secretFromEnv } from './config/load.js';
import { SealedSecretStore, stateKeyFrom } from './secrets/sealed-secret-store.js';
import { KeytarSecretStore, type SecretStore } from './secrets/secret-store.js';
import { startCheckpointer } from './state/checkpointer.js';
import { DataDirLock } from './state/data-dir-lock.js';
import { openStateDb, privateDir } from './state/database.js';
import { localEvents, postgresEvents, type StateEvents } from './state/events.js';
import { migratePostgres } from './state/migrations.js';
import { postgresSql } from './state/postgres-sql.js';
import type { StateRepositories } from './state/repositories.js';
import { sqlRepositories } from './state/sql-repositories.js';
import { sqliteSql } from './state/sqlite-sql.js';
import { postgresFailure, StateStoreError } from './state/state-errors.js';
import { watchStateFile } from './state/file-watch.js';
import { memoryRateLimits, postgresRateLimits, type RateLimits } from './state/rate-limits.js';

/** Where this instance keeps its state and secrets, and how it hears other instances. */
export interface OpenedState {
  kind: 'sqlite' | 'postgres';
  repositories: StateRepositories;
  secrets: SecretStore;
  events: StateEvents;
  /** Request limits: in memory on the desktop, shared through PostgreSQL in team mode. */
  rateLimits: RateLimits;
  /** What is wrong with the store that its queries do not show (the file deleted or replaced), or undefined. */
  problem(): string | undefined;
  /** Where this instance listens, for the refusal a second one on the same data directory gets. */
  listening(url: string): void;
  close(): Promise<void>;
}

/**
 * The desktop: the keychain first (without it nothing secret can be kept, and the bridge must not start), then
 * the SQLite file in the data directory. Team mode (`state.url`): PostgreSQL, migrated under a lock, secrets
 * sealed in it with the instance key from the environment, revocations shared by LISTEN/NOTIFY.
 */
export async function openState(
  config: BridgeConfig,
  dataDir: string,
  log: (msg: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<OpenedState> {
  const url = config.state.url;
  if (!url) {
    const secrets = await KeytarSecretStore.open(config.secrets.service);
    privateDir(dataDir);
    const lock = DataDirLock.acquire(dataDir);
    let db: ReturnType<typeof openStateDb>;
    try {
      db = openStateDb(dataDir);
    } catch (err) {
      lock.release();
      throw err;
    }
    // Checkpoints run in a worker (startCheckpointer), never in a request.
    db.pragma('wal_autocheckpoint = 0');
    const file = path.join(dataDir, 'state.db');
    const checkpointer = startCheckpointer(file);
    const watch = watchStateFile(file, log);
    const sql = sqliteSql(db);
    return {
      kind: 'sqlite',
      repositories: sqlRepositories(sql),
      secrets,
      events: localEvents(),
      rateLimits: memoryRateLimits,
      problem: () => watch.problem(),
      listening: (url) => lock.listening(url),
      async close() {
        watch.stop();
        await checkpointer.stop();
        db.close();
        lock.release();
      },
    };
  }
  const key = stateKeyFrom(secretFromEnv(env, 'MSSQL_MCP_STATE_KEY'));
  const pg = postgresSql(url);
  try {
    await migratePostgres(pg.pool);
  } catch (err) {
    await pg.close();
    const said = postgresFailure(url)(err);
    throw said instanceof StateStoreError
      ? said
      : new Error(`The state database (state.url) could not be opened: ${(err as Error).message}`);
  }
  const events = postgresEvents(pg.pool, log);
  const repositories = sqlRepositories(pg.sql);
  return {
    kind: 'postgres',
    repositories,
    secrets: new SealedSecretStore(repositories.secrets, key),
    events,
    rateLimits: postgresRateLimits(pg.pool),
    problem: () => undefined,
    listening: () => undefined,
    async close() {
      await events.close();
      await pg.close();
    },
  };
}

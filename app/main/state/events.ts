import crypto from 'node:crypto';
import type pg from 'pg';

/** What one instance tells the others (revocations must reach every instance's in-memory checks). */
export type StateEvent =
  | { type: 'grant_revoked'; grantId: string; reason: string }
  | { type: 'access_token_revoked'; jti: string; expiresAt: number };

export interface StateEvents {
  /** Tells the other instances (this one applies the change itself). */
  publish(event: StateEvent): Promise<void>;
  /** Events from other instances; `resync` when some may have been missed (the listener reconnected). */
  subscribe(handlers: { event: (e: StateEvent) => void; resync: () => void }): void;
  close(): Promise<void>;
}

/** One instance (the desktop's SQLite): there is no one else to tell. */
export function localEvents(): StateEvents {
  return { publish: async () => undefined, subscribe: () => undefined, close: async () => undefined };
}

const CHANNEL = 'mssql_mcp_bridge';

/**
 * PostgreSQL LISTEN/NOTIFY between the instances on one database. A notification arrives within
 * milliseconds; while the listening connection is down (database restart) events can be missed, so after it
 * reconnects every subscriber reloads what it mirrors.
 */
export function postgresEvents(pool: pg.Pool, log: (msg: string) => void): StateEvents {
  const self = crypto.randomUUID();
  let handlers: { event: (e: StateEvent) => void; resync: () => void } | undefined;
  let client: pg.PoolClient | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const listen = async (resync: boolean) => {
    try {
      const c = await pool.connect();
      client = c;
      c.on('notification', (n) => {
        if (!n.payload) return;
        const { from, event } = JSON.parse(n.payload) as { from: string; event: StateEvent };
        if (from !== self) handlers?.event(event);
      });
      c.on('error', () => {
        if (client === c) client = undefined;
        c.release(true);
        if (!closed) retry = setTimeout(() => void listen(true), 1000).unref();
      });
      await c.query(`LISTEN ${CHANNEL}`);
      if (resync) handlers?.resync();
    } catch (err) {
      log(`state events: cannot listen (${(err as Error).message}); retrying in 1 s`);
      if (!closed) retry = setTimeout(() => void listen(true), 1000).unref();
    }
  };
  const ready = listen(false);

  return {
    async publish(event) {
      await pool.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ from: self, event })]);
    },
    subscribe(h) {
      handlers = h;
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      await ready;
      if (client) {
        await client.query(`UNLISTEN ${CHANNEL}`).catch(() => undefined);
        client.release();
        client = undefined;
      }
    },
  };
}

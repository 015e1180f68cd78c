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
    let c: pg.PoolClient | undefined;
    let dropped = false;
    // A connection that failed goes back to the pool destroyed, once, whichever way it failed (an 'error'
    // event, or LISTEN refused after connecting): otherwise its pool slot would stay taken.
    const drop = (conn: pg.PoolClient) => {
      if (dropped) return;
      dropped = true;
      if (client === conn) client = undefined;
      conn.release(true);
    };
    try {
      c = await pool.connect();
      const conn = c;
      client = conn;
      conn.on('notification', (n) => {
        if (!n.payload) return;
        const { from, event } = JSON.parse(n.payload) as { from: string; event: StateEvent };
        if (from !== self) handlers?.event(event);
      });
      conn.on('error', () => {
        const wasDropped = dropped;
        drop(conn);
        if (!closed && !wasDropped) retry = setTimeout(() => void listen(true), 1000).unref();
      });
      await conn.query(`LISTEN ${CHANNEL}`);
      if (resync) handlers?.resync();
    } catch (err) {
      // Its 'error' event may have dropped it and scheduled the retry already: one retry loop, never two.
      const retryHere = !dropped;
      if (c) drop(c);
      log(`state events: cannot listen (${(err as Error).message}); retrying in 1 s`);
      if (!closed && retryHere) retry = setTimeout(() => void listen(true), 1000).unref();
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

import { z } from 'zod';
import type { StateSql } from './sql.js';
import { StoredRowError } from './state-errors.js';

/** A client stored by the bridge: registered dynamically (`dcr`) or added in the app (`preregistered`). */
export interface ClientRow {
  source: 'dcr' | 'preregistered';
  /** RFC 7591 metadata as the owner wrote it. */
  metadata: Record<string, unknown>;
}

/** Registered clients and the registration counts per requester and hour (the DCR limit). */
export interface ClientRows {
  get(clientId: string): Promise<ClientRow | undefined>;
  /** Oldest first. */
  list(): Promise<ClientRow[]>;
  /** Stores a dynamically registered client (an update keeps its source and creation time). */
  upsertRegistered(clientId: string, metadata: object, at: number): Promise<void>;
  /** Stores a client added in the app; false when the id is taken. */
  insertPreregistered(clientId: string, metadata: object, at: number): Promise<boolean>;
  remove(clientId: string): Promise<boolean>;
  /** Counts one registration of `requester` in `hour` (forgetting older hours); the count so far. */
  countRegistration(requester: string, hour: number): Promise<number>;
  /**
   * Drops dynamically registered clients nobody ever signed in with: those created before `before` (seconds),
   * then all but the newest `keep`.
   */
  dropUnfinished(before: number, keep: number): Promise<void>;
}

const clientRow = z.object({ source: z.enum(['dcr', 'preregistered']), metadata: z.string() });

function toClient(raw: unknown): ClientRow {
  const r = clientRow.safeParse(raw);
  if (!r.success)
    throw new StoredRowError(`A row of the clients table is not what this version wrote: ${r.error.message}`);
  let metadata: unknown;
  try {
    metadata = JSON.parse(r.data.metadata);
  } catch {
    metadata = undefined;
  }
  if (!metadata || typeof metadata !== 'object')
    throw new StoredRowError(
      'A client in the clients table has metadata that is not a JSON object: it was changed outside the bridge.',
    );
  return { source: r.data.source, metadata: metadata as Record<string, unknown> };
}

const UNFINISHED =
  "source = 'dcr' AND NOT EXISTS (SELECT 1 FROM grants g WHERE g.client_id = clients.client_id)";

export function clientRows(sql: StateSql): ClientRows {
  return {
    async get(clientId) {
      const row = await sql.get('SELECT source, metadata FROM clients WHERE client_id = ?', [clientId]);
      return row && toClient(row);
    },
    list: async () =>
      (await sql.all('SELECT source, metadata FROM clients ORDER BY created_at')).map(toClient),
    async upsertRegistered(clientId, metadata, at) {
      await sql.run(
        "INSERT INTO clients (client_id, source, metadata, created_at) VALUES (?, 'dcr', ?, ?) ON CONFLICT(client_id) DO UPDATE SET metadata = excluded.metadata",
        [clientId, JSON.stringify(metadata), at],
      );
    },
    insertPreregistered: async (clientId, metadata, at) =>
      (await sql.run(
        "INSERT INTO clients (client_id, source, metadata, created_at) VALUES (?, 'preregistered', ?, ?) ON CONFLICT DO NOTHING",
        [clientId, JSON.stringify(metadata), at],
      )) === 1,
    remove: async (clientId) => (await sql.run('DELETE FROM clients WHERE client_id = ?', [clientId])) > 0,
    async countRegistration(requester, hour) {
      // Counted first, checked after by the caller: two registrations at once (on two instances) cannot both slip under.
      const mine = await sql.get<{ count: number }>(
        'INSERT INTO registration_counts (requester, hour, count) VALUES (?, ?, 1) ON CONFLICT(requester, hour) DO UPDATE SET count = registration_counts.count + 1 RETURNING count',
        [requester, hour],
      );
      await sql.run('DELETE FROM registration_counts WHERE hour < ?', [hour - 1]);
      return Number(mine?.count);
    },
    async dropUnfinished(before, keep) {
      await sql.run(`DELETE FROM clients WHERE ${UNFINISHED} AND created_at < ?`, [before]);
      await sql.run(
        `DELETE FROM clients WHERE client_id IN (SELECT client_id FROM clients WHERE ${UNFINISHED} ORDER BY created_at DESC, client_id LIMIT 1000000 OFFSET ?)`,
        [Math.max(0, keep)],
      );
    },
  };
}

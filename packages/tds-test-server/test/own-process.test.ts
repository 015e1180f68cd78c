/**
 * The server in its own process, as the demo and users run it: a capped read of a large table stops at
 * once, acknowledges the cancel (the connection stays the same one), and costs the same whatever is left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sql from 'mssql';
import { sampleConnection, spawnTdsServer, type TdsServerProcess } from '../src/index.js';
import { streamRows } from '../../../app/main/sql/runner.js';

let server: TdsServerProcess;
let pool: sql.ConnectionPool;

beforeAll(async () => {
  server = await spawnTdsServer({ largeTable: 1_000_000 });
  pool = await new sql.ConnectionPool(
    // Shorter than tedious' 5 s default: an unacknowledged ATTENTION would close the connection.
    sampleConnection(server, 'sa', { options: { cancelTimeout: 1_000 }, pool: { max: 1 } }),
  ).connect();
}, 180_000);
afterAll(async () => {
  await pool?.close();
  await server?.stop();
});

const spid = async () => (await pool.request().query('SELECT @@SPID AS s')).recordset[0]!.s as number;

describe('TDS test server in its own process', () => {
  it('stops a capped query at the row limit, returns the rows read and keeps the connection', async () => {
    const before = await spid();
    for (const text of [
      'SELECT * FROM Events',
      'SELECT TOP 200000 * FROM Events ORDER BY EventID',
      'SELECT TOP 5000 * FROM Events',
    ]) {
      const r = await streamRows(pool.request(), text, { limit: 1000 });
      expect(r, text).toMatchObject({ rowCount: 1000, truncated: true });
      expect(r.rows[0]).toHaveLength(4);
      // The cancel was acknowledged in time: the pool's one connection is still the same session.
      expect(await spid(), text).toBe(before);
    }
  });

  it('survives a standalone start and stop cleanly', async () => {
    const other = await spawnTdsServer();
    await other.stop();
    expect(() => process.kill(other.pid, 0)).toThrow();
  }, 120_000);
});

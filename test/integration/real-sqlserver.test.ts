/**
 * The assumptions the TDS test server encodes, checked against a real SQL Server when one is reachable:
 * MSSQL_TEST_URL=mssql://user:password@host:1433/master?encrypt=true&trustServerCertificate=true
 * Skipped (and reported as skipped) where no SQL Server can run, as on the CI machines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sql from 'mssql';

const url = process.env.MSSQL_TEST_URL;

describe.skipIf(!url)('real SQL Server (MSSQL_TEST_URL)', () => {
  let pool: sql.ConnectionPool;
  beforeAll(async () => {
    pool = await new sql.ConnectionPool(url!).connect();
  });
  afterAll(() => pool?.close());

  it('reports a SQL Server version and answers the catalog views the bridge uses', async () => {
    const r = await pool
      .request()
      .query('SELECT @@VERSION AS v, DB_NAME() AS db; SELECT name FROM sys.databases');
    expect((r.recordsets as sql.IRecordSet<{ v: string }>[])[0]![0]!.v).toContain('Microsoft SQL Server');
    expect((r.recordsets as sql.IRecordSet<{ name: string }>[])[1]!.map((d) => d.name)).toEqual(
      expect.arrayContaining(['master', 'tempdb']),
    );
  });

  it('round-trips the types the test server maps, with NULLs', async () => {
    const r = await pool
      .request()
      .input('i', sql.Int, -5)
      .input('big', sql.BigInt, '9007199254740993')
      .input('dec', sql.Decimal(18, 4), 1234.5678)
      .input('nv', sql.NVarChar(50), 'Grüße 世界')
      .input('d', sql.Date, new Date(Date.UTC(1999, 11, 31)))
      .input('g', sql.UniqueIdentifier, '6F9619FF-8B86-D011-B42D-00C04FC964FF')
      .input('n', sql.Int, null)
      .query('SELECT @i AS i, @big AS big, @dec AS dec, @nv AS nv, @d AS d, @g AS g, @n AS n');
    expect(r.recordset[0]).toMatchObject({
      i: -5,
      big: '9007199254740993',
      dec: 1234.5678,
      nv: 'Grüße 世界',
      n: null,
    });
    expect(r.recordset[0].d).toEqual(new Date(Date.UTC(1999, 11, 31)));
    expect(String(r.recordset[0].g).toUpperCase()).toBe('6F9619FF-8B86-D011-B42D-00C04FC964FF');
  });

  it('returns several result sets, row counts, and the error numbers the test server mimics', async () => {
    const r = await pool.request().query('SELECT 1 AS a; SELECT 2 AS b, 3 AS c');
    expect(r.recordsets).toHaveLength(2);
    expect(r.rowsAffected).toEqual([1, 1]);
    const missing = (await pool
      .request()
      .query('SELECT * FROM dbo.NoSuchTable_bridge_test')
      .catch((e) => e)) as sql.RequestError;
    expect(missing.number).toBe(208);
    const syntax = (await pool
      .request()
      .query('SELECT FROM WHERE')
      .catch((e) => e)) as sql.RequestError;
    expect(syntax.number).toBe(156);
    const nobody = (await pool
      .request()
      .query("EXECUTE AS USER = 'no_such_user_bridge_test'")
      .catch((e) => e)) as sql.RequestError;
    expect(nobody.number).toBe(15517);
  });

  it('cancels a running statement on request timeout and reuses the connection', async () => {
    const quick = await new sql.ConnectionPool({
      ...(sql.ConnectionPool.parseConnectionString(url!) as sql.config),
      requestTimeout: 300,
    }).connect();
    try {
      const err = (await quick
        .request()
        .query("WAITFOR DELAY '00:00:10'")
        .catch((e) => e)) as sql.RequestError;
      expect(err.code).toBe('ETIMEOUT');
      expect((await quick.request().query('SELECT 1 AS ok')).recordset).toEqual([{ ok: 1 }]);
    } finally {
      await quick.close();
    }
  });
});

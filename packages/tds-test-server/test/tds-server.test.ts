import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sql from 'mssql';
import { startTdsServer, type TdsServer } from '../src/index.js';
import { createLargeTable, grantImpersonation, sampleDatabase, SAMPLE_LOGINS } from '../src/index.js';
import { selfSignedCert } from '../src/index.js';

let server: TdsServer;
const pools: sql.ConnectionPool[] = [];

const TYPES_SETUP = `
  CREATE TABLE "TypeSamples" (
    "Id" int PRIMARY KEY, "I" int, "Big" bigint, "Small" smallint, "Tiny" smallint, "Flag" boolean,
    "Dec" numeric(18, 4), "Flt" double precision, "Rl" real, "NV" text, "V" varchar(100), "NMax" text, "NC" text,
    "D" date, "T" time, "DT2" timestamp, "DT" timestamp(3), "DTO" timestamptz, "G" uuid, "Bin" bytea);
  INSERT INTO "TypeSamples" ("Id") VALUES (0);`;

beforeAll(async () => {
  server = await startTdsServer({
    tls: selfSignedCert(),
    logins: SAMPLE_LOGINS,
    databases: [
      sampleDatabase(),
      {
        name: 'Archive',
        setup:
          `CREATE TABLE "OldOrders" ("OrderID" int PRIMARY KEY, "Note" text); INSERT INTO "OldOrders" VALUES (1, 'archived');` +
          TYPES_SETUP,
      },
    ],
  });
  await grantImpersonation(server, 'bridge_svc', ['alice', 'bob']);
}, 60_000);

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close().catch(() => undefined)));
  await server?.stop();
});

/** Streams a query and cancels it after `stopAfter` rows; resolves with the outcome code and rows seen. */
function streamAndCancel(
  pool: sql.ConnectionPool,
  text: string,
  stopAfter: number,
): Promise<{ outcome: string; rows: number }> {
  const req = new sql.Request(pool);
  req.stream = true;
  let rows = 0;
  return new Promise((resolve) => {
    req.on('error', (e: sql.RequestError) => resolve({ outcome: e.code ?? 'error', rows }));
    req.on('done', () => resolve({ outcome: 'done', rows }));
    req.on('row', () => {
      if (++rows === stopAfter) req.cancel();
    });
    void req.query(text);
  });
}

async function connect(
  overrides: Partial<sql.config> & { options?: sql.config['options'] } = {},
): Promise<sql.ConnectionPool> {
  const pool = new sql.ConnectionPool({
    server: '127.0.0.1',
    port: server.port,
    user: 'sa',
    password: 'Sample-Sa-Passw0rd',
    database: 'Sales',
    ...overrides,
    options: { encrypt: false, trustServerCertificate: true, ...overrides.options },
  });
  pools.push(pool);
  return pool.connect();
}

describe('connecting', () => {
  it('logs in without encryption and reports the database and a SQL Server version', async () => {
    const pool = await connect();
    const r = await pool
      .request()
      .query('SELECT DB_NAME() AS db, @@VERSION AS version, SUSER_SNAME() AS login');
    expect(r.recordset[0]).toMatchObject({ db: 'Sales', login: 'sa' });
    expect(r.recordset[0].version).toContain('not a real SQL Server');
  });

  it('logs in with TLS inside TDS (encrypt: true, trustServerCertificate: true)', async () => {
    const pool = await connect({ options: { encrypt: true, trustServerCertificate: true } });
    const r = await pool.request().query('SELECT COUNT(*) AS n FROM dbo.Customers');
    expect(r.recordset[0].n).toBe(1000);
  });

  it('refuses a wrong password with login failed (18456) and closes the connection', async () => {
    const err = await connect({ password: 'wrong' }).catch((e: sql.ConnectionError) => e);
    expect(err).toBeInstanceOf(sql.ConnectionError);
    expect((err as sql.ConnectionError).code).toBe('ELOGIN');
    expect((err as Error).message).toBe("Login failed for user 'sa'.");
  });

  it('refuses an unknown database at login (4060)', async () => {
    const err = (await connect({ database: 'Nope' }).catch((e: Error) => e)) as Error;
    expect(err.message).toContain('Cannot open database "Nope"');
  });
});

describe('queries', () => {
  it('T-SQL dialect: TOP, [brackets], N literals, ISNULL, GETDATE, OFFSET/FETCH, case-insensitive names', async () => {
    const pool = await connect();
    const r = await pool.request().query(`
      SELECT TOP (3) [c].[CustomerID], c.name AS [Customer Name], ISNULL(c.Email, N'(none)') AS Email, GETDATE() AS Now
      FROM [dbo].[customers] AS c WHERE c.CustomerID IN (10, 11, 12, 13) ORDER BY c.CustomerID`);
    expect(r.recordset.map((x) => x.CustomerID)).toEqual([10, 11, 12]);
    expect(r.recordset[1]['Customer Name']).toBe('Customer 11');
    expect(r.recordset[1].Email).toBe('(none)');
    expect(r.recordset[0].Now).toBeInstanceOf(Date);
    const page = await pool
      .request()
      .query('SELECT ProductID FROM Products ORDER BY ProductID OFFSET 10 ROWS FETCH NEXT 5 ROWS ONLY');
    expect(page.recordset.map((x) => x.ProductID)).toEqual([11, 12, 13, 14, 15]);
  });

  it('returns several result sets and per-statement row counts', async () => {
    const pool = await connect();
    const r = await pool
      .request()
      .query('SELECT 1 AS a; SELECT CustomerID FROM Customers WHERE CustomerID <= 2; SELECT 2 AS b, 3 AS c');
    expect(r.recordsets).toHaveLength(3);
    expect((r.recordsets as sql.IRecordSet<Record<string, unknown>>[])[2]![0]).toEqual({ b: 2, c: 3 });
    expect(r.rowsAffected).toEqual([1, 2, 1]);
    const tx = await pool.request().query(`
      BEGIN TRAN;
      UPDATE Products SET Discontinued = Discontinued WHERE ProductID <= 5;
      DELETE FROM OrderLines WHERE OrderID = -1;
      ROLLBACK`);
    expect(tx.rowsAffected).toEqual([5, 0]);
    const quiet = await pool
      .request()
      .query('SET NOCOUNT ON; UPDATE Products SET Discontinued = Discontinued WHERE ProductID = 1');
    expect(quiet.rowsAffected).toEqual([]);
  });

  it('runs parameterized queries (sp_executesql) with typed parameters', async () => {
    const pool = await connect();
    const r = await pool
      .request()
      .input('region', sql.Int, 3)
      .input('name', sql.NVarChar(50), 'Customer 7%')
      .input('since', sql.DateTime2, new Date(Date.UTC(2020, 0, 1)))
      .query(
        'SELECT CustomerID, Name FROM Customers WHERE RegionID = @region AND Name LIKE @name AND CreatedAt >= @since ORDER BY CustomerID',
      );
    expect(r.recordset.length).toBeGreaterThan(0);
    for (const row of r.recordset) expect(row.Name).toMatch(/^Customer 7/);
    const same = await pool
      .request()
      .input('id', sql.Int, 42)
      .query('SELECT @id AS a, CustomerID FROM Customers WHERE CustomerID = @id');
    expect(same.recordset).toEqual([{ a: 42, CustomerID: 42 }]);
  });

  it('queries another database by three-part name, and switches with USE', async () => {
    const pool = await connect();
    const r = await pool.request().query('SELECT Note FROM Archive.dbo.OldOrders WHERE OrderID = 1');
    expect(r.recordset).toEqual([{ Note: 'archived' }]);
    const used = await pool
      .request()
      .query('USE Archive; SELECT DB_NAME() AS db; SELECT COUNT(*) AS n FROM OldOrders');
    expect((used.recordsets as sql.IRecordSet<Record<string, unknown>>[])[0]![0]!.db).toBe('Archive');
    expect((used.recordsets as sql.IRecordSet<Record<string, unknown>>[])[1]![0]!.n).toBe(1);
    const dbs = await pool.request().query('SELECT name FROM sys.databases ORDER BY name');
    expect(dbs.recordset.map((x) => x.name)).toEqual(
      expect.arrayContaining(['Archive', 'Sales', 'master', 'tempdb', 'model', 'msdb']),
    );
  });

  it('answers INFORMATION_SCHEMA in SQL Server terms', async () => {
    const pool = await connect();
    const tables = await pool
      .request()
      .query(
        "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME IN ('Customers', 'vEmployeeDirectory') ORDER BY TABLE_NAME",
      );
    expect(tables.recordset).toEqual([
      { TABLE_SCHEMA: 'dbo', TABLE_NAME: 'Customers', TABLE_TYPE: 'BASE TABLE' },
      { TABLE_SCHEMA: 'dbo', TABLE_NAME: 'vEmployeeDirectory', TABLE_TYPE: 'VIEW' },
    ]);
    const cols = await pool
      .request()
      .query(
        "SELECT COLUMN_NAME, DATA_TYPE, IS_NULLABLE, CHARACTER_MAXIMUM_LENGTH FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'Customers' ORDER BY ORDINAL_POSITION",
      );
    expect(cols.recordset.map((c) => `${c.COLUMN_NAME}:${c.DATA_TYPE}:${c.IS_NULLABLE}`)).toEqual([
      'CustomerID:int:NO',
      'Name:nvarchar:NO',
      'Email:varchar:YES',
      'RegionID:int:NO',
      'CreatedAt:datetime:NO',
      'Tags:varchar:YES',
    ]);
    const keys = await pool.request().query(`
      SELECT tc.CONSTRAINT_TYPE, k.COLUMN_NAME FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS tc
      JOIN INFORMATION_SCHEMA.KEY_COLUMN_USAGE k ON k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME AND k.TABLE_NAME = tc.TABLE_NAME
      WHERE tc.TABLE_NAME = 'OrderLines' ORDER BY tc.CONSTRAINT_TYPE, k.ORDINAL_POSITION, k.COLUMN_NAME`);
    expect(keys.recordset.map((k) => `${k.CONSTRAINT_TYPE}:${k.COLUMN_NAME}`)).toEqual([
      'FOREIGN KEY:OrderID',
      'FOREIGN KEY:ProductID',
      'PRIMARY KEY:OrderID',
      'PRIMARY KEY:LineNo',
    ]);
  });
});

describe('catalog views for schema discovery', () => {
  it('describes foreign keys both ways, indexes and row estimates through sys views', async () => {
    const pool = await connect();
    const fks = await pool.request().query(`
      SELECT fk.name, OBJECT_PARENT.name AS child, OBJECT_REF.name AS parent, pc.name AS child_column, rc.name AS parent_column
      FROM sys.foreign_keys fk
      JOIN sys.objects OBJECT_PARENT ON OBJECT_PARENT.object_id = fk.parent_object_id
      JOIN sys.objects OBJECT_REF ON OBJECT_REF.object_id = fk.referenced_object_id
      JOIN sys.foreign_key_columns fkc ON fkc.constraint_object_id = fk.object_id
      JOIN sys.columns pc ON pc.object_id = fkc.parent_object_id AND pc.column_id = fkc.parent_column_id
      JOIN sys.columns rc ON rc.object_id = fkc.referenced_object_id AND rc.column_id = fkc.referenced_column_id
      WHERE OBJECT_PARENT.name = 'Orders' OR OBJECT_REF.name = 'Orders'
      ORDER BY child, child_column`);
    expect(
      fks.recordset.map((r) => `${r.child}.${r.child_column} -> ${r.parent}.${r.parent_column}`),
    ).toEqual([
      'OrderLines.OrderID -> Orders.OrderID',
      'Orders.CustomerID -> Customers.CustomerID',
      'Orders.EmployeeID -> Employees.EmployeeID',
    ]);
    const idx = await pool.request().query(`
      SELECT i.name, i.is_primary_key, i.is_unique, c.name AS col
      FROM sys.indexes i JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id
      JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
      JOIN sys.tables t ON t.object_id = i.object_id WHERE t.name = 'OrderLines' ORDER BY i.is_primary_key DESC, i.name, ic.key_ordinal`);
    expect(idx.recordset.map((r) => `${r.is_primary_key ? 'PK' : r.name}:${r.col}`)).toEqual([
      'PK:OrderID',
      'PK:LineNo',
      'IX_OrderLines_ProductID:ProductID',
    ]);
    const rows = await pool
      .request()
      .query(
        "SELECT p.rows FROM sys.partitions p JOIN sys.tables t ON t.object_id = p.object_id WHERE t.name = 'Customers'",
      );
    expect(Number(rows.recordset[0].rows)).toBe(1000);
    const rc = await pool
      .request()
      .query(
        "SELECT CONSTRAINT_NAME, UNIQUE_CONSTRAINT_NAME FROM INFORMATION_SCHEMA.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_NAME LIKE 'Orders%' ORDER BY CONSTRAINT_NAME",
      );
    expect(rc.recordset.length).toBe(2);
  });
});

describe('data types round-trip through parameters and results', () => {
  const values = {
    I: -2147483648,
    Big: '9007199254740993',
    Small: -32768,
    Tiny: 255,
    Flag: true,
    Dec: 1234567890.1234,
    Flt: 1.5e300,
    Rl: 3.5,
    NV: "Grüße, 世界 — «quotes» 'single'",
    V: 'plain ascii & latin1 é',
    NMax: 'x'.repeat(100_000),
    NC: 'fixd5',
    D: new Date(Date.UTC(1999, 11, 31)),
    T: new Date(Date.UTC(1970, 0, 1, 23, 59, 58, 123)),
    DT2: new Date(Date.UTC(2024, 1, 29, 12, 34, 56, 789)),
    DT: new Date(Date.UTC(1900, 0, 1, 0, 0, 1, 500)),
    DTO: new Date(Date.UTC(2024, 5, 1, 10, 0, 0, 0)),
    G: '6F9619FF-8B86-D011-B42D-00C04FC964FF',
    Bin: Buffer.from([0, 1, 2, 254, 255]),
  };

  it('stores and reads back every type, and NULLs', async () => {
    const pool = await connect({ database: 'Archive' });
    const req = pool
      .request()
      .input('I', sql.Int, values.I)
      .input('Big', sql.BigInt, values.Big)
      .input('Small', sql.SmallInt, values.Small)
      .input('Tiny', sql.TinyInt, values.Tiny)
      .input('Flag', sql.Bit, values.Flag)
      .input('Dec', sql.Decimal(18, 4), values.Dec)
      .input('Flt', sql.Float, values.Flt)
      .input('Rl', sql.Real, values.Rl)
      .input('NV', sql.NVarChar(100), values.NV)
      .input('V', sql.VarChar(100), values.V)
      .input('NMax', sql.NVarChar(sql.MAX), values.NMax)
      .input('NC', sql.NChar(5), values.NC)
      .input('D', sql.Date, values.D)
      .input('T', sql.Time(3), values.T)
      .input('DT2', sql.DateTime2(3), values.DT2)
      .input('DT', sql.DateTime, values.DT)
      .input('DTO', sql.DateTimeOffset(3), values.DTO)
      .input('G', sql.UniqueIdentifier, values.G)
      .input('Bin', sql.VarBinary(sql.MAX), values.Bin);
    const cols = Object.keys(values);
    await req.query(
      `INSERT INTO TypeSamples (Id, ${cols.join(', ')}) VALUES (1, ${cols.map((c) => `@${c}`).join(', ')})`,
    );
    const row = (await pool.request().query('SELECT * FROM TypeSamples WHERE Id = 1')).recordset[0];
    expect(row.I).toBe(values.I);
    expect(row.Big).toBe(values.Big); // bigint comes back as a string, as mssql does for SQL Server
    expect(row.Small).toBe(values.Small);
    expect(row.Tiny).toBe(values.Tiny);
    expect(row.Flag).toBe(true);
    expect(row.Dec).toBe(values.Dec);
    expect(row.Flt).toBe(values.Flt);
    expect(row.Rl).toBe(values.Rl);
    expect(row.NV).toBe(values.NV);
    expect(row.V).toBe(values.V);
    expect(row.NMax).toBe(values.NMax);
    expect(row.NC).toBe(values.NC);
    expect(row.D).toEqual(values.D);
    expect(row.T).toEqual(values.T);
    expect(row.DT2).toEqual(values.DT2);
    expect(row.DT).toEqual(values.DT);
    expect((row.DTO as Date).getTime()).toBe(values.DTO.getTime());
    expect(String(row.G).toUpperCase()).toBe(values.G);
    expect(Buffer.from(row.Bin)).toEqual(values.Bin);

    const nulls = (await pool.request().query('SELECT * FROM TypeSamples WHERE Id = 0')).recordset[0];
    for (const c of cols) expect(nulls[c], c).toBeNull();
  });
});

describe('errors and permissions', () => {
  it('maps invalid objects to 208 and syntax errors to 156/102, and the connection stays usable', async () => {
    const pool = await connect();
    const missing = (await pool
      .request()
      .query('SELECT * FROM dbo.NoSuchTable')
      .catch((e) => e)) as sql.RequestError;
    expect(missing.number).toBe(208);
    expect(missing.message).toBe("Invalid object name 'NoSuchTable'.");
    const keyword = (await pool
      .request()
      .query('SELECT FROM WHERE')
      .catch((e) => e)) as sql.RequestError;
    expect(keyword.number).toBe(156);
    // The offending token is found by PostgreSQL's grammar (which accepts an empty select list).
    expect(keyword.message).toMatch(/^Incorrect syntax near the keyword '(FROM|WHERE)'\.$/);
    const syntax = (await pool
      .request()
      .query('SELECT 1 2 3')
      .catch((e) => e)) as sql.RequestError;
    expect(syntax.number).toBe(102);
    expect(syntax.message).toBe("Incorrect syntax near '2'.");
    const unsupported = (await pool
      .request()
      .query('DECLARE c CURSOR FOR SELECT 1')
      .catch((e) => e)) as sql.RequestError;
    expect(unsupported.message).toContain('DECLARE ... CURSOR is not supported');
    expect((await pool.request().query('SELECT 1 AS ok')).recordset).toEqual([{ ok: 1 }]);
  });

  it('EXECUTE AS USER switches to the user’s real grants; a denied table gives 229; REVERT restores', async () => {
    const pool = await connect({ user: 'bridge_svc', password: 'Bridge-Svc-Passw0rd' });
    const asAlice = await pool
      .request()
      .query("EXECUTE AS USER = 'alice'; SELECT USER_NAME() AS u, COUNT(*) AS n FROM Customers; REVERT");
    expect(asAlice.recordset[0]).toEqual({ u: 'alice', n: 1000 });
    const denied = (await pool
      .request()
      .query("EXECUTE AS USER = 'alice'; SELECT TOP 1 Salary FROM Employees")
      .catch((e) => e)) as sql.RequestError;
    expect(denied.number).toBe(229);
    expect(denied.message).toBe(
      "The SELECT permission was denied on the object 'Employees', database 'Sales', schema 'dbo'.",
    );
    // As on SQL Server, the impersonation outlives the failed batch until REVERT.
    expect(
      (
        (await pool.request().query('SELECT USER_NAME() AS u; REVERT; SELECT USER_NAME() AS u'))
          .recordsets as sql.IRecordSet<{ u: string }>[]
      ).map((x) => x[0]!.u),
    ).toEqual(['alice', 'bridge_svc']);
    const asBob = await pool
      .request()
      .query("EXECUTE AS USER = 'bob'; SELECT COUNT(*) AS n FROM Employees; REVERT; SELECT USER_NAME() AS u");
    expect((asBob.recordsets as sql.IRecordSet<Record<string, unknown>>[])[0]![0]!.n).toBe(200);
    expect((asBob.recordsets as sql.IRecordSet<Record<string, unknown>>[])[1]![0]!.u).toBe('bridge_svc');
    // The service login itself reads nothing.
    const self = (await pool
      .request()
      .query('SELECT TOP 1 * FROM Customers')
      .catch((e) => e)) as sql.RequestError;
    expect(self.number).toBe(229);
    const nobody = (await pool
      .request()
      .query("EXECUTE AS USER = 'mallory'")
      .catch((e) => e)) as sql.RequestError;
    expect(nobody.number).toBe(15517);
  });

  it('a transaction rolls back, and another connection waits for it instead of seeing its writes', async () => {
    const pool = await connect();
    const tx = new sql.Transaction(pool);
    await tx.begin();
    await new sql.Request(tx).query("UPDATE Customers SET Name = 'Changed' WHERE CustomerID = 1");
    expect(
      (await new sql.Request(tx).query('SELECT Name FROM Customers WHERE CustomerID = 1')).recordset[0].Name,
    ).toBe('Changed');
    await tx.rollback();
    expect(
      (await pool.request().query('SELECT Name FROM Customers WHERE CustomerID = 1')).recordset[0].Name,
    ).toBe('Customer 1');
  });
});

describe('cancellation', () => {
  it('a request timeout cancels the running statement on the server and the connection is reused', async () => {
    const pool = await connect({ requestTimeout: 300, pool: { max: 1 } });
    const started = Date.now();
    const err = (await pool
      .request()
      .query("WAITFOR DELAY '00:00:10'")
      .catch((e) => e)) as sql.RequestError;
    expect(err.code).toBe('ETIMEOUT');
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((await pool.request().query('SELECT 1 AS ok')).recordset).toEqual([{ ok: 1 }]);
  });

  it('request.cancel() stops a streaming query mid-result', async () => {
    const pool = await connect();
    const r = await streamAndCancel(
      pool,
      'SELECT o.OrderID, l.LineNo FROM Orders o CROSS JOIN OrderLines l',
      600,
    );
    expect(r.outcome).toBe('ECANCEL');
    expect(r.rows).toBeLessThan(100_000);
    expect((await pool.request().query('SELECT 2 AS ok')).recordset).toEqual([{ ok: 2 }]);
  });
});

describe('robustness', () => {
  it('makes the large Events table on demand and streams it to a client that stops at a row limit', async () => {
    await createLargeTable(server, 'Archive', 50_000);
    const pool = await connect({ database: 'Archive' });
    expect(
      (await pool.request().query('SELECT COUNT(*) AS n, MAX(EventID) AS maxId FROM Events')).recordset[0],
    ).toEqual({ n: 50_000, maxId: '50000' });
    const r = await streamAndCancel(pool, 'SELECT * FROM Events ORDER BY EventID', 1_000);
    expect(r.outcome).toBe('ECANCEL');
    expect(r.rows).toBeLessThan(5_000);
  });

  it('serves 50 connections at once', async () => {
    const many = await Promise.all(Array.from({ length: 50 }, () => connect({ pool: { max: 1, min: 1 } })));
    const results = await Promise.all(
      many.map((p, i) =>
        p.request().input('i', sql.Int, i).query('SELECT @i AS i, COUNT(*) AS n FROM Orders'),
      ),
    );
    expect(results.map((r) => r.recordset[0].i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    for (const r of results) expect(r.recordset[0].n).toBe(3000);
    await Promise.all(many.map((p) => p.close()));
  });

  it('survives a client that disconnects mid-result', async () => {
    const pool = await connect({ pool: { max: 1 } });
    const req = new sql.Request(pool);
    req.stream = true;
    let rows = 0;
    const gone = new Promise<void>((resolve) => {
      req.on('row', () => {
        if (++rows === 1000) {
          // Kill the socket under the driver, as a crashed client would.
          const conn = (
            pool as unknown as {
              _connected: boolean;
              pool: { used: Array<{ resource: { socket: net.Socket } }> };
            }
          ).pool.used[0]?.resource;
          conn?.socket?.destroy();
          resolve();
        }
      });
      req.on('error', () => resolve());
    });
    void req.query('SELECT o.OrderID, l.LineNo FROM Orders o CROSS JOIN OrderLines l');
    await gone;
    // The server released the connection's work: another client gets the engine at once.
    const other = await connect();
    expect((await other.request().query('SELECT COUNT(*) AS n FROM Regions')).recordset[0].n).toBe(5);
  });

  it('rolls back the transaction of a client killed mid-transaction and frees the engine for others', async () => {
    const victim = await connect({ pool: { max: 1 } });
    const before = (await victim.request().query('SELECT Name FROM Regions WHERE RegionID = 1')).recordset[0]
      .Name;
    const tx = new sql.Transaction(victim);
    await tx.begin();
    await new sql.Request(tx).query("UPDATE Regions SET Name = 'Half-written' WHERE RegionID = 1");
    const conn = (victim as unknown as { pool: { used: Array<{ resource: { socket: net.Socket } }> } }).pool
      .used[0]?.resource;
    conn!.socket.destroy();
    // The driver's side: its transaction fails on the dead socket, which hands the connection back to the pool.
    await tx.rollback().catch(() => undefined);
    // Another client writes the same row (it would wait forever on a transaction left open) and sees the old value.
    const other = await connect();
    const read = await other.request().query('SELECT Name FROM Regions WHERE RegionID = 1');
    expect(read.recordset[0].Name).toBe(before);
    await other.request().query(`UPDATE Regions SET Name = N'${before}' WHERE RegionID = 1`);
  });

  it("answers NUL in a statement's text with SQL Server's own kind of error and keeps the connection", async () => {
    const pool = await connect({ pool: { max: 1 } });
    const err = await pool
      .request()
      .query("SELECT 'a\u0000b' AS x")
      .then(
        () => undefined,
        (e: { number?: number; message: string }) => e,
      );
    expect(err?.number).toBe(102);
    expect(err?.message).toBe(
      'Incorrect syntax near the NUL character (U+0000) at position 10 of the statement: this server cannot store NUL in text.',
    );
    expect((await pool.request().query('SELECT 1 AS one')).recordset[0].one).toBe(1);
  });

  it('closes connections that send garbage or truncated packets and keeps serving others', async () => {
    const send = (bytes: Buffer) =>
      new Promise<void>((resolve) => {
        const s = net.connect(server.port, '127.0.0.1', () => {
          s.write(bytes);
          setTimeout(() => s.destroy(), 30);
        });
        s.on('error', () => resolve());
        s.on('close', () => resolve());
      });
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const prelogin = Buffer.from(
      '1201002f0000010000001a00060100200001020021000103002200040400260001ff000000010000000000000000000000',
      'hex',
    );
    const cases: Buffer[] = [
      Buffer.alloc(0),
      Buffer.from([0x12]),
      prelogin.subarray(0, 5),
      prelogin.subarray(0, 20),
      Buffer.from([0x12, 0x01, 0x00, 0x04, 0, 0, 0, 0]), // length below the header size
      Buffer.from([0x10, 0x01, 0x00, 0x20, 0, 0, 1, 0, ...Buffer.alloc(24, 0xff)]), // LOGIN7 before PRELOGIN
      Buffer.from([0x99, 0x01, 0x00, 0x08, 0, 0, 1, 0]), // unknown packet type
    ];
    for (let i = 0; i < 40; i++)
      cases.push(
        Buffer.from(Array.from({ length: 1 + Math.floor(random() * 600) }, () => Math.floor(random() * 256))),
      );
    for (let i = 0; i < 20; i++) {
      const b = Buffer.from(prelogin);
      b[8 + Math.floor(random() * (b.length - 8))] = Math.floor(random() * 256);
      cases.push(b);
    }
    await Promise.all(cases.map(send));
    const pool = await connect();
    expect((await pool.request().query('SELECT COUNT(*) AS n FROM Products')).recordset[0].n).toBe(100);
  });
});

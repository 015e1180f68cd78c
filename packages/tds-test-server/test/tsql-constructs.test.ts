/**
 * The constructs of the read-only corpus that the translator rewrites structurally, checked by their results
 * through the real mssql driver: what SQL Server itself answers for the sample data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sql from 'mssql';
import {
  sampleConnection,
  sampleDatabase,
  SAMPLE_LOGINS,
  startTdsServer,
  type TdsServer,
} from '../src/index.js';

let server: TdsServer;
let pool: sql.ConnectionPool;

beforeAll(async () => {
  server = await startTdsServer({ logins: SAMPLE_LOGINS, databases: [sampleDatabase()] });
  pool = await new sql.ConnectionPool(sampleConnection(server)).connect();
}, 60_000);
afterAll(async () => {
  await pool?.close();
  await server?.stop();
});

const rows = async (q: string) => (await pool.request().query(q)).recordset as Array<Record<string, unknown>>;
const sets = async (q: string) =>
  (await pool.request().query(q)).recordsets as unknown as Array<Array<Record<string, unknown>>>;

describe('T-SQL constructs on the TDS test server', () => {
  it('FOR JSON PATH returns one JSON text column, TOP applied inside, nested arrays nested, ROOT wraps', async () => {
    const [r] = await rows(
      'SELECT TOP 2 CustomerID, Name, Email FROM dbo.Customers WHERE CustomerID >= 10 ORDER BY CustomerID FOR JSON PATH',
    );
    const text = r!['JSON_F52E2B61-18A1-11d1-B105-00805F49916B'] as string;
    // Customer 11 has no e-mail: SQL Server leaves NULLs out unless INCLUDE_NULL_VALUES.
    expect(JSON.parse(text)).toEqual([
      { CustomerID: 10, Name: 'Customer 10', Email: 'customer10@example.com' },
      { CustomerID: 11, Name: 'Customer 11' },
    ]);
    expect(text).not.toContain(', ');
    const [nested] = await rows(
      "SELECT o.OrderID, (SELECT ol.LineNo FROM dbo.OrderLines ol WHERE ol.OrderID = o.OrderID ORDER BY ol.LineNo FOR JSON PATH) AS Lines FROM dbo.Orders o WHERE o.OrderID = 1 FOR JSON PATH, ROOT('orders')",
    );
    expect(JSON.parse(Object.values(nested!)[0] as string)).toEqual({
      orders: [{ OrderID: 1, Lines: [{ LineNo: 1 }, { LineNo: 2 }, { LineNo: 3 }] }],
    });
  });

  it('PIVOT, UNPIVOT, CROSS/OUTER APPLY and recursive CTEs', async () => {
    const pivot = await rows(
      'SELECT * FROM (SELECT o.Status, o.OrderID FROM dbo.Orders o) s PIVOT (COUNT(OrderID) FOR Status IN ([Open], [Shipped], [Delivered], [Cancelled])) AS p',
    );
    expect(pivot).toEqual([{ Open: 750, Shipped: 750, Delivered: 750, Cancelled: 750 }]);
    const unpivot = await rows(
      'SELECT ProductID, Attr, Val FROM (SELECT ProductID, CAST(ProductID AS int) AS A, CAST(ProductID * 2 AS int) AS B FROM dbo.Products WHERE ProductID = 3) s UNPIVOT (Val FOR Attr IN (A, B)) AS u',
    );
    expect(unpivot).toEqual([
      { ProductID: 3, Attr: 'A', Val: 3 },
      { ProductID: 3, Attr: 'B', Val: 6 },
    ]);
    const outer = await rows(
      'SELECT r.RegionID, x.n FROM dbo.Regions r OUTER APPLY (SELECT COUNT(*) AS n FROM dbo.Customers c WHERE c.RegionID = r.RegionID AND c.CustomerID < 3) x ORDER BY r.RegionID',
    );
    expect(outer.map((o) => o.n)).toEqual([0, 1, 1, 0, 0]);
    const tags = await rows(
      "SELECT c.CustomerID, t.value FROM dbo.Customers c CROSS APPLY STRING_SPLIT(c.Tags, ',') t WHERE c.CustomerID = 3",
    );
    expect(tags).toEqual([
      { CustomerID: 3, value: 'wholesale' },
      { CustomerID: 3, value: 'vip' },
    ]);
    const n = await rows(
      'WITH n AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT SUM(i) AS s FROM n OPTION (MAXRECURSION 10)',
    );
    expect(n).toEqual([{ s: 15 }]);
  });

  it('variables, SELECT @x = ..., @@ROWCOUNT, TOP (@n), TOP PERCENT and WITH TIES', async () => {
    expect(
      await rows('DECLARE @n int = 2; SELECT TOP (@n) OrderID FROM dbo.Orders ORDER BY OrderID'),
    ).toEqual([{ OrderID: 1 }, { OrderID: 2 }]);
    expect(
      await rows('DECLARE @c int; SELECT @c = COUNT(*) FROM dbo.Regions; SET @c += 1; SELECT @c AS c'),
    ).toEqual([{ c: 6 }]);
    expect(
      await rows('SELECT RegionID FROM dbo.Regions; SELECT @@ROWCOUNT AS n').then(() =>
        sets('SELECT RegionID FROM dbo.Regions; SELECT @@ROWCOUNT AS n'),
      ),
    ).toMatchObject([expect.any(Array), [{ n: 5 }]]);
    expect(
      await rows(
        'SELECT COUNT(*) AS n FROM (SELECT TOP 10 PERCENT ProductID FROM dbo.Products ORDER BY UnitPrice) x',
      ),
    ).toEqual([{ n: 10 }]);
    const ties = await rows('SELECT TOP 1 WITH TIES Status FROM dbo.Orders ORDER BY Status');
    expect(ties.length).toBe(750);
  });

  it('date, string and conversion built-ins answer as SQL Server does', async () => {
    const [r] = await rows(
      "SELECT DATEDIFF(month, '2024-01-31', '2024-02-01') AS m, DATEDIFF(year, '2024-12-31', '2025-01-01') AS y, DATEPART(weekday, '2024-03-03') AS dw, DATENAME(month, '2024-03-03') AS mn, " +
        "CONVERT(varchar(10), CAST('2024-03-05' AS date), 103) AS uk, FORMAT(1234567.891, '#,##0.00') AS g, FORMAT(CAST('2024-03-05' AS date), 'yyyy-MM') AS ym, " +
        "IIF(1 > 2, 'a', 'b') AS iif, CHOOSE(2, 'x', 'y') AS ch, CHARINDEX('b', 'abcabc', 3) AS ci, TRY_CONVERT(int, 'abc') AS bad, TRY_CAST('12' AS int) AS good, 'a' + 'b' + N'c' AS cat",
    );
    expect(r).toEqual({
      m: 1,
      y: 1,
      dw: 1,
      mn: 'March',
      uk: '05/03/2024',
      g: '1,234,567.89',
      ym: '2024-03',
      iif: 'b',
      ch: 'y',
      ci: 5,
      bad: null,
      good: 12,
      cat: 'abc',
    });
    // LIKE is case-insensitive with [character classes], as under SQL Server's default collation.
    expect((await rows("SELECT COUNT(*) AS n FROM dbo.Products WHERE Name LIKE 'product [1-2]'"))[0]).toEqual(
      { n: 2 },
    );
  });

  it('catalog procedures return SQL Server-shaped result sets', async () => {
    const help = await sets("EXEC sp_help 'dbo.Orders'");
    expect(help[0]).toMatchObject([{ Name: 'Orders', Owner: 'dbo', Type: 'user table' }]);
    expect(help[1]!.map((c) => c.Column_name)).toEqual([
      'OrderID',
      'CustomerID',
      'EmployeeID',
      'OrderDate',
      'Status',
    ]);
    expect((await rows("EXEC sp_pkeys @table_name = 'OrderLines'")).map((k) => k.COLUMN_NAME)).toEqual([
      'OrderID',
      'LineNo',
    ]);
    expect((await rows("EXEC sp_columns 'Regions'")).map((c) => c.COLUMN_NAME)).toEqual(['RegionID', 'Name']);
    expect(
      await rows("EXEC sp_describe_first_result_set N'SELECT OrderID, Status FROM dbo.Orders'"),
    ).toMatchObject([
      { column_ordinal: 1, name: 'OrderID', system_type_name: 'int' },
      { column_ordinal: 2, name: 'Status' },
    ]);
    const missing = (await pool
      .request()
      .query('EXEC sp_who')
      .catch((e) => e)) as sql.RequestError;
    expect(missing.number).toBe(2812);
  });

  it("a database's own procedure: EXEC by name or position with typed parameters, sys.parameters, EXECUTE permission", async () => {
    const byName = await pool
      .request()
      .input('c', sql.Int, 7)
      .input('since', sql.Date, new Date('2000-01-01'))
      .query('EXEC dbo.usp_CustomerOrderSummary @CustomerID = @c, @Since = @since');
    expect(Object.keys(byName.recordset[0] as object)).toEqual(['Status', 'Orders', 'LastOrder']);
    const positional = await rows("EXEC [dbo].[usp_CustomerOrderSummary] 7, '2000-01-01'");
    expect(positional).toEqual(byName.recordset);
    expect(
      await rows(
        "SELECT p.name, TYPE_NAME(p.user_type_id) AS type_name, p.parameter_id, p.is_output FROM sys.parameters p WHERE p.object_id = OBJECT_ID('dbo.usp_CustomerOrderSummary') ORDER BY p.parameter_id",
      ),
    ).toEqual([
      { name: '@CustomerID', type_name: 'int', parameter_id: 1, is_output: false },
      { name: '@Since', type_name: 'date', parameter_id: 2, is_output: false },
    ]);
    const error = (q: string) =>
      pool
        .request()
        .query(q)
        .then(
          () => undefined,
          (e: sql.RequestError) => ({ number: e.number, message: e.message }),
        );
    expect(await error('EXEC dbo.usp_CustomerOrderSummary @CustomerID = 1')).toEqual({
      number: 201,
      message:
        "Procedure or function 'usp_CustomerOrderSummary' expects parameter '@Since', which was not supplied.",
    });
    expect((await error("EXEC dbo.usp_CustomerOrderSummary 1, '2020-01-01', 3"))?.number).toBe(8144);
    expect(
      (await error("EXEC dbo.usp_CustomerOrderSummary @Nope = 1, @CustomerID = 1, @Since = '2020-01-01'"))
        ?.number,
    ).toBe(8145);
    // Run as a database user without EXECUTE on it: refused as SQL Server refuses it.
    await server.engine.admin('CREATE ROLE carol; GRANT carol TO "bridge_svc"');
    const asCarol = await error(
      "EXECUTE AS USER = 'carol'; EXEC dbo.usp_CustomerOrderSummary 1, '2020-01-01'",
    );
    await pool
      .request()
      .query('REVERT')
      .catch(() => undefined);
    expect(asCarol?.number).toBe(229);
  });
});

/**
 * SQL Server 2017-2022 constructs, one row each: the statement and what SQL Server answers (from the T-SQL
 * reference's examples where it gives one).
 */
const RECENT: Array<{ construct: string; sql: string; expected: Array<Record<string, unknown>> }> = [
  {
    construct: 'GENERATE_SERIES (column value; step -1 when stop < start)',
    sql: 'SELECT value FROM GENERATE_SERIES(1, 3); SELECT value FROM GENERATE_SERIES(3, 1)',
    expected: [{ value: 1 }, { value: 2 }, { value: 3 }],
  },
  {
    construct: 'DATE_BUCKET from 1900-01-01 (a Monday)',
    sql: "SELECT DATE_BUCKET(WEEK, 1, CAST('2024-05-15' AS date)) AS W, DATE_BUCKET(MONTH, 3, CAST('2024-05-15' AS date)) AS Q",
    expected: [{ W: new Date('2024-05-13T00:00:00Z'), Q: new Date('2024-04-01T00:00:00Z') }],
  },
  {
    construct: 'SOUNDEX and DIFFERENCE (reference examples)',
    sql: "SELECT SOUNDEX('Smith') AS A, SOUNDEX('Smythe') AS B, DIFFERENCE('Green', 'Greene') AS D, SOUNDEX('Ashcraft') AS H",
    expected: [{ A: 'S530', B: 'S530', D: 4, H: 'A261' }],
  },
  {
    construct: 'GREATEST and LEAST',
    sql: "SELECT GREATEST(6.5, 3.5, 7) AS G, LEAST('Glacier', 'Joshua Tree', 'Mount Rainier') AS L",
    expected: [{ G: 7, L: 'Glacier' }],
  },
  {
    construct: 'TRIM ... FROM with LEADING / TRAILING / BOTH',
    sql: "SELECT TRIM(LEADING '.,! ' FROM '  .#     test    .') AS L, TRIM(TRAILING '.,! ' FROM '  .#     test    .') AS T, TRIM(BOTH '123' FROM '123abc123') AS B",
    expected: [{ L: '#     test    .', T: '  .#     test', B: 'abc' }],
  },
  {
    construct: 'WINDOW clause',
    sql: 'SELECT TOP 2 ProductID, COUNT(*) OVER w AS N FROM dbo.Products WINDOW w AS (PARTITION BY Category) ORDER BY ProductID',
    expected: [
      { ProductID: 1, N: 25 },
      { ProductID: 2, N: 25 },
    ],
  },
  {
    construct: 'GROUPING_ID over ROLLUP',
    sql: 'SELECT GROUPING_ID(Category, Discontinued) AS G, COUNT(*) AS N FROM dbo.Products GROUP BY ROLLUP (Category, Discontinued) HAVING GROUPING_ID(Category, Discontinued) = 3',
    expected: [{ G: 3, N: 100 }],
  },
  {
    construct: 'OFFSET with an expression',
    sql: 'DECLARE @page int = 3, @size int = 2; SELECT CustomerID FROM dbo.Customers ORDER BY CustomerID OFFSET (@page - 1) * @size ROWS FETCH NEXT @size ROWS ONLY',
    expected: [{ CustomerID: 5 }, { CustomerID: 6 }],
  },
  {
    construct: 'PARSE and TRY_PARSE',
    sql: "SELECT PARSE('123' AS int) AS N, TRY_PARSE('abc' AS int) AS Bad, TRY_PARSE('12/31/2024' AS date USING 'en-US') AS D",
    expected: [{ N: 123, Bad: null, D: new Date('2024-12-31T00:00:00Z') }],
  },
  {
    construct: 'ISJSON with a type, JSON_PATH_EXISTS, STRING_ESCAPE',
    sql: `SELECT ISJSON('{"a":1}', OBJECT) AS O, ISJSON('[1]', OBJECT) AS NotO, ISJSON('1', SCALAR) AS S, JSON_PATH_EXISTS('{"a":{"b":1}}', '$.a.b') AS P, STRING_ESCAPE('\\ / "', 'json') AS E`,
    expected: [{ O: 1, NotO: 0, S: 1, P: true, E: '\\\\ \\/ \\"' }],
  },
  {
    construct: 'JSON_OBJECT and JSON_ARRAY (reference examples: NULL kept in objects, left out of arrays)',
    sql: "SELECT JSON_OBJECT('name': 'value', 'type': 1) AS O, JSON_OBJECT('name': 'value', 'type': NULL ABSENT ON NULL) AS A, JSON_ARRAY('a', 1, NULL, 2) AS R, JSON_ARRAY('a', 1, NULL, 2 NULL ON NULL) AS N, JSON_OBJECT('k': JSON_ARRAY(1, 2)) AS Nested",
    expected: [
      {
        O: '{"name":"value","type":1}',
        A: '{"name":"value"}',
        R: '["a",1,2]',
        N: '["a",1,null,2]',
        Nested: '{"k":[1,2]}',
      },
    ],
  },
  {
    construct: 'PERCENTILE_CONT / PERCENTILE_DISC over a partition',
    sql: 'SELECT DISTINCT v.g, PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY v.x) OVER (PARTITION BY v.g) AS C, PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY v.x) OVER (PARTITION BY v.g) AS D FROM (VALUES (1, 1.0), (1, 2.0), (1, 4.0), (1, 10.0)) v(g, x)',
    expected: [{ g: 1, C: 3, D: 2 }],
  },
  {
    construct: 'sys.databases: compatibility level and collation',
    sql: "SELECT compatibility_level, collation_name FROM sys.databases WHERE name = 'Sales'",
    expected: [{ compatibility_level: 160, collation_name: 'SQL_Latin1_General_CP1_CI_AS' }],
  },
];

describe('SQL Server 2017-2022 constructs on the TDS test server', () => {
  it.each(RECENT)('$construct', async ({ sql: text, expected }) => {
    expect(await rows(text)).toEqual(expected);
  });
});

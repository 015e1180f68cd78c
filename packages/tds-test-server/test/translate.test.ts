import { describe, expect, it } from 'vitest';
import {
  classify,
  rewrite,
  splitStatements,
  tokenize,
  TranslateError,
  type NameContext,
} from '../src/translate.js';
import { BUILTINS_SQL } from '../src/builtins.js';
import { FUNCTION_REGISTRY } from '../src/functions.js';

const ctx: NameContext = {
  database: 'Sales',
  isDatabase: (n) => ({ sales: 'Sales', archive: 'Archive' })[n.toLowerCase()],
  schemaOf: (_db, n) =>
    ({ dbo: 'dbo', sys: 'sys', information_schema: 'INFORMATION_SCHEMA' })[n.toLowerCase()],
  relation: (schema, n) =>
    schema === 'Sales$dbo' && n.toLowerCase() === 'customers'
      ? {
          name: 'Customers',
          columns: new Map([
            ['customerid', 'CustomerID'],
            ['name', 'Name'],
          ]),
        }
      : undefined,
  canonical: (n) => n,
  sysvar: (n) => ({ '@@VERSION': 'v', '@@SPID': 51 })[n],
  param: (n) => (n === '@id' ? '($1::int4)' : undefined),
};

const statements = (sql: string) => splitStatements(tokenize(sql)).map(classify);
const pg = (sql: string) => {
  const [st] = statements(sql);
  if (st?.kind !== 'sql') throw new Error(`not sql: ${st?.kind}`);
  return rewrite(st.tokens, ctx);
};

describe('T-SQL translation', () => {
  it('splits batches at semicolons and at statement keywords, as tedious sends its initial SET batch', () => {
    const kinds = statements(
      'set textsize 2147483647\nset quoted_identifier on\nSET NOCOUNT ON\nselect 1 select 2; UPDATE Customers SET Name = 1',
    ).map((s) => s.kind);
    expect(kinds).toEqual(['set-option', 'set-option', 'nocount', 'sql', 'sql', 'sql']);
    expect(statements('INSERT INTO Customers (Name) SELECT Name FROM Customers').length).toBe(1);
    expect(statements('SELECT 1 UNION ALL SELECT 2').length).toBe(1);
    expect(statements('WITH x AS (SELECT 1 AS a) SELECT a FROM x').length).toBe(1);
  });

  it('rewrites names, TOP, literals and functions', () => {
    expect(pg('SELECT TOP (5) [customerid], c.name FROM dbo.customers c')).toBe(
      'SELECT "CustomerID", "c"."Name" FROM "Sales$dbo"."Customers" "c" LIMIT 5',
    );
    expect(
      pg("SELECT N'it''s', ISNULL(Name, 'x') AS [Display Name] FROM Customers WHERE CustomerID = @id"),
    ).toBe(
      `SELECT 'it''s', COALESCE("Name", 'x') AS "Display Name" FROM "Customers" WHERE "CustomerID" = ($1::int4)`,
    );
    expect(
      pg(
        'SELECT * FROM Customers WHERE CustomerID IN (SELECT TOP 1 CustomerID FROM Customers ORDER BY CustomerID)',
      ),
    ).toBe(
      'SELECT * FROM "Customers" WHERE "CustomerID" IN (SELECT "CustomerID" FROM "Customers" ORDER BY "CustomerID" LIMIT 1)',
    );
    expect(
      pg(
        'SELECT CONVERT(nvarchar(20), CustomerID), CAST(1 AS bit), GETDATE(), @@VERSION FROM Archive.dbo.OldOrders',
      ),
    ).toBe(
      `SELECT CAST("CustomerID" AS text), CAST(1 AS boolean), LOCALTIMESTAMP, 'v' FROM "Archive$dbo"."OldOrders"`,
    );
    expect(pg('SELECT COUNT(*) FROM Customers /* comment; with -- tricks */ -- trailing')).toBe(
      'SELECT CAST(count(*) AS integer) FROM "Customers"',
    );
    expect(pg('SELECT [a]]b] FROM t')).toBe('SELECT "a]b" FROM "t"');
  });

  it('keeps words that are keywords only in a construct as column names elsewhere (At, Zone, Rows, Window)', () => {
    expect(pg('SELECT At, Zone, Window FROM x ORDER BY Rows')).toBe(
      'SELECT "At", "Zone", "Window" FROM "x" ORDER BY "Rows"',
    );
    expect(pg("SELECT d AT TIME ZONE 'UTC' AT TIME ZONE 'Pacific Standard Time' AS Rows FROM x")).toBe(
      `SELECT "d" AT TIME ZONE 'UTC' AT TIME ZONE 'America/Los_Angeles' AS "Rows" FROM "x"`,
    );
  });

  it('classifies what the server does itself', () => {
    expect(
      statements("EXECUTE AS USER = N'alice'; REVERT; USE [Archive]; WAITFOR DELAY '00:00:01.5'"),
    ).toEqual([
      { kind: 'execute-as', user: 'alice' },
      { kind: 'revert' },
      { kind: 'use', database: 'Archive' },
      { kind: 'waitfor', ms: 1500 },
    ]);
    expect(statements('BEGIN TRAN; COMMIT TRANSACTION; ROLLBACK').map((s) => s.kind)).toEqual([
      'begin',
      'commit',
      'rollback',
    ]);
  });

  it('refuses what it cannot run, naming the construct', () => {
    const refused: Array<[string, RegExp]> = [
      ["EXEC('DELETE FROM x')", /Dynamic SQL/],
      ['DECLARE @t TABLE (a int)', /DECLARE \.\.\. TABLE/],
      ['SELECT * INTO #t FROM Customers', /SELECT \.\.\. INTO/],
      ["SELECT * FROM OPENROWSET('x', 'y')", /OPENROWSET/],
      ['MERGE INTO a USING b ON 1 = 1', /MERGE/],
      ['IF 1 = 1 SELECT 1', /IF/],
      ['WHILE 1 = 1 SELECT 1', /WHILE/],
      ['SET STATISTICS IO ON', /STATISTICS/],
      ['SELECT @nope', /Must declare the scalar variable "@nope"/],
      ["SELECT 'unterminated", /Unclosed quotation mark/],
      ['SELECT * FROM srv.db.dbo.t', /Linked servers/],
    ];
    for (const [sql, message] of refused) {
      expect(() => pg(sql), sql).toThrow(TranslateError);
      expect(() => pg(sql), sql).toThrow(message);
    }
  });
});

describe('the function registry (one place per function)', () => {
  it('names every function builtins.ts defines for T-SQL, and builtins.ts defines every one it calls built-in', () => {
    const defined = new Set(
      [...BUILTINS_SQL.matchAll(/CREATE (?:FUNCTION|AGGREGATE) (\w+)/g)]
        .map((m) => m[1]!.toUpperCase())
        // tsql_* are the translator's own helpers, not T-SQL names.
        .filter((n) => !n.startsWith('TSQL_')),
    );
    const builtins = Object.entries(FUNCTION_REGISTRY)
      .filter(([, e]) => e.how === 'builtin')
      .map(([name]) => name);
    // A rewrite or the session may end in a call of the built-in of the same name (DATEPART('month', ...)).
    expect([...defined].filter((n) => !FUNCTION_REGISTRY[n]).sort()).toEqual([]);
    expect(builtins.filter((n) => !defined.has(n)).sort()).toEqual([]);
  });
});

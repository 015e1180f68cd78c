import { describe, expect, it } from 'vitest';
import { checkStatement, type GuardPolicy } from '../../app/main/sql/guard.js';

const read: GuardPolicy = { mode: 'read', blockedDatabases: ['master'], allowedDatabases: [] };

describe('read-only guard (T-SQL grammar)', () => {
  it('accepts a read batch and names its statements', () => {
    expect(
      checkStatement('DECLARE @n int = 3; SET NOCOUNT ON; SELECT TOP (@n) * FROM dbo.Orders', read),
    ).toEqual({
      ok: true,
      statements: ['Declare', 'Set', 'Query'],
    });
  });

  it('finds a write wherever it stands and says where', () => {
    expect(checkStatement('SELECT 1;\n  WITH x AS (SELECT 1 AS a) DELETE FROM t', read)).toMatchObject({
      ok: false,
      line: 2,
      column: 29,
      reason:
        '`DELETE` at line 2, column 29: read-only mode runs SELECT, DECLARE, SET @variable and catalog procedures only.',
    });
  });

  it('checks what catalog procedures are given, and allows a profile-declared procedure only', () => {
    expect(checkStatement("EXEC sp_describe_first_result_set N'UPDATE t SET a = 1'", read)).toMatchObject({
      ok: false,
    });
    expect(checkStatement("EXEC sp_help 'master.dbo.spt_values'", read)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('Database "master" is blocked'),
    });
    expect(checkStatement('EXEC dbo.usp_Report 2024', read).ok).toBe(false);
    expect(
      checkStatement('EXEC dbo.usp_Report 2024', { ...read, readOnlyProcedures: ['dbo.usp_Report'] }).ok,
    ).toBe(true);
    expect(
      checkStatement('EXEC other.usp_Report 2024', { ...read, readOnlyProcedures: ['dbo.usp_Report'] }).ok,
    ).toBe(false);
  });

  it('reads GROUPING SETS and PARSE/TRY_PARSE, which its grammar lacks, and still walks what they hold', () => {
    for (const sql of [
      'SELECT Category, COUNT(*) FROM dbo.Products GROUP BY GROUPING SETS ((Category), (Discontinued), ())',
      'SELECT a FROM t GROUP BY GROUPING /* sets */ SETS (ROLLUP(a, b), CUBE(c), a, ())',
      "SELECT TRY_PARSE('2024-01-02' AS date USING 'en-US'), PARSE(N'€345,98' AS money USING @culture), TRY_PARSE('1' AS int)",
    ])
      expect(checkStatement(sql, read), sql).toMatchObject({ ok: true });
    // Positions are those of the text as written.
    expect(
      checkStatement(
        "SELECT TRY_PARSE((SELECT TOP 1 name FROM master.dbo.spt_values) AS int USING 'en-US')",
        read,
      ),
    ).toMatchObject({
      ok: false,
      line: 1,
      column: 42,
      reason: expect.stringContaining('"master" is blocked'),
    });
    expect(
      checkStatement('SELECT a FROM t GROUP BY GROUPING SETS ((a), ((SELECT 1 FROM master.dbo.x)))', read),
    ).toMatchObject({ ok: false, column: 62 });
    // Compound assignment and a variable row count in FETCH, also beyond the grammar.
    expect(
      checkStatement('DECLARE @i int = 5; SET @i += 1; SET @i *= (SELECT COUNT(*) FROM t)', read),
    ).toMatchObject({
      ok: true,
    });
    expect(
      checkStatement(
        'DECLARE @size int = 10; SELECT a FROM t ORDER BY a OFFSET (2 - 1) * @size ROWS FETCH NEXT @size ROWS ONLY',
        read,
      ),
    ).toMatchObject({ ok: true });
    expect(
      checkStatement('DECLARE @i int; SET @i += (SELECT COUNT(*) FROM master.dbo.x)', read),
    ).toMatchObject({
      ok: false,
      reason: expect.stringContaining('"master" is blocked'),
    });
    expect(checkStatement("SELECT PARSE('1' AS int USING 'en-US');\nDELETE FROM t", read)).toMatchObject({
      ok: false,
      line: 2,
      column: 1,
    });
  });

  it('refuses temporary tables and table variables, suggesting a CTE', () => {
    for (const [sql, what] of [
      [
        'SELECT * INTO #t FROM dbo.Orders;\nSELECT COUNT(*) FROM #t',
        '`SELECT ... INTO` at line 1, column 15',
      ],
      [
        'CREATE TABLE #t (a int);\nINSERT INTO #t SELECT 1;\nSELECT * FROM #t',
        '`CREATE TABLE` at line 1, column 1',
      ],
      ['DECLARE @t TABLE (a int); SELECT * FROM @t', '`DECLARE @t TABLE` at line 1, column 1'],
    ]) {
      const r = checkStatement(sql!, read);
      expect(r.ok, sql).toBe(false);
      expect(!r.ok && r.reason).toContain(what);
      expect(!r.ok && r.reason).toContain(
        'name the intermediate result in a CTE instead (WITH t AS (SELECT ...)',
      );
    }
  });

  it('never shows the parser internals for text it cannot read', () => {
    const r = checkStatement('SELECT a FROM t WHERE ORDER BY a', read);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(
      /^The statement could not be read near `BY` at line 1, column 29\. Check the T-SQL syntax there/,
    );
    expect(!r.ok && r.reason).not.toMatch(/Expected|sql parser error/);
  });

  it('write mode runs exactly one INSERT, UPDATE, DELETE or SELECT', () => {
    const write = { ...read, mode: 'write' as const };
    expect(checkStatement('UPDATE dbo.Products SET Name = Name WHERE ProductID = 1', write).ok).toBe(true);
    expect(checkStatement('UPDATE a SET x = 1; DELETE FROM b', write)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/holds 2/),
    });
    expect(checkStatement('INSERT INTO t SELECT * FROM master.dbo.spt_values', write).ok).toBe(false);
  });
});

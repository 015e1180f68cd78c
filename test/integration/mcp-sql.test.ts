import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createLargeTable } from '@mssql-mcp-bridge/tds-test-server';
import { loadCorpus } from '../../corpus/run.js';
import { startEnv, type Env } from '../support/harness.js';
import { mcpClient, postInitialize, signIn } from '../support/mcp-client.js';
import { waitFor } from '../support/processes.js';

let env: Env;
const clients: Client[] = [];

beforeAll(async () => {
  // One pooled connection: impersonation must be reverted for the next user to be themselves.
  env = await startEnv({
    sql: { pool_max: 1, allow_writes: true, row_limit: 1000, query_timeout_seconds: 5 },
  });
}, 60_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await env?.close();
});

async function as(user: 'alice' | 'bob' | 'carol', scope = 'mcp:tools') {
  const { tokens } = await signIn(env, { user, scope });
  const client = await mcpClient(env.core.urls().mcp, tokens.access_token);
  clients.push(client);
  return { client, tokens };
}

type ToolOut = {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content: Array<{ type: string; text?: string }>;
};
async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolOut> {
  return (await client.callTool({ name, arguments: args })) as ToolOut;
}
const text = (r: ToolOut) => r.content.map((c) => c.text ?? '').join(' ');

describe('SQL tools through the real OAuth flow, as the signed-in user', () => {
  it('lists the read tools, and not the write tool, for a token without mssql:write', async () => {
    const { client } = await as('alice');
    const names = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual([
      'describe_table',
      'explain_query',
      'list_databases',
      'list_tables',
      'run_query',
      'sample_rows',
      'search_schema',
      'whoami',
    ]);
  });

  it('discovers databases, tables and a table description from the sample data', async () => {
    const { client } = await as('alice');
    const dbs = await call(client, 'list_databases');
    const names = (dbs.structuredContent!.databases as Array<{ name: string }>).map((d) => d.name);
    expect(names).toContain('Sales');
    for (const blocked of ['master', 'msdb', 'tempdb', 'model']) expect(names).not.toContain(blocked);

    const tables = (await call(client, 'list_tables', { schema: 'dbo' })).structuredContent!.tables as Array<{
      name: string;
      kind: string;
      rowEstimate: number | null;
    }>;
    expect(tables.find((t) => t.name === 'Customers')).toMatchObject({ kind: 'table', rowEstimate: 1000 });
    expect(tables.find((t) => t.name === 'vCustomerOrderTotals')).toMatchObject({ kind: 'view' });

    const orders = (await call(client, 'describe_table', { table: 'dbo.Orders' })).structuredContent!;
    expect(orders.primaryKey).toEqual(['OrderID']);
    expect((orders.columns as Array<{ name: string; type: string; nullable: boolean }>).slice(0, 2)).toEqual([
      { name: 'OrderID', type: 'int', nullable: false, default: null },
      { name: 'CustomerID', type: 'int', nullable: false, default: null },
    ]);
    expect((orders.foreignKeys as Array<{ to: string }>).map((f) => f.to).sort()).toEqual([
      'dbo.Customers',
      'dbo.Employees',
    ]);
    expect(orders.referencedBy as Array<{ from: string; columns: unknown }>).toEqual([
      expect.objectContaining({
        from: 'dbo.OrderLines',
        to: 'dbo.Orders',
        columns: [{ from: 'OrderID', to: 'OrderID' }],
      }),
    ]);
    expect(
      (orders.indexes as Array<{ name: string; columns: string[] }>).find(
        (i) => i.name === 'IX_Orders_CustomerID',
      )!.columns,
    ).toEqual(['CustomerID']);

    const sample = (await call(client, 'sample_rows', { table: 'Products', rows: 3 })).structuredContent!;
    expect(sample.rowCount).toBe(3);
    expect((sample.columns as Array<{ name: string }>).map((c) => c.name)).toContain('UnitPrice');
  });

  it('run_query returns typed columns, rows and elapsed time', async () => {
    const { client } = await as('alice');
    const r = await call(client, 'run_query', {
      sql: 'SELECT TOP (3) CustomerID, Name, CreatedAt FROM dbo.Customers ORDER BY CustomerID',
    });
    expect(r.isError).toBeFalsy();
    const out = r.structuredContent!;
    expect(out.columns).toEqual([
      { name: 'CustomerID', type: 'int', nullable: true },
      { name: 'Name', type: 'nvarchar', nullable: true },
      { name: 'CreatedAt', type: 'datetime2', nullable: true },
    ]);
    expect((out.rows as unknown[][]).map((row) => row.slice(0, 2))).toEqual([
      [1, 'Customer 1'],
      [2, 'Customer 2'],
      [3, 'Customer 3'],
    ]);
    expect(out.truncated).toBe(false);
    expect(typeof out.elapsedMs).toBe('number');
  });

  it('keeps columns that share a name apart, and returns dates as ISO text', async () => {
    const { client } = await as('alice');
    const r = await call(client, 'run_query', {
      sql: 'SELECT c.CustomerID, o.CustomerID, c.CreatedAt FROM dbo.Customers c JOIN dbo.Orders o ON o.CustomerID = c.CustomerID WHERE c.CustomerID = 1 AND o.OrderID = (SELECT MIN(OrderID) FROM dbo.Orders WHERE CustomerID = 1)',
    });
    expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
    const out = r.structuredContent!;
    expect((out.columns as Array<{ name: string }>).map((c) => c.name)).toEqual([
      'CustomerID',
      'CustomerID',
      'CreatedAt',
    ]);
    const [row] = out.rows as unknown[][];
    expect(row!.slice(0, 2)).toEqual([1, 1]);
    expect(row![2]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('explain_query summarises the estimated plan', async () => {
    const { client } = await as('alice');
    const plan = (
      await call(client, 'explain_query', { sql: 'SELECT * FROM Customers WHERE CustomerID = 5' })
    ).structuredContent!;
    const stmt = (
      plan.statements as Array<{ operators: Array<{ physicalOp: string; object?: string }> }>
    )[0]!;
    expect(stmt.operators.length).toBeGreaterThan(0);
    expect(stmt.operators.some((o) => o.object?.includes('[Customers]'))).toBe(true);
  });
});

describe('read-only guard', () => {
  // Each refusal names the construct and where it stands (issue 10: never the parser's token lists).
  const refused: Array<[string, RegExp]> = [
    ['SELECT 1; DROP TABLE Customers', /^`DROP` at line 1, column 11: read-only mode runs SELECT/],
    ['WITH x AS (SELECT 1 AS a) DELETE FROM Customers', /^`DELETE` at line 1, column 27/],
    ['SELECT * INTO CustomersCopy FROM Customers', /^`SELECT \.\.\. INTO` at line 1, column 15/],
    ['EXEC sp_who', /^`EXEC sp_who` at line 1, column 6: read-only mode runs only the catalog procedures/],
    ["EXEC('DELETE FROM Customers')", /^`EXEC \(\.\.\.\)` at line 1, column 1: dynamic SQL/],
    ["SELECT * FROM OPENQUERY(remote, 'SELECT 1')", /^`OPENQUERY` at line 1, column 15/],
    ["SELECT * FROM OPENROWSET('SQLNCLI', 'Server=x', 'SELECT 1')", /^`OPENROWSET` at line 1, column 15/],
    ["WAITFOR DELAY '00:00:05'", /^`WAITFOR` at line 1, column 1/],
    ['USE master', /^`USE` at line 1, column 1/],
    ['SELECT * FROM master.dbo.spt_values', /"master" is blocked/],
    ['SELECT 1 /* harmless */;\n-- still harmless\nDELETE FROM Customers', /^`DELETE` at line 3, column 1/],
    ["SELECT [brack'et] FROM Customers; DELETE FROM Customers", /^`DELETE` at line 1, column 35/],
    ['UPDATE Customers SET Name = Name', /^`UPDATE` at line 1, column 1/],
  ];
  it('refuses each bypass attempt with the reason, and the data is untouched', async () => {
    const { client } = await as('bob');
    for (const [sql, reason] of refused) {
      const r = await call(client, 'run_query', { sql });
      expect(r.isError, sql).toBe(true);
      expect(text(r), sql).toMatch(reason);
    }
    const still = await call(client, 'run_query', { sql: 'SELECT COUNT(*) AS n FROM Customers' });
    expect(still.structuredContent!.rows).toEqual([[1000]]);
    const refusedAudits = (await env.core.audit.query({ limit: 100 })).filter(
      (e) => e.outcome === 'refused' && e.tool === 'run_query',
    );
    expect(refusedAudits.length).toBeGreaterThanOrEqual(refused.length);
  });

  it('accepts legitimate reads that regex guards wrongly refuse', async () => {
    const { client } = await as('alice');
    const ok = [
      'WITH big AS (SELECT CustomerID FROM Orders GROUP BY CustomerID HAVING COUNT(*) > 3) SELECT COUNT(*) AS n FROM big',
      'SELECT DB_NAME() AS db',
      'SELECT @@VERSION AS v',
      'SELECT TOP 1 Quantity AS sp_total FROM OrderLines',
      "SELECT Name FROM Customers WHERE Name = 'x''; DELETE FROM Customers --'",
    ];
    for (const sql of ok) {
      const r = await call(client, 'run_query', { sql });
      expect(r.isError, `${sql}: ${text(r)}`).toBeFalsy();
    }
  });
});

describe('impersonation', () => {
  it('two users with different grants see different results, and each call is reverted', async () => {
    const { client: alice } = await as('alice');
    const { client: bob } = await as('bob');
    const sql = 'SELECT COUNT(*) AS n FROM Employees';
    const denied = await call(alice, 'run_query', { sql });
    expect(denied.isError).toBe(true);
    expect(text(denied)).toContain("The SELECT permission was denied on the object 'Employees'");
    expect((await call(bob, 'run_query', { sql })).structuredContent!.rows).toEqual([[200]]);
    // Same single pooled connection: had bob's impersonation leaked, alice would now see the table.
    expect((await call(alice, 'run_query', { sql })).isError).toBe(true);
    // Each call runs in the one transaction its session began (and rolled back): none is left over from the
    // failed call before it (the TDS test server refuses a nested BEGIN TRANSACTION).
    expect(
      (await call(alice, 'run_query', { sql: 'SELECT @@TRANCOUNT AS t' })).structuredContent!.rows,
    ).toEqual([[1]]);
    expect(
      (await call(alice, 'run_query', { sql: 'SELECT USER_NAME() AS u' })).structuredContent!.rows,
    ).toEqual([['alice']]);
  });
});

describe('impersonation failures', () => {
  it('a user without a database user gets a clear error, never the service login', async () => {
    const { client } = await as('carol');
    const r = await call(client, 'run_query', { sql: 'SELECT USER_NAME() AS u' });
    expect(r.isError).toBe(true);
    expect(text(r)).toContain('The database user "carol" does not exist in database "Sales"');
    expect(text(r)).toContain('never falls back');
    expect((await env.core.audit.query({ limit: 1 }))[0]).toMatchObject({
      subject: 'carol',
      outcome: 'error',
      errorNumber: 15517,
    });
  });
});

describe('scopes, writes and sessions', () => {
  it('a write tool call without mssql:write answers 403 insufficient_scope naming the scope', async () => {
    const { tokens } = await as('alice');
    const init = await fetch(env.core.urls().mcp, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokens.access_token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'execute_statement', arguments: { sql: 'DELETE FROM Customers' } },
      }),
    });
    expect(init.status).toBe(403);
    expect(init.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(init.headers.get('www-authenticate')).toContain('scope="mcp:tools mssql:write"');
  });

  it('with mssql:write, execute_statement commits once the person confirms; explain_query never executes the statement', async () => {
    const { tokens } = await signIn(env, { user: 'bob', scope: 'mcp:tools mssql:write' });
    const asked: string[] = [];
    const client = await mcpClient(env.core.urls().mcp, tokens.access_token, (params) => {
      asked.push(params.message);
      return { action: 'accept', content: { confirm: true } };
    });
    clients.push(client);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('execute_statement');
    const count = async () =>
      (
        (await call(client, 'run_query', { sql: 'SELECT COUNT(*) AS n FROM OrderLines WHERE OrderID = 7' }))
          .structuredContent!.rows as number[][]
      )[0]![0];
    expect(await count()).toBe(3);
    const plan = await call(client, 'explain_query', { sql: 'DELETE FROM OrderLines WHERE OrderID = 7' });
    expect(plan.isError, text(plan)).toBeFalsy();
    expect(await count()).toBe(3);
    const upd = await call(client, 'execute_statement', {
      sql: "UPDATE Products SET Name = 'Renamed' WHERE ProductID = 1",
    });
    expect(upd.structuredContent).toMatchObject({ rowsAffected: 1, committed: true });
    // The 2025-era session was asked through elicitation/create, with the statement and its previewed effect.
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain("UPDATE Products SET Name = 'Renamed' WHERE ProductID = 1");
    expect(asked[0]).toContain('database Sales (connection "sales"), as database user bob');
    expect(asked[0]).toContain('Preview (run and rolled back just now): 1 row affected.');
    expect(
      (await call(client, 'run_query', { sql: 'SELECT Name FROM Products WHERE ProductID = 1' }))
        .structuredContent!.rows,
    ).toEqual([['Renamed']]);
    const refusedDdl = await call(client, 'execute_statement', { sql: 'DROP TABLE Products' });
    expect(text(refusedDdl)).toMatch(
      /^`DROP` at line 1, column 1: execute_statement runs SELECT, INSERT, UPDATE and DELETE only/,
    );
  });

  it('revoking the token ends its MCP session', async () => {
    const { tokens, config } = await signIn(env, { user: 'alice' });
    const client = await mcpClient(env.core.urls().mcp, tokens.access_token);
    const before = env.core.mcp.sessionCount();
    await client.listTools();
    const { tokenRevocation } = await import('openid-client');
    await tokenRevocation(config, tokens.refresh_token!);
    expect(env.core.mcp.sessionCount()).toBe(before - 1);
    await expect(client.listTools()).rejects.toThrow();
    expect((await postInitialize(env.core.urls().mcp, tokens.access_token)).status).toBe(401);
  });

  it('audits every call with who, tool, statement hash, rows, duration and outcome', async () => {
    const { client } = await as('alice');
    await call(client, 'run_query', { sql: 'SELECT TOP 2 RegionID FROM Regions ORDER BY RegionID' });
    const [last] = await env.core.audit.query({ limit: 1 });
    expect(last).toMatchObject({
      subject: 'alice',
      email: 'alice@example.com',
      dbUser: 'alice',
      clientId: 'claude-desktop',
      tool: 'run_query',
      profile: 'sales',
      database: 'Sales',
      rowCount: 2,
      outcome: 'ok',
    });
    expect(last!.statementHash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('the published corpus through the MCP endpoint (a slice of each category)', () => {
  const firstOf = (file: 'reads' | 'escapes', n: number) => {
    const seen = new Map<string, number>();
    return loadCorpus(file).filter((e) => {
      const k = seen.get(e.category) ?? 0;
      seen.set(e.category, k + 1);
      return k < n;
    });
  };

  it('runs the first two reads of every category as the signed-in DBA', async () => {
    const { client } = await as('bob');
    const reads = firstOf('reads', 2);
    expect(new Set(reads.map((r) => r.category)).size).toBeGreaterThan(20);
    for (const r of reads) {
      const out = await call(client, 'run_query', { sql: r.sql });
      expect(out.isError, `${r.category} (reads.sql:${r.line}): ${text(out)}`).toBeFalsy();
    }
  });

  it('refuses the first two escapes of every category, naming the construct, and changes nothing', async () => {
    const { client } = await as('bob');
    const before = (await call(client, 'run_query', { sql: 'SELECT COUNT(*) AS n FROM dbo.Orders' }))
      .structuredContent!.rows;
    for (const e of firstOf('escapes', 2)) {
      const out = await call(client, 'run_query', { sql: e.sql });
      expect(out.isError, `${e.category} (escapes.sql:${e.line})`).toBe(true);
      expect(text(out)).not.toMatch(/Expected|sql parser error/);
    }
    expect(
      (await call(client, 'run_query', { sql: 'SELECT COUNT(*) AS n FROM dbo.Orders' })).structuredContent!
        .rows,
    ).toEqual(before);
  });

  it('returns every result set of a catalog procedure', async () => {
    const { client } = await as('bob');
    const out = await call(client, 'run_query', { sql: "EXEC sp_help 'dbo.Orders'" });
    expect(out.isError, text(out)).toBeFalsy();
    expect(out.structuredContent!.rows).toEqual([['Orders', 'dbo', 'user table', expect.any(String)]]);
    const more = out.structuredContent!.moreResultSets as Array<{ rows: unknown[][] }>;
    expect(more[0]!.rows.map((r) => r[0])).toEqual([
      'OrderID',
      'CustomerID',
      'EmployeeID',
      'OrderDate',
      'Status',
    ]);
  });
});

describe('row limit, timeout and cancellation on 1,000,000 rows', () => {
  beforeAll(async () => {
    await createLargeTable(env.sql!, 'Sales', 1_000_000);
  }, 120_000);

  it('stops at the row limit, says it truncated, keeps memory flat and cancels the server-side query', async () => {
    const { client } = await as('bob');
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const started = Date.now();
    const r = await call(client, 'run_query', { sql: 'SELECT * FROM Events ORDER BY EventID' });
    expect(r.isError, text(r)).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ rowCount: 1000, truncated: true });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(100 * 1024 * 1024);
    expect(env.sql!.activeRequests()).toBe(0);
  });

  it('cancels the server-side query when the MCP client cancels the call', async () => {
    await env.core.connections.save({
      ...(await env.core.connections.get('sales'))!,
      id: 'sales_unlimited',
      auth: { type: 'sql', user: 'bridge_svc', password: 'Bridge-Svc-Passw0rd' },
      row_limit: 1_000_000,
      query_timeout_seconds: 60,
    });
    const { client } = await as('bob');
    const abort = new AbortController();
    const started = Date.now();
    const pending = client.callTool(
      { name: 'run_query', arguments: { connection: 'sales_unlimited', sql: 'SELECT * FROM Events' } },
      undefined,
      { signal: abort.signal },
    );
    setTimeout(() => abort.abort(), 500);
    await expect(pending).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5_000);
    // The bridge sent ATTENTION: the TDS server stops streaming within a few batches.
    await waitFor(() => env.sql!.activeRequests() === 0, 'the TDS server to stop the statement', 5_000);
    expect(env.sql!.activeRequests()).toBe(0);
    // The handler records the call once its session has rolled back, just after the client gave up.
    const cancelled = async () =>
      (await env.core.audit.query({ limit: 5 })).find((e) => e.tool === 'run_query' && e.subject === 'bob');
    await waitFor(
      async () => (await cancelled())?.outcome === 'cancelled',
      'the audit to say cancelled',
      10_000,
    );
    expect(await cancelled()).toMatchObject({ outcome: 'cancelled', profile: 'sales_unlimited' });
  });

  it('ends a query that outlives the timeout, cancelling it on the server', async () => {
    await env.core.connections.save({
      ...(await env.core.connections.get('sales'))!,
      id: 'sales_fast',
      auth: { type: 'sql', user: 'bridge_svc', password: 'Bridge-Svc-Passw0rd' },
      row_limit: 1_000_000,
      query_timeout_seconds: 1,
    });
    const { client } = await as('bob');
    const started = Date.now();
    const r = await call(client, 'run_query', { connection: 'sales_fast', sql: 'SELECT * FROM Events' });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/did not finish within 1 s/);
    expect(Date.now() - started).toBeLessThan(4_000);
    await new Promise((res) => setTimeout(res, 100));
    expect(env.sql!.activeRequests()).toBe(0);
  });
});

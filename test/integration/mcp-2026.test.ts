import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sql from 'mssql';
import {
  Client,
  StreamableHTTPClientTransport,
  type CallToolResult,
  type ElicitRequest,
  type ElicitResult,
} from '@modelcontextprotocol/client';
import { createLargeTable, sampleConnection } from '@mssql-mcp-bridge/tds-test-server';
import { startEnv, type Env } from '../support/harness.js';
import { mcpClient, signIn } from '../support/mcp-client.js';
import { waitFor } from '../support/processes.js';

/**
 * The endpoint as a protocol 2026-07-28 client sees it (MCP SDK v2 client, version negotiation on): stateless
 * serving, cache hints, CSV results, progress, cancellation, confirmed writes through input_required, and the
 * schema context (search, descriptions, resources, prompts).
 */
let env: Env;
let direct: sql.ConnectionPool;
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  env = await startEnv({
    config: { sql: { default: 'sales', confirm_timeout_seconds: 2 } },
    sql: { pool_max: 2, allow_writes: true, row_limit: 1000, query_timeout_seconds: 20 },
  });
  direct = await new sql.ConnectionPool(sampleConnection(env.sql!)).connect();
  closers.push(() => direct.close());
}, 60_000);
afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await env?.close();
});

type Answer = (params: ElicitRequest['params']) => Promise<ElicitResult> | ElicitResult;

/** A 2026-07-28 client; `bodies` keeps each JSON response body it received, for wire-level assertions. */
async function modernClient(user: 'alice' | 'bob', scope = 'mcp:tools', answer?: Answer) {
  const { tokens } = await signIn(env, { user, scope });
  const bodies: string[] = [];
  const client = new Client(
    { name: 'bridge-test-2026', version: '1.0.0' },
    {
      versionNegotiation: { mode: 'auto' },
      capabilities: answer ? { elicitation: { form: {} } } : {},
    },
  );
  if (answer) client.setRequestHandler('elicitation/create', (req) => answer(req.params));
  await client.connect(
    new StreamableHTTPClientTransport(new URL(env.core.urls().mcp), {
      requestInit: { headers: { authorization: `Bearer ${tokens.access_token}` } },
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        if (res.headers.get('content-type')?.startsWith('application/json'))
          bodies.push(await res.clone().text());
        return res;
      },
    }),
  );
  closers.push(() => client.close());
  return { client, bodies, token: tokens.access_token };
}

const text = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join(' ');
const scalar = async (q: string) => (await direct.request().query(q)).recordset[0] as Record<string, unknown>;

describe('protocol 2026-07-28', () => {
  it('negotiates 2026-07-28, keeps no session, and lists tools in a fixed order with cache hints', async () => {
    const { client, bodies } = await modernClient('alice');
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    expect(client.getProtocolEra()).toBe('modern');
    const sessions = env.core.mcp.sessionCount();
    const first = (await client.listTools({}, { cacheMode: 'refresh' })).tools.map((t) => t.name);
    const second = (await client.listTools({}, { cacheMode: 'refresh' })).tools.map((t) => t.name);
    expect(first).toEqual(second);
    expect(first).toEqual([
      'whoami',
      'list_databases',
      'list_tables',
      'describe_table',
      'search_schema',
      'sample_rows',
      'run_query',
      'explain_query',
    ]);
    expect(env.core.mcp.sessionCount()).toBe(sessions);
    const list = bodies.map((b) => JSON.parse(b) as { result?: { tools?: unknown; ttlMs?: number } });
    expect(list.find((b) => b.result?.tools)?.result).toMatchObject({ ttlMs: 60_000, cacheScope: 'private' });
  });

  it('checks the 2026-07-28 request headers against the body, and the bearer first', async () => {
    const { token } = await modernClient('alice');
    // A tools/list request as the v2 client sends it (envelope in _meta, Mcp-Method header).
    const body = {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/list',
      params: {
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      },
    };
    const post = (headers: Record<string, string>) =>
      fetch(env.core.urls().mcp, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2026-07-28',
          ...headers,
        },
        body: JSON.stringify(body),
      });
    const ok = await post({ authorization: `Bearer ${token}`, 'mcp-method': 'tools/list' });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { result: { tools: unknown[] } }).result.tools.length).toBeGreaterThan(5);
    const mismatch = await post({ authorization: `Bearer ${token}`, 'mcp-method': 'tools/call' });
    const answer = (await mismatch.json()) as { error?: { code: number } };
    expect(answer.error?.code).toBe(-32020);
    expect((await post({ 'mcp-method': 'tools/list' })).status).toBe(401);
  });

  it('run_query answers CSV under a one-line header, and typed rows in structuredContent', async () => {
    const { client } = await modernClient('alice');
    const r = (await client.callTool({
      name: 'run_query',
      arguments: {
        sql: "SELECT TOP 3 RegionID, Name, NULL AS Note, '' AS Empty FROM Regions ORDER BY RegionID",
      },
    })) as CallToolResult;
    expect(r.isError, text(r)).toBeFalsy();
    expect(text(r).split('\n')).toEqual([
      expect.stringMatching(
        /^# 3 rows from Sales · columns: RegionID int, Name nvarchar, Note nvarchar, Empty nvarchar$/,
      ),
      'RegionID,Name,Note,Empty',
      '1,North,,""',
      '2,South,,""',
      '3,East,,""',
    ]);
    expect(r.structuredContent).toMatchObject({ rowCount: 3, truncated: false });
    expect((r.structuredContent as { rows: unknown[][] }).rows[0]).toEqual([1, 'North', null, '']);
  });
});

describe('progress and cancellation on a long query', () => {
  beforeAll(async () => {
    await createLargeTable(env.sql!, 'Sales', 200_000);
    await env.core.connections.save({
      ...(await env.core.connections.get('sales'))!,
      id: 'sales_big',
      auth: { type: 'sql', user: 'bridge_svc', password: 'Bridge-Svc-Passw0rd' },
      row_limit: 1_000_000,
      query_timeout_seconds: 60,
    });
  }, 120_000);

  it('reports rows read as progress notifications while the rows stream', async () => {
    const { client } = await modernClient('bob');
    const progress: Array<{ progress: number; message?: string }> = [];
    const r = (await client.callTool(
      {
        name: 'run_query',
        arguments: { connection: 'sales_big', sql: 'SELECT * FROM Events', maxRows: 60_000 },
      },
      { onprogress: (p) => progress.push(p) },
    )) as CallToolResult;
    expect(r.isError, text(r)).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ rowCount: 60_000, truncated: true });
    expect(progress.length).toBeGreaterThan(1);
    const counts = progress.map((p) => p.progress);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(progress[0]!.message).toMatch(/^\d+ rows read in \d+\.\d s$/);
  });

  it('stops the statement on the server when the client abandons the call', async () => {
    const { client } = await modernClient('bob');
    const abort = new AbortController();
    const pending = client.callTool(
      { name: 'run_query', arguments: { connection: 'sales_big', sql: 'SELECT * FROM Events' } },
      { signal: abort.signal },
    );
    await new Promise((res) => setTimeout(res, 400));
    expect(env.sql!.activeRequests()).toBeGreaterThan(0);
    abort.abort();
    await expect(pending).rejects.toThrow();
    const audited = async () =>
      (await env.core.audit.query({ limit: 5 })).find(
        (e) => e.tool === 'run_query' && e.profile === 'sales_big',
      );
    await waitFor(
      async () => env.sql!.activeRequests() === 0 && (await audited())?.outcome === 'cancelled',
      'the statement to stop on the server and the audit to say cancelled',
      5_000,
    );
    expect(env.sql!.activeRequests()).toBe(0);
    expect(await audited()).toMatchObject({ outcome: 'cancelled', subject: 'bob' });
  });
});

describe('confirmed writes', () => {
  const price = async (id: number) =>
    Number((await scalar(`SELECT UnitPrice AS p FROM Products WHERE ProductID = ${id}`)).p);
  const update = (id: number, to: number) => `UPDATE Products SET UnitPrice = ${to} WHERE ProductID = ${id}`;
  const lastAudit = async () => (await env.core.audit.query({ limit: 1 }))[0]!;

  it('asks the person with the statement, where it runs and its previewed effect, and commits on accept', async () => {
    const before = await price(11);
    const asked: ElicitRequest['params'][] = [];
    const { client } = await modernClient('bob', 'mcp:tools mssql:write', (p) => {
      asked.push(p);
      return { action: 'accept', content: { confirm: true } };
    });
    const r = (await client.callTool({
      name: 'execute_statement',
      arguments: { sql: update(11, 77.5) },
    })) as CallToolResult;
    expect(r.isError, text(r)).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ rowsAffected: 1, committed: true });
    expect(asked).toHaveLength(1);
    expect(asked[0]!.message).toContain(update(11, 77.5));
    expect(asked[0]!.message).toContain('database Sales (connection "sales"), as database user bob');
    expect(asked[0]!.message).toContain('1 row affected');
    expect(await price(11)).toBe(77.5);
    expect(before).not.toBe(77.5);
    expect(await lastAudit()).toMatchObject({ tool: 'execute_statement', outcome: 'ok', rowCount: 1 });
  });

  it('a declined or cancelled confirmation changes nothing, and the audit says declined', async () => {
    for (const action of ['decline', 'cancel'] as const) {
      const before = await price(12);
      const { client } = await modernClient('bob', 'mcp:tools mssql:write', () => ({ action }));
      const r = (await client.callTool({
        name: 'execute_statement',
        arguments: { sql: update(12, 1.25) },
      })) as CallToolResult;
      expect(text(r)).toContain('Not run: the change was not confirmed');
      expect(r.structuredContent).toMatchObject({ committed: false });
      expect(await price(12)).toBe(before);
      expect(await lastAudit()).toMatchObject({ tool: 'execute_statement', outcome: 'declined' });
    }
  });

  it('a client that cannot ask the person gets an approval link and the write id, and nothing changes yet', async () => {
    const before = await price(13);
    const { client } = await modernClient('bob', 'mcp:tools mssql:write');
    const r = (await client.callTool({
      name: 'execute_statement',
      arguments: { sql: update(13, 2.5) },
    })) as CallToolResult;
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ committed: false, rowsAffected: 1 });
    expect(text(r)).toContain("needs the person's approval, and this MCP client cannot ask for it");
    expect(text(r)).toMatch(/\/writes\/[0-9a-f-]{36}/);
    expect(await price(13)).toBe(before);
    expect(await lastAudit()).toMatchObject({ tool: 'execute_statement', outcome: 'pending' });
  });

  it('rolls back when the data changed between the preview and the acceptance', async () => {
    await direct.request().query("UPDATE Products SET Discontinued = 0 WHERE Category = 'Books'");
    const statement = "UPDATE Products SET Discontinued = 1 WHERE Category = 'Books' AND Discontinued = 0";
    const { client } = await modernClient('bob', 'mcp:tools mssql:write', async () => {
      // Someone else changes one of the rows while the person reads the preview.
      await direct.request().query('UPDATE Products SET Discontinued = 1 WHERE ProductID = 3');
      return { action: 'accept', content: { confirm: true } };
    });
    const r = (await client.callTool({
      name: 'execute_statement',
      arguments: { sql: statement },
    })) as CallToolResult;
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(
      /The data changed since the preview: the statement now affects 24 rows instead of 25/,
    );
    expect(
      Number(
        (await scalar("SELECT COUNT(*) AS n FROM Products WHERE Category = 'Books' AND Discontinued = 1")).n,
      ),
    ).toBe(1);
  });

  /** Round 1 by hand: the input_required result with its signed request state. */
  async function preview(client: Client, statement: string) {
    const first = (await client.callTool(
      { name: 'execute_statement', arguments: { sql: statement } },
      { allowInputRequired: true },
    )) as unknown as { resultType: string; requestState: string; inputRequests: Record<string, unknown> };
    expect(first.resultType).toBe('input_required');
    expect(Object.keys(first.inputRequests)).toEqual(['confirm']);
    return first.requestState;
  }
  const accept = { confirm: { action: 'accept', content: { confirm: true } } };
  const retry = (client: Client, statement: string, requestState: string) =>
    // The retry of a multi round-trip request carries the responses and the state next to the arguments.
    client.callTool(
      { name: 'execute_statement', arguments: { sql: statement }, inputResponses: accept, requestState } as {
        name: string;
      },
      { allowInputRequired: true },
    ) as Promise<CallToolResult>;

  it('refuses a forged, replayed, expired or misapplied confirmation', async () => {
    const { client } = await modernClient('bob', 'mcp:tools mssql:write', () => ({ action: 'decline' }));
    const statement = update(14, 3.75);
    const before = await price(14);
    const state = await preview(client, statement);
    // Forged: the payload edited (another statement hash), the signature kept.
    const [v, body, mac] = state.split('.');
    const payload = JSON.parse(Buffer.from(body!, 'base64url').toString()) as { p: { effect: number[] } };
    payload.p.effect = [0];
    const forged = [v, Buffer.from(JSON.stringify(payload)).toString('base64url'), mac].join('.');
    await expect(retry(client, statement, forged)).rejects.toThrow(/Invalid or expired requestState/);
    // Misapplied: a genuine confirmation for another statement.
    const other = (await retry(client, update(15, 9), state)) as CallToolResult;
    expect(text(other)).toContain('This confirmation was given for another statement');
    expect(await price(14)).toBe(before);
    // Accepted once, then replayed: the second run is refused.
    expect((await retry(client, statement, state)).structuredContent).toMatchObject({ committed: true });
    expect(await price(14)).toBe(3.75);
    await direct.request().query(update(14, before));
    const replay = await retry(client, statement, state);
    expect(text(replay)).toContain('This confirmation was already used');
    expect(await price(14)).toBe(before);
    // Expired: answered after the confirmation timeout (2 s here).
    const late = await preview(client, statement);
    await new Promise((res) => setTimeout(res, 3_100));
    await expect(retry(client, statement, late)).rejects.toThrow(/Invalid or expired requestState/);
    expect(await price(14)).toBe(before);
  });

  it('a 2025-era session declining through elicitation/create changes nothing', async () => {
    const before = await price(16);
    const { tokens } = await signIn(env, { user: 'bob', scope: 'mcp:tools mssql:write' });
    const legacy = await mcpClient(env.core.urls().mcp, tokens.access_token, () => ({ action: 'decline' }));
    closers.push(() => legacy.close());
    const r = (await legacy.callTool({
      name: 'execute_statement',
      arguments: { sql: update(16, 5) },
    })) as CallToolResult;
    expect(text(r)).toContain('Not run: the change was not confirmed');
    expect(await price(16)).toBe(before);
  });
});

describe('schema context', () => {
  it('search_schema finds a column by its description, best match first', async () => {
    const { client } = await modernClient('bob');
    const r = (await client.callTool({
      name: 'search_schema',
      arguments: { query: 'customer e-mail' },
    })) as CallToolResult;
    const matches = (r.structuredContent as { matches: Array<Record<string, unknown>> }).matches;
    expect(matches[0]).toMatchObject({
      database: 'Sales',
      schema: 'dbo',
      table: 'Customers',
      column: 'Email',
      kind: 'column',
      description: 'Contact e-mail address of the customer (NULL when unknown).',
    });
  });

  it('list_tables and describe_table carry MS_Description of tables and columns', async () => {
    const { client } = await modernClient('bob');
    const tables = (await client.callTool({ name: 'list_tables', arguments: {} })) as CallToolResult;
    expect((tables.structuredContent as { tables: unknown[] }).tables).toContainEqual(
      expect.objectContaining({
        name: 'Orders',
        description: 'Sales orders: who ordered, who took the order, when, and its status.',
      }),
    );
    const d = (await client.callTool({
      name: 'describe_table',
      arguments: { table: 'dbo.Orders' },
    })) as CallToolResult;
    expect(d.structuredContent).toMatchObject({ description: expect.stringContaining('Sales orders') });
    expect((d.structuredContent as { columns: unknown[] }).columns).toContainEqual(
      expect.objectContaining({ name: 'Status', description: 'Open, Shipped, Delivered or Cancelled.' }),
    );
  });

  it('offers each readable database as a schema resource, and prompts to start from', async () => {
    const { client } = await modernClient('bob');
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toContain('mssql://sales/Sales/schema');
    expect(resources.map((r) => r.uri).some((u) => /\/(master|msdb|tempdb|model)\//.test(u))).toBe(false);
    const read = await client.readResource({ uri: 'mssql://sales/Sales/schema' });
    const body = (read.contents[0] as { text: string }).text;
    expect(body).toContain('dbo.Orders (table, ~3000 rows) -- Sales orders');
    expect(body).toContain('  CustomerID int not null -> dbo.Customers.CustomerID');
    expect(body).toContain('  OrderID int not null PK');
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['explore_database', 'explain_query_plan']);
    const prompt = await client.getPrompt({
      name: 'explore_database',
      arguments: { topic: 'customer orders' },
    });
    expect(JSON.stringify(prompt.messages)).toContain('focusing on customer orders');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import {
  Client as ModernClient,
  StreamableHTTPClientTransport,
  type CallToolResult,
} from '@modelcontextprotocol/client';
import type { PolicyInput } from '../../app/shared/config-schema.js';
import { startEnv, type Env } from '../support/harness.js';
import { mcpClient, signIn } from '../support/mcp-client.js';
import { waitFor } from '../support/processes.js';

/**
 * The access policy end to end: people signed in at the test IdP (alice in "analysts", bob in "dba", carol in no
 * group), their tokens used by real MCP clients, each dimension allowed and denied through the tools, and a
 * policy change applied to tokens already issued and to open sessions.
 */
const POLICY: PolicyInput = {
  rules: [
    { id: 'dbas', match: { groups: ['dba'] }, tools: ['read', 'explain', 'write'] },
    {
      id: 'analysts',
      description: 'Analysts read Sales except HR tables',
      match: { groups: ['analysts'], email_domains: ['example.com'] },
      connections: ['sales'],
      databases: ['Sales'],
      tables: { deny: ['dbo.Employees', 'dbo.Departments', 'dbo.vEmployee*'] },
      tools: ['read'],
      row_limit: 5,
    },
  ],
};

let env: Env;
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  env = await startEnv({
    config: { policy: POLICY, sql: { default: 'sales' } },
    sql: { pool_max: 2, allow_writes: true, confirm_writes: false, row_limit: 1000 },
  });
}, 60_000);
afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await env?.close();
});

type Out = {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content: Array<{ text?: string }>;
};
const text = (r: Out) => r.content.map((c) => c.text ?? '').join(' ');

async function legacy(user: 'alice' | 'bob' | 'carol', scope = 'mcp:tools') {
  const { tokens } = await signIn(env, { user, scope });
  const client = await mcpClient(env.core.urls().mcp, tokens.access_token);
  closers.push(() => client.close());
  const call = async (name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args })) as Out;
  return { client, call };
}

const toolNames = async (client: Client) => (await client.listTools()).tools.map((t) => t.name).sort();
const READ_TOOLS = [
  'describe_table',
  'list_databases',
  'list_tables',
  'run_query',
  'sample_rows',
  'search_schema',
];

describe('access policy through MCP', () => {
  it('lists only the tools the person is given (analysts: read; DBAs: read, explain, write; nobody: whoami)', async () => {
    const alice = await legacy('alice', 'mcp:tools mssql:write');
    expect(await toolNames(alice.client)).toEqual([...READ_TOOLS, 'whoami'].sort());
    const bob = await legacy('bob', 'mcp:tools mssql:write');
    expect(await toolNames(bob.client)).toEqual(
      [...READ_TOOLS, 'whoami', 'explain_query', 'execute_statement'].sort(),
    );
    const carol = await legacy('carol');
    expect(await toolNames(carol.client)).toEqual(['whoami']);
  });

  it('the 2026-07-28 lane lists the same (a server per request from the same policy)', async () => {
    const { tokens } = await signIn(env, { user: 'alice' });
    const client = new ModernClient({ name: 't', version: '1' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(env.core.urls().mcp), {
        requestInit: { headers: { authorization: `Bearer ${tokens.access_token}` } },
      }),
    );
    closers.push(() => client.close());
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(
      [...READ_TOOLS, 'whoami'].sort(),
    );
    const refused = (await client.callTool({
      name: 'run_query',
      arguments: {
        sql: 'SELECT e.Salary FROM dbo.Orders o JOIN dbo.Employees e ON e.EmployeeID = o.EmployeeID',
      },
    })) as CallToolResult;
    expect(refused.isError).toBe(true);
  });

  it('tables: an allowed table runs, a denied one is refused before SQL and names the rule, also in the audit', async () => {
    const alice = await legacy('alice');
    const ok = await alice.call('run_query', { sql: 'SELECT OrderID FROM dbo.Orders ORDER BY OrderID' });
    expect(ok.isError).toBeFalsy();

    const before = (await env.core.audit.query({ limit: 1 }))[0]!.id;
    const refused = await alice.call('run_query', {
      sql: 'WITH x AS (SELECT FirstName, Salary FROM Employees) SELECT * FROM x',
    });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(
      /Table dbo\.Employees is denied to you by policy rule "analysts" \(tables\.deny "dbo\.Employees"\)/,
    );
    const [entry] = await env.core.audit.query({ limit: 1 });
    expect(entry!.id).toBeGreaterThan(before);
    expect(entry).toMatchObject({
      tool: 'run_query',
      outcome: 'refused',
      rule: 'analysts',
      subject: expect.any(String),
    });
    expect(entry!.durationMs).toBeLessThan(1000);

    expect(text(await alice.call('describe_table', { table: 'dbo.vEmployeeDirectory' }))).toMatch(
      /tables\.deny "dbo\.vEmployee\*"/,
    );
    expect((await alice.call('sample_rows', { table: 'Departments' })).isError).toBe(true);
  });

  it('cte-scope and names-in-variables through the endpoint: a later CTE or a variable never opens a denied table', async () => {
    const alice = await legacy('alice');
    for (const sql of [
      'WITH A AS (SELECT TOP 2 * FROM Employees), Employees AS (SELECT 1 AS x) SELECT * FROM A',
      "DECLARE @s nvarchar(max) = N'SELECT * FROM dbo.Employees'; EXEC sp_describe_first_result_set @s",
      "DECLARE @t sysname = 'dbo.Employees'; EXEC sp_help @t",
    ]) {
      const r = await alice.call('run_query', { sql });
      expect(r.isError, sql).toBe(true);
      expect(text(r)).toMatch(/denied to you by policy rule "analysts"|must be written as a literal/);
    }
  });

  it('tables: catalog tools do not show denied tables', async () => {
    const alice = await legacy('alice');
    const tables = (await alice.call('list_tables', { schema: 'dbo' })).structuredContent!.tables as Array<{
      name: string;
    }>;
    const names = tables.map((t) => t.name);
    expect(names).toContain('Orders');
    for (const hidden of ['Employees', 'Departments', 'vEmployeeDirectory'])
      expect(names).not.toContain(hidden);
    const found = (await alice.call('search_schema', { query: 'salary' })).structuredContent!
      .matches as unknown[];
    expect(found).toEqual([]);
    // bob sees them
    const bob = await legacy('bob');
    const bobFound = (await bob.call('search_schema', { query: 'salary' })).structuredContent!
      .matches as Array<{ table: string }>;
    expect(bobFound.map((m) => m.table)).toContain('Employees');
    const schema = await alice.client.readResource({ uri: 'mssql://sales/Sales/schema' });
    const summary = (schema.contents[0] as { text: string }).text;
    expect(summary).toContain('dbo.Orders');
    expect(summary).not.toMatch(/Employees|Salary/);
  });

  it('row limit: the rule caps the connection row limit', async () => {
    const alice = await legacy('alice');
    const r = await alice.call('run_query', { sql: 'SELECT OrderID FROM dbo.Orders' });
    expect(r.structuredContent).toMatchObject({ rowCount: 5, truncated: true });
    const bob = await legacy('bob');
    expect(
      (await bob.call('run_query', { sql: 'SELECT TOP 50 OrderID FROM dbo.Orders' })).structuredContent,
    ).toMatchObject({ rowCount: 50 });
  });

  it('databases: a database outside the rule is refused before any SQL', async () => {
    const alice = await legacy('alice');
    const r = await alice.call('list_tables', { database: 'Archive' });
    expect(text(r)).toMatch(/Database "Archive" is not open to you \(policy rule "analysts" allows: Sales\)/);
    const threePart = await alice.call('run_query', { sql: 'SELECT * FROM Archive.dbo.Orders' });
    expect(text(threePart)).toMatch(/not open to you/);
  });

  it('tools: explain and write are refused to analysts even with the write scope; a DBA writes', async () => {
    const alice = await legacy('alice', 'mcp:tools mssql:write');
    const explain = await alice.client
      .callTool({ name: 'explain_query', arguments: { sql: 'SELECT 1' } })
      .then(
        (r) => r as Out,
        (e: Error) => ({ isError: true, content: [{ text: e.message }] }) as Out,
      );
    expect(explain.isError).toBe(true);
    const bob = await legacy('bob', 'mcp:tools mssql:write');
    const write = await bob.call('execute_statement', {
      sql: 'UPDATE dbo.Regions SET Name = Name WHERE RegionID = 1',
    });
    expect(write.isError, text(write)).toBeFalsy();
    expect(write.structuredContent).toMatchObject({ rowsAffected: 1, committed: true });
  });

  it('nobody matched: whoami says so, every SQL tool is refused with the fix', async () => {
    const carol = await legacy('carol');
    const me = (await carol.call('whoami')).structuredContent!;
    expect(me.policyRule).toBeUndefined();
    const r = await carol.client.callTool({ name: 'run_query', arguments: { sql: 'SELECT 1' } }).then(
      (x) => x as Out,
      (e: Error) => ({ isError: true, content: [{ text: e.message }] }) as Out,
    );
    expect(r.isError).toBe(true);
  });

  it('a policy change applies to tokens already issued, and open sessions are told their tools changed', async () => {
    const carol = await legacy('carol');
    const alice = await legacy('alice');
    let changed = 0;
    alice.client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
    expect(await toolNames(alice.client)).not.toContain('explain_query');

    const rules = POLICY.rules!;
    await env.core.policy.save({
      rules: [
        ...rules.map((r) => (r.id === 'analysts' ? { ...r, tools: ['read', 'explain'] as const } : r)),
        // carol gets in, impersonating alice's database user (an override of the mapped "carol").
        {
          id: 'contractors',
          match: { emails: ['CAROL@example.com'] },
          tables: { allow: ['dbo.Orders'] },
          db_user: 'alice',
        },
      ],
    } as PolicyInput);
    await waitFor(() => changed > 0, 'notifications/tools/list_changed', 5000);
    expect(await toolNames(alice.client)).toContain('explain_query');

    const me = (await carol.call('whoami')).structuredContent!;
    expect(me).toMatchObject({ policyRule: 'contractors', databaseUser: 'alice' });
    const who = await carol.call('run_query', {
      sql: 'SELECT CURRENT_USER AS u, COUNT(*) AS n FROM dbo.Orders',
    });
    expect(who.isError, text(who)).toBeFalsy();
    expect((who.structuredContent!.rows as unknown[][])[0]![0]).toBe('alice');
    expect(text(await carol.call('run_query', { sql: 'SELECT * FROM dbo.Customers' }))).toMatch(
      /not among the tables policy rule "contractors" lets you read \(dbo\.Orders\)/,
    );
    const [entry] = await env.core.audit.query({ limit: 1 });
    expect(entry).toMatchObject({ rule: 'contractors', dbUser: 'alice', outcome: 'refused' });

    await env.core.policy.save(POLICY);
  });

  it('the control API explains what a person may do, and refuses an invalid policy naming the field', async () => {
    const e = await env.core.control.request('policy.explain', {
      person: { groups: ['analysts'], email: 'ann@example.com', idp: 'test', dbUser: 'ann' },
    });
    expect(e).toMatchObject({ rule: 'analysts', tools: ['read'], dbUser: 'ann' });
    expect(e.connections[0]).toMatchObject({ id: 'sales', rowLimit: 5, writes: false });
    const err = await env.core.control
      .request('policy.save', { rules: [{ id: 'x', tables: { deny: ['Employees'] } }] })
      .catch((x: unknown) => x as { fields?: Record<string, string> });
    expect(JSON.stringify(err)).toMatch(/rules\.0\.tables\.deny\.0/);
    // The config file sets this policy: a valid change is refused with where to make it, not undone at restart.
    await expect(
      env.core.control.request('policy.save', { rules: [{ id: 'x', tools: ['read'] }] }),
    ).rejects.toThrow(
      /The config file sets the access policy .* Change the policy in the config file and restart/,
    );
    expect((await env.core.control.request('policy.get', {})).policy.rules.map((r) => r.id)).toEqual([
      'dbas',
      'analysts',
    ]);
  });

  it("checks live what SQL Server grants beside what the policy opens, as the person's database user", async () => {
    const live = async (person: { groups: string[]; email: string; dbUser: string }) =>
      env.core.control.request('policy.checkLive', {
        person: { ...person, idp: 'test' },
        connection: 'sales',
      });
    const alice = await live({ groups: ['analysts'], email: 'alice@example.com', dbUser: 'alice' });
    if (!alice.ok) throw new Error(alice.message);
    const t = (name: string) => alice.tables.find((x) => x.name === name)!;
    expect(t('Orders')).toMatchObject({ policy: null, select: true });
    // Both layers refuse the HR table: the policy names its rule, SQL Server grants alice nothing there.
    expect(t('Employees')).toMatchObject({ policy: expect.stringContaining('tables.deny'), select: false });
    expect(t('Departments').select).toBe(false);

    const bob = await live({ groups: ['dba'], email: 'bob@example.com', dbUser: 'bob' });
    if (!bob.ok) throw new Error(bob.message);
    expect(bob.tables.find((x) => x.name === 'Employees')).toMatchObject({ policy: null, select: true });

    const carol = await live({ groups: [], email: 'carol@example.com', dbUser: 'carol' });
    expect(carol).toMatchObject({
      ok: false,
      message: expect.stringContaining('No access-policy rule matches you'),
    });
  });
});

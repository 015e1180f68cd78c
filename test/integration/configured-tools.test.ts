/**
 * Tools an administrator defines (config `tools`), through the MCP endpoint with stock SDK clients: listed with
 * their typed schema to the people a policy rule gives them to, run with typed parameters (never spliced),
 * parameter errors answered with a sentence naming the parameter, identity-bound parameters the model cannot
 * set, a configured write confirmed by the person, and audit entries that name the tool and its values.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ConfiguredToolInput } from '../../app/shared/config-schema.js';
import { EXAMPLE_TOOLS } from '../../app/shared/example-tools.js';
import { startEnv, type Env } from '../support/harness.js';
import { mcpClient, signIn } from '../support/mcp-client.js';

// The demo's two (on this harness's connection) and one bound to the person.
const TOOLS: ConfiguredToolInput[] = [
  ...EXAMPLE_TOOLS.map((t) => ({
    ...t,
    tags: t.mode === 'write' ? ['ops'] : ['sales'],
    connection: 'sales',
  })),
  {
    name: 'my_customer_record',
    title: 'My customer record',
    description: 'The customer record whose e-mail is the signed-in person’s.',
    connection: 'sales',
    statement: 'SELECT CustomerID, Name, Email FROM Customers WHERE Email = @email',
    parameters: [{ name: 'email', type: 'varchar(200)', bind: 'email' }],
  },
];

let env: Env;
const clients: Client[] = [];

beforeAll(async () => {
  env = await startEnv({
    sql: { allow_writes: true },
    config: {
      tools: TOOLS,
      policy: {
        rules: [
          {
            id: 'dbas',
            match: { groups: ['dba'] },
            tools: ['read', 'write', 'tag:ops', 'tool:my_customer_record', 'tool:customer_orders'],
          },
          { id: 'analysts', match: { groups: ['analysts'] }, tools: ['read', 'tag:sales'] },
        ],
      },
    },
  });
  // bob's own customer record, for the identity-bound tool.
  await env.sql!.engine.admin(
    `INSERT INTO "Sales$dbo"."Customers" ("CustomerID", "Name", "Email", "RegionID", "CreatedAt") VALUES (9001, 'Bob as a customer', 'bob@example.com', 1, now())`,
  );
}, 60_000);
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => undefined);
});
afterAll(() => env?.close());

interface ToolOut {
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}
const text = (r: ToolOut) => r.content.map((c) => c.text ?? '').join(' ');

async function as(user: 'alice' | 'bob', confirm?: boolean) {
  const { tokens } = await signIn(env, { user, scope: 'mcp:tools mssql:write' });
  const client = await mcpClient(
    env.core.urls().mcp,
    tokens.access_token,
    confirm === undefined ? undefined : () => ({ action: 'accept', content: { confirm } }),
  );
  clients.push(client);
  return {
    tools: async () => (await client.listTools()).tools,
    call: async (name: string, args: Record<string, unknown>) =>
      (await client.callTool({ name, arguments: args })) as ToolOut,
  };
}

describe('who sees a configured tool', () => {
  it('a person a rule gives it to (by tag) sees it with its typed schema and annotations; others do not', async () => {
    const alice = await as('alice');
    const tools = await alice.tools();
    const names = tools.map((t) => t.name);
    expect(names).toContain('customer_orders');
    expect(names).not.toContain('set_order_status');
    expect(names).not.toContain('my_customer_record');
    const t = tools.find((x) => x.name === 'customer_orders')!;
    expect(t.title).toBe('Orders of a customer');
    expect(t.annotations).toMatchObject({ title: 'Orders of a customer', readOnlyHint: true });
    const props = t.inputSchema.properties as Record<string, Record<string, unknown>>;
    expect(props.customer_id).toMatchObject({ type: 'integer', minimum: 1, maximum: 2147483647 });
    expect(props.from).toMatchObject({ type: 'string', format: 'date' });
    expect(t.inputSchema.required).toEqual(['customer_id', 'from', 'to']);
    expect(t.inputSchema.additionalProperties).toBe(false);

    const bob = await as('bob');
    const bobs = (await bob.tools()).map((x) => x.name);
    expect(bobs).toEqual(
      expect.arrayContaining(['customer_orders', 'my_customer_record', 'set_order_status']),
    );
    const write = (await bob.tools()).find((x) => x.name === 'set_order_status')!;
    expect(write.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect((write.inputSchema.properties as Record<string, Record<string, unknown>>).status!.enum).toEqual([
      'Open',
      'Shipped',
      'Delivered',
      'Cancelled',
    ]);
  });

  it('every tool has a title and a read-only or destructive hint (the connectors directory asks for them)', async () => {
    const bob = await as('bob');
    for (const t of await bob.tools()) {
      expect(t.annotations?.title, t.name).toBeTruthy();
      expect(t.annotations?.readOnlyHint === true || t.annotations?.destructiveHint === true, t.name).toBe(
        true,
      );
    }
  });
});

describe('calling a configured read', () => {
  it('runs with typed parameters and answers in the same compact text; the audit names the tool and the values', async () => {
    const alice = await as('alice');
    const out = await alice.call('customer_orders', { customer_id: 3, from: '2020-01-01', to: '2030-01-01' });
    expect(out.isError ?? false).toBe(false);
    expect(text(out)).toMatch(/^# \d+ rows? from Sales/);
    expect((out.structuredContent!.columns as Array<{ name: string }>).map((c) => c.name)).toEqual([
      'OrderID',
      'OrderDate',
      'Status',
    ]);
    const entry = (await env.core.audit.query({ limit: 5 })).find((e) => e.tool === 'customer_orders');
    expect(entry).toMatchObject({ outcome: 'ok', subject: expect.any(String) });
    expect(entry?.statement).toContain('-- @customer_id = 3, @from = "2020-01-01", @to = "2030-01-01"');
  });

  it('a value is data, never SQL: a quote in a text parameter is just a character', async () => {
    const bob = await as('bob');
    const out = await bob.call('customer_orders', { customer_id: 1, from: '2020-01-01', to: '2030-01-01' });
    expect(out.isError ?? false).toBe(false);
    const hostile = await bob.call('set_order_status', {
      order_id: 1,
      status: "Open'; DROP TABLE Orders; --",
    });
    expect(hostile.isError).toBe(true);
    expect(text(hostile)).toContain('status must be one of "Open", "Shipped", "Delivered", "Cancelled"');
  });

  it('wrong types, missing and out-of-range values are answered with a sentence naming the parameter', async () => {
    const alice = await as('alice');
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [
        { customer_id: 'three', from: '2020-01-01', to: '2021-01-01' },
        /customer_id must be a whole number from 1 to 2147483647/,
      ],
      [
        { customer_id: 0, from: '2020-01-01', to: '2021-01-01' },
        /customer_id must be a whole number from 1 to 2147483647/,
      ],
      [{ customer_id: 2.5, from: '2020-01-01', to: '2021-01-01' }, /customer_id must be a whole number/],
      [{ customer_id: 3, from: '01/02/2020', to: '2021-01-01' }, /from must be a date written YYYY-MM-DD/],
      [{ customer_id: 3, from: '2020-01-01' }, /to must be a date written YYYY-MM-DD/],
    ];
    for (const [args, sentence] of cases) {
      const out = await alice.call('customer_orders', args);
      expect(out.isError, JSON.stringify(args)).toBe(true);
      expect(text(out)).toMatch(sentence);
    }
  });

  it('a person the policy does not give it to cannot call it either', async () => {
    const alice = await as('alice');
    // Not listed for her, so not callable: the SDK answers as for any tool the caller does not have.
    await expect(alice.call('my_customer_record', {})).rejects.toThrow(/Tool my_customer_record disabled/);
  });
});

describe('a stored procedure as a tool', () => {
  it('takes its typed parameters from sys.parameters and returns the procedure’s rows', async () => {
    const alice = await as('alice');
    const tool = (await alice.tools()).find((t) => t.name === 'customer_summary')!;
    const props = tool.inputSchema.properties as Record<string, Record<string, unknown>>;
    expect(props.CustomerID).toMatchObject({ type: 'integer', minimum: -2147483648 });
    expect(props.Since).toMatchObject({ type: 'string', format: 'date' });
    expect(tool.inputSchema.required).toEqual(['CustomerID', 'Since']);
    const out = await alice.call('customer_summary', { CustomerID: 7, Since: '2000-01-01' });
    expect(out.isError ?? false).toBe(false);
    expect((out.structuredContent!.columns as Array<{ name: string }>).map((c) => c.name)).toEqual([
      'Status',
      'Orders',
      'LastOrder',
    ]);
    expect(out.structuredContent!.rowCount).toBeGreaterThan(0);
    const entry = (await env.core.audit.query({ limit: 5 })).find((e) => e.tool === 'customer_summary');
    expect(entry?.statement).toBe(
      'EXEC [dbo].[usp_CustomerOrderSummary] @CustomerID = @CustomerID, @Since = @Since\n-- @CustomerID = 7, @Since = "2000-01-01"',
    );
  });

  it('runs as the person: without EXECUTE on the procedure, SQL Server refuses it', async () => {
    await env.sql!.engine.admin(
      'REVOKE EXECUTE ON FUNCTION "Sales$dbo"."usp_CustomerOrderSummary"(int, date) FROM alice',
    );
    try {
      const alice = await as('alice');
      const out = await alice.call('customer_summary', { CustomerID: 7, Since: '2000-01-01' });
      expect(out.isError).toBe(true);
      expect(text(out)).toMatch(/permission/i);
    } finally {
      await env.sql!.engine.admin(
        'GRANT EXECUTE ON FUNCTION "Sales$dbo"."usp_CustomerOrderSummary"(int, date) TO alice',
      );
    }
  });
});

describe('identity-bound parameters', () => {
  it('take the signed-in person’s value, and the model cannot set them', async () => {
    const bob = await as('bob');
    const mine = await bob.call('my_customer_record', {});
    expect((mine.structuredContent!.rows as unknown[][]).map((r) => r[2])).toEqual(['bob@example.com']);
    const tool = (await bob.tools()).find((t) => t.name === 'my_customer_record')!;
    expect(Object.keys((tool.inputSchema.properties ?? {}) as object)).toEqual([]);
    const forged = await bob.call('my_customer_record', { email: 'alice@example.com' });
    expect(forged.isError).toBe(true);
    expect(text(forged)).toMatch(/email/);
  });
});

describe('a configured write', () => {
  const status = async (id: number) => {
    const bob = await as('bob');
    const out = await bob.call('run_query', { sql: `SELECT Status FROM Orders WHERE OrderID = ${id}` });
    return (out.structuredContent!.rows as string[][])[0]![0];
  };

  it('is previewed and confirmed by the person (elicitation), then committed with its values', async () => {
    const bob = await as('bob', true);
    const out = await bob.call('set_order_status', { order_id: 2, status: 'Cancelled' });
    expect(out.structuredContent).toMatchObject({ committed: true, rowsAffected: 1 });
    expect(await status(2)).toBe('Cancelled');
    const entry = (await env.core.audit.query({ limit: 10 })).find(
      (e) => e.tool === 'set_order_status' && e.outcome === 'ok',
    );
    expect(entry).toMatchObject({ confirmedVia: 'elicitation' });
    expect(entry?.statement).toContain('-- @order_id = 2, @status = "Cancelled"');
  });

  it('declined: nothing changes', async () => {
    const before = await status(4);
    const bob = await as('bob', false);
    const out = await bob.call('set_order_status', {
      order_id: 4,
      status: 'Shipped' === before ? 'Open' : 'Shipped',
    });
    expect(out.structuredContent).toMatchObject({ committed: false });
    expect(await status(4)).toBe(before);
  });

  it('without elicitation, the approval link names the tool to call again', async () => {
    const bob = await as('bob');
    const out = await bob.call('set_order_status', { order_id: 5, status: 'Delivered' });
    expect(text(out)).toContain('call set_order_status again with the same arguments and pending_write_id');
  });
});

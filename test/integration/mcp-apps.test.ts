/**
 * MCP Apps (extension io.modelcontextprotocol/ui) at the protocol level, with stock SDK clients of both eras:
 * a host that declares the extension gets tools linked to ui:// views and the views' app-only tools; a host that
 * does not gets neither, and every tool still answers in text. The views' own tools keep every rule of the
 * model's tools: fetch_rows stays inside the row limit and the guard, decide_write needs the card's single-use
 * approval, which travels only in the result's _meta. (The views themselves run in Chromium: e2e/mcp-apps.test.ts.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as LegacyTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { isToolVisibilityAppOnly, RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/app-bridge';
import { createLargeTable } from '@mssql-mcp-bridge/tds-test-server';
import { EXAMPLE_POLICY } from '../../app/shared/example-policy.js';
import { startEnv, type Env } from '../support/harness.js';
import { signIn } from '../support/mcp-client.js';

const UI = { 'io.modelcontextprotocol/ui': { mimeTypes: [RESOURCE_MIME_TYPE] } };
const CARD = 'io.github.mssql-mcp-bridge/write-card';

let env: Env;
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  env = await startEnv({
    sql: { allow_writes: true, row_limit: 1000 },
    config: { policy: EXAMPLE_POLICY },
  });
  await createLargeTable(env.sql!, 'Sales', 2500);
}, 60_000);
afterEach(async () => {
  for (const close of closers.splice(0)) await close().catch(() => undefined);
});
afterAll(() => env?.close());

interface ToolOut {
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, unknown>;
  _meta?: Record<string, unknown>;
  isError?: boolean;
}
interface ListedTool {
  name: string;
  _meta?: Record<string, unknown>;
}
const text = (r: ToolOut) => r.content.map((c) => c.text ?? '').join(' ');

/** A 2025-era session (the v1 SDK client, as mcp-remote and the Inspector), with or without the extension. */
async function legacyClient(user: 'alice' | 'bob', ui: boolean) {
  const { tokens } = await signIn(env, { user, scope: 'mcp:tools mssql:write' });
  const client = new LegacyClient(
    { name: 'apps-test', version: '1' },
    { capabilities: ui ? { extensions: UI } : {} },
  );
  await client.connect(
    new LegacyTransport(new URL(env.core.urls().mcp), {
      requestInit: { headers: { authorization: `Bearer ${tokens.access_token}` } },
    }),
  );
  closers.push(() => client.close());
  return {
    list: async () => (await client.listTools()).tools as ListedTool[],
    resources: async () => (await client.listResources()).resources.map((r) => r.uri),
    read: (uri: string) => client.readResource({ uri }),
    call: async (name: string, args: Record<string, unknown> = {}) =>
      (await client.callTool({ name, arguments: args })) as ToolOut,
  };
}

/** A 2026-07-28 client (stateless: its capabilities travel with every request). */
async function modernClient(ui: boolean) {
  const { tokens } = await signIn(env, { user: 'bob', scope: 'mcp:tools mssql:write' });
  const client = new Client(
    { name: 'apps-test-2026', version: '1' },
    { versionNegotiation: { mode: 'auto' }, capabilities: ui ? { extensions: UI } : {} },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(env.core.urls().mcp), {
      requestInit: { headers: { authorization: `Bearer ${tokens.access_token}` } },
    }),
  );
  closers.push(() => client.close());
  return {
    list: async () => (await client.listTools()).tools as ListedTool[],
    resources: async () => (await client.listResources()).resources.map((r) => r.uri),
    /** tools/call with extra params (a multi round-trip retry's requestState and inputResponses). */
    call: async (name: string, args: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      (await client.callTool({ name, arguments: args, ...extra } as { name: string }, {
        allowInputRequired: true,
      })) as unknown as ToolOut,
  };
}

const uiOf = (t: ListedTool) => t._meta?.ui as { resourceUri?: string; visibility?: string[] } | undefined;

describe('what each host is offered', () => {
  it('a host without the extension gets no ui:// links, no views and no app-only tools (both eras)', async () => {
    for (const c of [await legacyClient('bob', false), await modernClient(false)]) {
      const tools = await c.list();
      expect(tools.map((t) => t.name)).toContain('run_query');
      expect(tools.filter((t) => uiOf(t))).toEqual([]);
      expect(tools.map((t) => t.name)).not.toContain('fetch_rows');
      expect(tools.map((t) => t.name)).not.toContain('decide_write');
      expect((await c.resources()).filter((u) => u.startsWith('ui://'))).toEqual([]);
    }
  });

  it('a host with the extension gets each tool linked to its view, and app-only tools it keeps from the model (both eras)', async () => {
    for (const c of [await legacyClient('bob', true), await modernClient(true)]) {
      const tools = await c.list();
      const link = (name: string) => uiOf(tools.find((t) => t.name === name)!)?.resourceUri;
      expect(link('run_query')).toBe('ui://mssql-mcp-bridge/results.html');
      expect(link('sample_rows')).toBe('ui://mssql-mcp-bridge/results.html');
      for (const name of ['list_databases', 'list_tables', 'describe_table', 'search_schema'])
        expect(link(name)).toBe('ui://mssql-mcp-bridge/schema.html');
      expect(link('execute_statement')).toBe('ui://mssql-mcp-bridge/write.html');
      // The legacy key too, for hosts that read only it.
      expect(tools.find((t) => t.name === 'run_query')!._meta?.['ui/resourceUri']).toBe(
        'ui://mssql-mcp-bridge/results.html',
      );
      const appOnly = tools.filter((t) => isToolVisibilityAppOnly(t)).map((t) => t.name);
      expect(appOnly.sort()).toEqual(['decide_write', 'fetch_rows']);
      // What a host lists to its model: every tool but the app-only ones.
      const forModel = tools.filter((t) => !isToolVisibilityAppOnly(t)).map((t) => t.name);
      expect(forModel).toContain('run_query');
      expect(forModel).not.toContain('fetch_rows');
      expect((await c.resources()).filter((u) => u.startsWith('ui://')).sort()).toEqual([
        'ui://mssql-mcp-bridge/results.html',
        'ui://mssql-mcp-bridge/schema.html',
        'ui://mssql-mcp-bridge/write.html',
      ]);
    }
  });

  it('each view is one self-contained HTML document with a CSP that opens no network origin', async () => {
    const c = await legacyClient('bob', true);
    for (const name of ['results', 'schema', 'write']) {
      const read = await c.read(`ui://mssql-mcp-bridge/${name}.html`);
      const content = read.contents[0] as { mimeType: string; text: string; _meta?: Record<string, unknown> };
      expect(content.mimeType).toBe(RESOURCE_MIME_TYPE);
      expect(content._meta?.ui).toMatchObject({ csp: { connectDomains: [], resourceDomains: [] } });
      expect(content.text).toMatch(/^<!doctype html>/i);
      // Scripts and styles inlined: nothing loaded from anywhere.
      expect(content.text).not.toMatch(/<script[^>]+\bsrc=|<link[^>]+rel="stylesheet"/i);
      expect(content.text.length).toBeLessThan(600_000);
    }
  });

  it('every tool linked to a view still answers the model in text', async () => {
    const c = await legacyClient('bob', true);
    const out = await c.call('run_query', {
      sql: 'SELECT TOP 3 ProductID, Name FROM Products ORDER BY ProductID',
    });
    expect(text(out)).toMatch(/^# 3 rows from Sales/);
    expect(out.structuredContent?.runsAs).toMatch(/database user bob|the connection's login/);
  });
});

describe("the result grid's more rows (fetch_rows)", () => {
  it('returns the next page of the same statement, exactly the rows after those shown', async () => {
    const c = await legacyClient('bob', true);
    const sql = 'SELECT EventID, Kind FROM Events ORDER BY EventID';
    const first = await c.call('run_query', { sql, maxRows: 100 });
    expect(first.structuredContent).toMatchObject({ rowCount: 100, truncated: true });
    const more = await c.call('fetch_rows', { sql, offset: 100, count: 500 });
    const rows = more.structuredContent!.rows as Array<[string | number, string]>;
    expect(rows).toHaveLength(500);
    expect(Number(rows[0]![0])).toBe(101);
    expect(Number(rows[499]![0])).toBe(600);
    expect(more.structuredContent).toMatchObject({ offset: 100, truncated: true });
  });

  it("stops at the connection's row limit, with a sentence that says so", async () => {
    const c = await legacyClient('bob', true);
    const sql = 'SELECT EventID FROM Events ORDER BY EventID';
    const last = await c.call('fetch_rows', { sql, offset: 900, count: 500 });
    expect((last.structuredContent!.rows as unknown[]).length).toBe(100);
    const past = await c.call('fetch_rows', { sql, offset: 1000, count: 10 });
    expect(past.isError).toBe(true);
    expect(text(past)).toContain("the 1000 rows the connection's row limit allows");
  });

  it('is read-only like run_query: the guard refuses a write', async () => {
    const c = await legacyClient('bob', true);
    const out = await c.call('fetch_rows', { sql: 'DELETE FROM Products', offset: 0, count: 10 });
    expect(out.isError).toBe(true);
    expect(text(out)).toMatch(/read-only|not allowed|DELETE/i);
  });
});

describe('the write card (decide_write)', () => {
  const preview = async (c: Awaited<ReturnType<typeof legacyClient>>, sql: string) => {
    const out = await c.call('execute_statement', { sql });
    const card = out._meta?.[CARD] as { review: { id: string; rowsAffected: number }; approval: string };
    return { out, card };
  };

  it('a host with the extension and no elicitation gets the card: the review and an approval the model never reads', async () => {
    const c = await legacyClient('bob', true);
    const { out, card } = await preview(c, "UPDATE Products SET Name = 'Card A' WHERE ProductID = 5");
    expect(out.structuredContent).toMatchObject({ committed: false, pendingWriteId: card.review.id });
    expect(card.review.rowsAffected).toBe(1);
    // The model's text names the card and the link, never the approval.
    expect(text(out)).toContain('card shown with this answer');
    expect(text(out)).not.toContain(card.approval);
    expect(JSON.stringify(out.structuredContent)).not.toContain(card.approval);
  });

  it('approve, then commit with the pending id, once; the audit says it was the app card', async () => {
    const c = await legacyClient('bob', true);
    const sql = "UPDATE Products SET Name = 'Card B' WHERE ProductID = 6";
    const { card } = await preview(c, sql);
    const decided = await c.call('decide_write', { approval: card.approval, approve: true });
    expect(decided.structuredContent).toEqual({ pendingWriteId: card.review.id, status: 'approved' });
    const again = await c.call('decide_write', { approval: card.approval, approve: true });
    expect(again.isError).toBe(true);
    expect(text(again)).toContain('already used');
    const committed = await c.call('execute_statement', { sql, pending_write_id: card.review.id });
    expect(committed.structuredContent).toMatchObject({ committed: true, rowsAffected: 1 });
    const check = await c.call('run_query', { sql: 'SELECT Name FROM Products WHERE ProductID = 6' });
    expect((check.structuredContent!.rows as string[][])[0]![0]).toBe('Card B');
    const audit = (await env.core.audit.query({ limit: 20 })).filter((e) => e.statement === sql);
    expect(audit.find((e) => e.tool === 'execute_statement' && e.outcome === 'ok')).toMatchObject({
      confirmedBy: 'bob@example.com',
      confirmedVia: 'app card',
    });
  });

  it('decline: nothing changes, and the commit call is told so', async () => {
    const c = await legacyClient('bob', true);
    const sql = "UPDATE Products SET Name = 'Never' WHERE ProductID = 7";
    const { card } = await preview(c, sql);
    await c.call('decide_write', { approval: card.approval, approve: false });
    const out = await c.call('execute_statement', { sql, pending_write_id: card.review.id });
    expect(out.structuredContent).toMatchObject({ committed: false });
    expect(text(out)).toContain('declined');
    const check = await c.call('run_query', { sql: 'SELECT Name FROM Products WHERE ProductID = 7' });
    expect((check.structuredContent!.rows as string[][])[0]![0]).not.toBe('Never');
  });

  it('a card approval is not a confirmation: sent as the request state of execute_statement, nothing runs (2026-07-28)', async () => {
    const c = await modernClient(true);
    const sql = "UPDATE Products SET Name = 'Smuggled' WHERE ProductID = 11";
    const first = await c.call('execute_statement', { sql });
    const card = first._meta?.[CARD] as { approval: string };
    expect(card.approval).toBeTruthy();
    const out = await c.call(
      'execute_statement',
      { sql },
      {
        requestState: card.approval,
        inputResponses: { confirm: { action: 'accept', content: { confirm: true } } },
      },
    );
    expect(out.isError).toBe(true);
    expect(text(out)).toContain("A write card's approval is spent by the card itself");
    const l = await legacyClient('bob', false);
    const check = await l.call('run_query', { sql: 'SELECT Name FROM Products WHERE ProductID = 11' });
    expect((check.structuredContent!.rows as string[][])[0]![0]).not.toBe('Smuggled');
  });

  it('refuses what the model could hold: the pending id alone, a made-up or altered approval', async () => {
    const c = await legacyClient('bob', true);
    const { card } = await preview(c, "UPDATE Products SET Name = 'Forged' WHERE ProductID = 8");
    for (const approval of [card.review.id, 'mcp.e30.AAAA', card.approval.slice(0, -4) + 'AAAA']) {
      const out = await c.call('decide_write', { approval, approve: true });
      expect(out.isError).toBe(true);
      expect(text(out)).toContain("not a write card's approval");
    }
  });
});

/**
 * The MCP App views in Debian's Chromium, inside a host built on ext-apps' AppBridge (e2e/apps-host/host.ts) whose
 * MCP client is a stock SDK client that declares the ui extension and no elicitation (as Claude.ai): the result
 * grid of a 1,000-row result (sort, filter, more rows, charts), the schema explorer, and the write card approving
 * and declining. Each view runs under the CSP its resource asks for (no network origin). Screenshots go to
 * test-results/screenshots/apps-*.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { getToolUiResourceUri, RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/app-bridge';
import { createLargeTable } from '@mssql-mcp-bridge/tds-test-server';
import { EXAMPLE_POLICY } from '../app/shared/example-policy.js';
import { startEnv, type Env } from '../test/support/harness.js';
import { signIn } from '../test/support/mcp-client.js';
import { REPO } from '../test/support/processes.js';
import { launchChromium } from './browser.js';

const SHOTS = path.join(REPO, 'test-results', 'screenshots');

let env: Env;
let client: Client;
let browser: Browser;
let page: Page;
let tools: Map<string, { _meta?: Record<string, unknown> }>;
let views = 0;

interface ToolOut {
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, unknown>;
  _meta?: Record<string, unknown>;
  isError?: boolean;
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  env = await startEnv({
    sql: { allow_writes: true, row_limit: 2000 },
    config: { policy: EXAMPLE_POLICY },
  });
  await createLargeTable(env.sql!, 'Sales', 3000);
  const { tokens } = await signIn(env, { user: 'bob', scope: 'mcp:tools mssql:write' });
  // A host as Claude.ai is one: it renders MCP Apps and declares no elicitation.
  client = new Client(
    { name: 'apps-test-host', version: '1' },
    { capabilities: { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: [RESOURCE_MIME_TYPE] } } } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(env.core.urls().mcp), {
      requestInit: { headers: { authorization: `Bearer ${tokens.access_token}` } },
    }),
  );
  tools = new Map((await client.listTools()).tools.map((t) => [t.name, t]));
  const host = await build({
    entryPoints: [path.join(REPO, 'e2e', 'apps-host', 'host.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'warning',
  });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1000, height: 600 } })).newPage();
  await page.exposeFunction('hostCallTool', (name: string, args: Record<string, unknown>) =>
    client.callTool({ name, arguments: args }),
  );
  await page.exposeFunction('hostReadResource', (uri: string) => client.readResource({ uri }));
  await page.setContent(
    `<!doctype html><html><body><script>${host.outputFiles[0]!.text}</script></body></html>`,
  );
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await client?.close();
  await env?.close();
});

/** As a host does it: call the tool, read the view its listing names, render it with the input and result. */
async function show(
  name: string,
  input: Record<string, unknown>,
): Promise<{ frame: FrameLocator; out: ToolOut }> {
  const out = (await client.callTool({ name, arguments: input })) as ToolOut;
  const uri = getToolUiResourceUri(tools.get(name)!)!;
  const read = await client.readResource({ uri });
  const content = read.contents[0] as { text: string; _meta?: { ui?: { csp?: Record<string, string[]> } } };
  const id = `view-${++views}`;
  await page.evaluate(
    // Runs in the page, where the host script defined renderView.
    (o) => (globalThis as unknown as { renderView(x: typeof o): Promise<void> }).renderView(o),
    { id, html: content.text, csp: content._meta?.ui?.csp ?? {}, input, result: out },
  );
  return { frame: page.frameLocator(`#${id}`), out };
}

const shot = (name: string, id = `#view-${views}`) =>
  page.locator(id).screenshot({ path: path.join(SHOTS, `apps-${name}.png`) });

describe('the result grid', () => {
  it('shows a 1,000-row result, rendering only the rows in view; sorts, filters, fetches more and charts', async () => {
    const sql = 'SELECT EventID, Kind, Amount FROM Events ORDER BY EventID';
    const { frame } = await show('run_query', { sql, maxRows: 1000 });
    await expect
      .poll(() => frame.getByTestId('row-count').textContent())
      .toBe('1,000 rows of more (truncated)');
    // Column names with their SQL types.
    await expect.poll(() => frame.locator('th').first().textContent()).toContain('EventID');
    expect(await frame.locator('th').first().textContent()).toContain('bigint');
    expect(await frame.locator('tr[data-row]').count()).toBeLessThan(40);
    await shot('results-grid');

    // Sort: EventID descending on the second click.
    await frame.locator('th').first().click();
    await frame.locator('th').first().click();
    await expect.poll(() => frame.locator('tr[data-row="0"] td').first().textContent()).toBe('1000');

    // Filter on a text cell.
    await frame.getByLabel('Filter rows').fill('refund');
    await expect
      .poll(() => frame.locator('.bar .meta').last().textContent())
      .toMatch(/^250 match the filter$/);
    await frame.getByLabel('Filter rows').fill('');

    // More rows through the app-only fetch_rows.
    await frame.getByRole('button', { name: 'Load 500 more' }).click();
    await expect
      .poll(() => frame.getByTestId('row-count').textContent())
      .toBe('1,500 rows of more (truncated)');

    // Scrolling far down renders the rows there, not all of them.
    await frame.getByRole('region', { name: 'Result rows' }).evaluate((el) => (el.scrollTop = 25 * 1200));
    await expect.poll(() => frame.locator('tr[data-row="1200"]').count()).toBe(1);
    expect(await frame.locator('tr[data-row]').count()).toBeLessThan(40);

    await frame.getByRole('button', { name: 'Bar chart' }).click();
    await expect.poll(() => frame.getByTestId('bar').count()).toBeGreaterThan(10);
    await shot('results-bar-chart');
    await frame.getByRole('button', { name: 'Line chart' }).click();
    // EventID is a key, not a measure: one line, Amount over Kind.
    await expect.poll(() => frame.getByTestId('line').count()).toBe(1);
    await shot('results-line-chart');
  });

  it('a grouped result charts its categories; NULL reads as NULL', async () => {
    const { frame } = await show('run_query', {
      sql: 'SELECT Kind, COUNT(*) AS Events, SUM(Amount) AS Total, NULL AS Note FROM Events GROUP BY Kind ORDER BY Kind',
    });
    await expect.poll(() => frame.getByTestId('row-count').textContent()).toBe('4 rows');
    expect(await frame.locator('td.null').first().textContent()).toBe('NULL');
    await frame.getByRole('button', { name: 'Bar chart' }).click();
    // Four kinds, two numeric columns.
    await expect.poll(() => frame.getByTestId('bar').count()).toBe(8);
    await shot('results-grouped-chart');
  });
});

describe('the schema explorer', () => {
  it('opens from list_tables, shows a table with its keys, and follows a relationship', async () => {
    const { frame } = await show('list_tables', {});
    await frame.getByRole('button', { name: 'dbo.Orders', exact: true }).click();
    const detail = frame.getByRole('region', { name: 'dbo.Orders' });
    await expect.poll(() => detail.locator('tbody tr').count()).toBeGreaterThan(2);
    expect(await detail.textContent()).toContain('References');
    await shot('schema-orders');
    await detail.getByRole('button', { name: 'dbo.Customers' }).click();
    await expect.poll(() => frame.getByRole('region', { name: 'dbo.Customers' }).count()).toBe(1);
    // The databases the person may read, asked for by the view.
    await expect
      .poll(() => frame.getByRole('navigation', { name: 'Databases' }).textContent())
      .toContain('Sales');
  });
});

describe('the write card', () => {
  const name = async (id: number) =>
    (
      (
        await client.callTool({
          name: 'run_query',
          arguments: { sql: `SELECT Name FROM Products WHERE ProductID = ${id}` },
        })
      ).structuredContent as { rows: string[][] }
    ).rows[0]![0];

  it('shows the change as every channel does; Approve commits it once', async () => {
    const sql = "UPDATE Products SET Name = 'Card approved' WHERE ProductID = 9";
    const { frame, out } = await show('execute_statement', { sql });
    expect(out.structuredContent).toMatchObject({ committed: false });
    const card = frame.getByRole('dialog', { name: 'Change waiting for your approval' });
    await expect.poll(() => card.getByTestId('preview').textContent()).toContain('1 row affected');
    expect(await card.textContent()).toContain('database user bob');
    await shot('write-card');
    await card.getByRole('button', { name: 'Approve and commit' }).click();
    await expect.poll(() => card.getByTestId('outcome').textContent()).toBe('Committed: 1 row affected.');
    expect(await name(9)).toBe('Card approved');
    await shot('write-card-committed');
    // The model is told through the host's model context.
    const told = await page.evaluate(
      () => (globalThis as unknown as { modelContext: unknown[] }).modelContext,
    );
    expect(JSON.stringify(told)).toContain('committed');
  });

  it('Decline changes nothing', async () => {
    const before = await name(10);
    const { frame } = await show('execute_statement', {
      sql: "UPDATE Products SET Name = 'Declined' WHERE ProductID = 10",
    });
    const card = frame.getByRole('dialog', { name: 'Change waiting for your approval' });
    await card.getByRole('button', { name: 'Decline' }).click();
    await expect.poll(() => card.getByTestId('outcome').textContent()).toBe('Declined: nothing changed.');
    expect(await name(10)).toBe(before);
  });
});

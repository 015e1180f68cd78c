/**
 * A write confirmed where the person is, through clients that declare no elicitation, each answered in Debian's
 * Chromium with a screenshot of what the person sees:
 * 1. a stdio client (as Claude Desktop) → `connect` → the running app (`serve --ui`): the "Waiting for you" panel;
 * 2. the same with no app on the connector's data directory → the connector's own page in the browser;
 * 3. an HTTP SDK client (as Claude.ai) → the approval link on the bridge, signed in as the same person.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// Claude Desktop speaks the 2025 protocol (initialize, a session): the v1 SDK client does too.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestIdp, type TestIdp } from '@mssql-mcp-bridge/demo-idp';
import {
  grantImpersonation,
  sampleDatabase,
  SAMPLE_LOGINS,
  startTdsServer,
  type TdsServer,
} from '@mssql-mcp-bridge/tds-test-server';
import { EXAMPLE_POLICY } from '../app/shared/example-policy.js';
import { freePort } from '../test/support/harness.js';
import { REPO, removeSecrets, spawnCli, waitFor } from '../test/support/processes.js';
import { connectWithOAuth, TestSdkOAuthProvider } from '../test/support/sdk-oauth-provider.js';
import { launchChromium, signInWithBrowser } from './browser.js';

const SHOTS = path.join(REPO, 'test-results', 'screenshots');
const UPSTREAM = { client_id: 'bridge-writes', client_secret: 'writes-upstream-secret' };
const svc = SAMPLE_LOGINS.find((l) => l.name === 'bridge_svc')!;

let idp: TestIdp;
let sql: TdsServer;
let child: ReturnType<typeof spawnCli>;
let browser: Browser;
let ui: { context: BrowserContext; page: Page };
let dataDir: string;
let home: string;
let configFile: string;
let mcpUrl: string;
let uiUrl: string;
const service = `mssql-mcp-bridge-test-${crypto.randomUUID()}`;
const running: Array<() => Promise<void>> = [];

beforeAll(async () => {
  const port = await freePort();
  idp = await startTestIdp({
    clients: [{ ...UPSTREAM, redirect_uris: [`http://127.0.0.1:${port}/idp/callback`] }],
  });
  sql = await startTdsServer({ logins: SAMPLE_LOGINS, databases: [sampleDatabase()] });
  await grantImpersonation(sql, 'bridge_svc', ['alice', 'bob']);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-writes-'));
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'connector-home-'));
  configFile = path.join(dataDir, 'config.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      secrets: { service },
      idp: {
        active: 'demo',
        profiles: [
          { id: 'demo', issuer: idp.issuer, scopes: ['openid', 'profile', 'email', 'groups'], ...UPSTREAM },
        ],
      },
      sql: {
        profiles: [
          {
            id: 'sample',
            host: '127.0.0.1',
            port: sql.port,
            database: 'Sales',
            auth: { type: 'sql', user: svc.name, password: svc.password },
            encrypt: false,
            allow_writes: true,
          },
        ],
      },
      policy: EXAMPLE_POLICY,
    }),
  );
  child = spawnCli(['serve', '--ui', '--port', String(port), '--data-dir', dataDir, '--config', configFile]);
  await waitFor(
    () => child.output().includes('Press Ctrl+C to stop.'),
    () => child.output(),
    30_000,
  );
  uiUrl = /Desktop UI[^:]*:\s+(\S+)/.exec(child.output())![1]!;
  mcpUrl = `http://127.0.0.1:${port}/mcp`;
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(15_000);
  ui = { context, page: await context.newPage() };
  await ui.page.goto(uiUrl);
}, 90_000);

afterEach(async () => {
  for (const stop of running.splice(0)) await stop();
});

afterAll(async () => {
  await browser?.close();
  child?.kill('SIGKILL');
  await idp?.stop();
  await sql?.stop();
  await removeSecrets(service);
  for (const d of [dataDir, home]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

/** A Claude-Desktop-like stdio client (no elicitation) running `connect` on a data directory. */
async function stdioClient(connectorDataDir: string) {
  let err = '';
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      '--import',
      import.meta.resolve('tsx'),
      path.join(REPO, 'app/main/cli.ts'),
      'connect',
      '--url',
      mcpUrl,
      '--config',
      configFile,
    ],
    cwd: os.tmpdir(),
    env: {
      ...(process.env as Record<string, string>),
      HOME: home,
      BROWSER: 'true',
      MSSQL_MCP_DATA_DIR: connectorDataDir,
    },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const client = new Client({ name: 'claude-desktop-like', version: '1' }, { capabilities: {} });
  running.push(() => client.close().catch(() => undefined));
  const connected = client.connect(transport);
  // The first connector signs in through the browser (as bob); later ones find the tokens in the keychain.
  const signIn = /Sign in to MSSQL MCP Bridge: (\S+)/;
  await Promise.race([
    connected,
    waitFor(
      () => signIn.test(err),
      () => `the connector to start: ${err}`,
      60_000,
    ).then(async () => {
      const url = new URL(signIn.exec(err)![1]!);
      await signInWithBrowser(browser, url.href, {
        user: 'bob',
        password: 'bob-pass',
        callbackPrefix: url.searchParams.get('redirect_uri')!,
      });
    }),
  ]);
  await connected;
  return { client, stderr: () => err };
}

type ToolOut = {
  content: Array<{ text?: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
};
const productName = async (client: Client, id: number) =>
  (
    (
      await client.callTool({
        name: 'run_query',
        arguments: { sql: `SELECT Name FROM Products WHERE ProductID = ${id}` },
      })
    ).structuredContent as { rows: string[][] }
  ).rows[0]![0];
const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

describe('writes confirmed through clients without elicitation', () => {
  it(
    '(1) Claude Desktop-like client → connect → the app: the Waiting for you panel approves, then declines',
    { timeout: 120_000 },
    async () => {
      const { client } = await stdioClient(dataDir);
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('execute_statement');
      const sqlText = "UPDATE Products SET Name = 'Approved in the app' WHERE ProductID = 11";
      const call = client.callTool({ name: 'execute_statement', arguments: { sql: sqlText } });
      const card = ui.page.locator('[data-testid="write-card"]').first();
      await card.waitFor();
      expect(await card.innerText()).toContain(sqlText);
      expect(await ui.page.locator('[data-testid="waiting-count"]').innerText()).toBe('1');
      await shot(ui.page, 'write-app-waiting');
      await card.locator('button:has-text("Approve")').click();
      const done = (await call) as ToolOut;
      expect(done.structuredContent).toMatchObject({ committed: true, rowsAffected: 1 });
      expect(await productName(client, 11)).toBe('Approved in the app');
      await expect.poll(() => ui.page.locator('[data-testid="write-card"]').count()).toBe(0);

      const declined = client.callTool({
        name: 'execute_statement',
        arguments: { sql: "UPDATE Products SET Name = 'Declined in the app' WHERE ProductID = 12" },
      });
      await ui.page.locator('[data-testid="write-card"] button:has-text("Decline")').click();
      expect(((await declined) as ToolOut).structuredContent).toMatchObject({ committed: false });
      expect(await productName(client, 12)).not.toBe('Declined in the app');
      // The Inspector's audit names who confirmed and where.
      await ui.page.click('nav button:has-text("Inspector")');
      await expect.poll(() => ui.page.locator('main').innerText()).toContain('desktop app');
    },
  );

  it(
    '(2) the same with no app running → the connector opens its own page; approve commits, decline does not',
    { timeout: 120_000 },
    async () => {
      const noApp = fs.mkdtempSync(path.join(home, 'no-app-'));
      const { client, stderr } = await stdioClient(noApp);
      const page = await (await browser.newContext()).newPage();
      running.push(() => page.context().close());
      const LINK = /A change waits for your approval[^:]*: (\S+)/g;
      const answer = async (sqlText: string, button: 'Approve' | 'Decline', screenshot?: string) => {
        const seen = [...stderr().matchAll(LINK)].length;
        const call = client.callTool({ name: 'execute_statement', arguments: { sql: sqlText } });
        await waitFor(
          () => [...stderr().matchAll(LINK)].length > seen,
          () => stderr(),
          30_000,
        );
        await page.goto([...stderr().matchAll(LINK)].at(-1)![1]!);
        expect(await page.locator('pre').innerText()).toBe(sqlText);
        if (screenshot) await shot(page, screenshot);
        await page.click(`button:has-text("${button}")`);
        await page.locator('h1').waitFor();
        return (await call) as ToolOut;
      };
      const approved = await answer(
        "UPDATE Products SET Name = 'Approved on the page' WHERE ProductID = 13",
        'Approve',
        'write-connector-page',
      );
      expect(approved.structuredContent).toMatchObject({ committed: true });
      expect(await productName(client, 13)).toBe('Approved on the page');
      const declined = await answer("UPDATE Products SET Name = 'Never' WHERE ProductID = 14", 'Decline');
      expect(declined.structuredContent).toMatchObject({ committed: false });
      expect(await productName(client, 14)).not.toBe('Never');
    },
  );

  it(
    '(3) an HTTP client without elicitation (as Claude.ai) → approval link → approved in the browser → committed',
    { timeout: 120_000 },
    async () => {
      const provider = new TestSdkOAuthProvider({
        redirectUrl: 'http://127.0.0.1:53999/oauth/callback',
        user: 'bob',
      });
      const client = await connectWithOAuth(mcpUrl, provider);
      running.push(() => client.close());
      const sqlText = "UPDATE Products SET Name = 'Approved at the link' WHERE ProductID = 15";
      const first = (await client.callTool({
        name: 'execute_statement',
        arguments: { sql: sqlText },
      })) as ToolOut;
      const { approvalUrl, pendingWriteId } = first.structuredContent as {
        approvalUrl: string;
        pendingWriteId: string;
      };
      const page = await (await browser.newContext()).newPage();
      running.push(() => page.context().close());
      await page.goto(approvalUrl);
      await shot(page, 'write-approval-sign-in');
      await page.click('a:has-text("Sign in to review")');
      await page.fill('input[name="login"]', 'bob');
      await page.fill('input[name="password"]', 'bob-pass');
      await Promise.all([
        page.waitForURL((u) => u.pathname === `/writes/${pendingWriteId}`),
        page.click('button[type="submit"]'),
      ]);
      expect(await page.locator('pre').innerText()).toBe(sqlText);
      await shot(page, 'write-approval-page');
      await page.click('button:has-text("Approve")');
      await page.locator('text=You approved this change').waitFor();
      const second = (await client.callTool({
        name: 'execute_statement',
        arguments: { sql: sqlText, pending_write_id: pendingWriteId },
      })) as ToolOut;
      expect(second.structuredContent).toMatchObject({ committed: true, rowsAffected: 1 });
    },
  );
});

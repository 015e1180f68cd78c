/**
 * `mssql-mcp-bridge connect`, the bridge's own stdio connector, driven the way Claude Desktop drives a local
 * server: the MCP SDK's stdio client starts it as a child process. Headless Chromium plays the person signing
 * in at the test IdP when the connector opens its browser step.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KeytarSecretStore, SecretAccounts } from '../app/main/secrets/secret-store.js';
import { freePort, startEnv, type Env } from '../test/support/harness.js';
import { REPO, spawnCli, waitFor } from '../test/support/processes.js';
import { launchChromium, signInWithBrowser } from './browser.js';

let env: Env;
let browser: Browser;
let home: string;
let configFile: string;
const running: Array<{ close: () => Promise<void> }> = [];

beforeAll(async () => {
  env = await startEnv({ sql: {} });
  browser = await launchChromium();
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'connector-home-'));
  configFile = path.join(home, 'bridge.json');
  fs.writeFileSync(configFile, JSON.stringify({ secrets: { service: env.service } }));
}, 60_000);
afterEach(async () => {
  for (const c of running.splice(0)) await c.close();
});
afterAll(async () => {
  await browser?.close();
  await env?.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

interface Connected {
  client: Client;
  stderr: () => string;
  close: () => Promise<void>;
}

/** Starts `connect` over stdio, as Claude Desktop would; `connected` resolves once MCP is initialized. */
function startConnector(
  mcpUrl: string,
  entry: { command: string; args: string[]; env?: Record<string, string> } = {
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
  },
): { connected: Promise<Connected>; stderr: () => string } {
  let err = '';
  const transport = new StdioClientTransport({
    command: entry.command,
    args: entry.args,
    // Claude Desktop starts servers from a directory of its own: nothing may depend on this checkout's.
    cwd: os.tmpdir(),
    // BROWSER=true: the connector "opens" the sign-in page with a no-op; the test's Chromium does the browsing.
    env: {
      ...(process.env as Record<string, string>),
      ...entry.env,
      HOME: home,
      BROWSER: 'true',
      MSSQL_MCP_DATA_DIR: path.join(home, 'data'),
    },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const client = new Client({ name: 'claude-desktop-like', version: '1' });
  const close = () => client.close().catch(() => undefined);
  running.push({ close });
  const connected = client.connect(transport).then(() => ({ client, stderr: () => err, close }));
  return { connected, stderr: () => err };
}

const SIGN_IN = /Sign in to MSSQL MCP Bridge: (\S+)/;

/** The person signs in at the page the connector opened (as alice), landing on its loopback callback. */
async function signIn(stderr: () => string): Promise<URL> {
  await waitFor(
    () => SIGN_IN.test(stderr()),
    () => `the connector to ask for sign-in; it wrote: ${stderr()}`,
    60_000,
  );
  const url = new URL(SIGN_IN.exec(stderr())![1]!);
  const redirect = url.searchParams.get('redirect_uri')!;
  await signInWithBrowser(browser, url.href, {
    user: 'alice',
    password: 'alice-pass',
    callbackPrefix: redirect,
  });
  return url;
}

const text = (result: unknown) =>
  ((result as { content: Array<{ type: string; text?: string }> }).content[0]?.text ?? '') as string;

async function keychainTokens(): Promise<{ access_token: string; refresh_token?: string } | undefined> {
  const store = await KeytarSecretStore.open(env.service);
  const raw = await store.get(SecretAccounts.connectorTokens(new URL(env.core.urls().mcp).origin));
  return raw ? (JSON.parse(raw) as { access_token: string; refresh_token?: string }) : undefined;
}

describe("connect: the bridge's own stdio connector", () => {
  it(
    'signs in once through the browser, keeps its tokens only in the keychain, and forwards MCP',
    { timeout: 120_000 },
    async () => {
      const first = startConnector(env.core.urls().mcp);
      const url = await signIn(first.stderr);
      expect(url.searchParams.get('client_id')).toBe('claude-desktop');
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      expect(url.searchParams.get('resource')).toBe(env.core.urls().mcp);
      const { client } = await first.connected;

      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name)).toContain('run_query');
      const call = await client.callTool({
        name: 'run_query',
        arguments: { sql: 'SELECT COUNT(*) AS n FROM Customers' },
      });
      expect((call.structuredContent as { rows: unknown[][] }).rows).toEqual([[1000]]);

      // The tokens are in the keychain, and in no file: not under the home directory, not in the data directory.
      const stored = await keychainTokens();
      expect(stored?.access_token).toBeTruthy();
      expect(stored?.refresh_token).toBeTruthy();
      for (const file of fs.readdirSync(home, { recursive: true, withFileTypes: true })) {
        if (!file.isFile()) continue;
        const content = fs.readFileSync(path.join(file.parentPath, file.name), 'utf8');
        expect(content).not.toContain(stored!.access_token);
        expect(content).not.toContain(stored!.refresh_token!);
      }
      expect(first.stderr()).not.toContain(stored!.access_token);

      // A second connector process (Claude Desktop starts each server twice) uses that sign-in: no browser step.
      const second = startConnector(env.core.urls().mcp);
      const { client: client2 } = await second.connected;
      expect((await client2.listTools()).tools.length).toBeGreaterThan(0);
      expect(second.stderr()).not.toMatch(SIGN_IN);
    },
  );

  it('refreshes with the stored refresh token when the access token stops working, without a browser', async () => {
    const before = await keychainTokens();
    expect(before, 'the first test signs in').toBeDefined();
    // The access token in the keychain no longer works (as after expiry); the refresh token still does.
    const store = await KeytarSecretStore.open(env.service);
    await store.set(
      SecretAccounts.connectorTokens(new URL(env.core.urls().mcp).origin),
      JSON.stringify({ ...before, access_token: 'expired-or-revoked' }),
    );
    const c = startConnector(env.core.urls().mcp);
    const { client } = await c.connected;
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    expect(c.stderr()).not.toMatch(SIGN_IN);
    const after = await keychainTokens();
    expect(after!.access_token).not.toBe('expired-or-revoked');
    expect(after!.refresh_token, 'rotated').not.toBe(before!.refresh_token);
  });

  it('survives the bridge stopping and restarting: a tool error naming the fix, then the same session works', async () => {
    const c = startConnector(env.core.urls().mcp);
    const { client } = await c.connected;
    let toolsChanged = false;
    client.setNotificationHandler('notifications/tools/list_changed', () => {
      toolsChanged = true;
    });
    await env.core.stop();
    const down = await client.callTool({ name: 'run_query', arguments: { sql: 'SELECT 1 AS one' } });
    expect(down.isError).toBe(true);
    expect(text(down)).toMatch(
      /not running at http:\/\/127\.0\.0\.1:\d+\. Start MSSQL MCP Bridge from the tray/,
    );

    await env.restart();
    const up = await client.callTool({ name: 'run_query', arguments: { sql: 'SELECT 1 AS one' } });
    expect(up.isError).toBeFalsy();
    expect((up.structuredContent as { rows: unknown[][] }).rows).toEqual([[1]]);
    await waitFor(() => toolsChanged, 'tools/list_changed after reconnecting');
    expect(c.stderr()).not.toMatch(SIGN_IN);
  });

  it('install claude-desktop writes an entry that starts this connector from anywhere, signed in already', async () => {
    const file = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ mcpServers: { other: { command: 'other-server' } } }));
    const install = spawnCli(
      [
        'install',
        'claude-desktop',
        '--url',
        env.core.urls().mcp,
        '--config',
        configFile,
        '--data-dir',
        env.dataDir,
      ],
      { ...process.env, HOME: home, XDG_CONFIG_HOME: '' },
    );
    const code = await new Promise((resolve) => install.on('exit', resolve));
    expect(code, install.output()).toBe(0);
    expect(install.output()).toContain(`Added MSSQL MCP Bridge to ${file}`);
    const servers = (JSON.parse(fs.readFileSync(file, 'utf8')) as { mcpServers: Record<string, never> })
      .mcpServers;
    expect(servers.other).toEqual({ command: 'other-server' });
    // The app's data directory (not the default) is in the entry: the connector finds the app's sign-in there.
    const entry = servers['mssql-mcp-bridge'] as unknown as { args: string[] };
    expect(entry.args.slice(entry.args.indexOf('--data-dir'), entry.args.indexOf('--data-dir') + 2)).toEqual([
      '--data-dir',
      env.dataDir,
    ]);
    const c = startConnector(env.core.urls().mcp, servers['mssql-mcp-bridge']);
    const { client } = await c.connected;
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('run_query');
    expect(c.stderr()).not.toMatch(SIGN_IN);
  });

  it('starts with no bridge running: initializes, lists the status tool, and says what to do', async () => {
    const c = startConnector(`http://127.0.0.1:${await freePort()}/mcp`);
    const { client } = await c.connected;
    expect(client.getInstructions()).toMatch(/not running at .*Start MSSQL MCP Bridge from the tray/);
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toEqual(['bridge_status']);
    const call = await client.callTool({ name: 'bridge_status', arguments: {} });
    expect(call.isError).toBe(true);
    expect(text(call)).toMatch(
      /Start MSSQL MCP Bridge from the tray \(or run `mssql-mcp-bridge serve`\), then retry/,
    );
  });
});

/**
 * The README's run command: `demo --ui` as a child process. Everything it prints must work: the metadata URL,
 * the desktop UI link (with its token), the Claude Desktop snippet, and the demo login signing in and querying
 * the sample database through the bridge.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlHttpClient } from '../app/shared/control/http-client.js';
import { freePort } from '../test/support/harness.js';
import { mcpClient } from '../test/support/mcp-client.js';
import { spawnCli, waitFor } from '../test/support/processes.js';
import { connectWithOAuth, TestSdkOAuthProvider } from '../test/support/sdk-oauth-provider.js';
import { UserAgent } from '../test/support/user-agent.js';

let child: ReturnType<typeof spawnCli>;
let dataDir: string;
let out = '';
const printed = (label: string) => new RegExp(`${label}:?\\s+(\\S+)`).exec(out)?.[1] ?? '';

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-demo-'));
  child = spawnCli(['demo', '--ui', '--port', String(await freePort()), '--data-dir', dataDir]);
  await waitFor(() => child.output().includes('Press Ctrl+C to stop.'), 'the demo to start', 60_000);
  out = child.output();
}, 90_000);
afterAll(() => {
  child?.kill('SIGTERM');
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run demo -- --ui', () => {
  it('opens on its URLs with no warning above them (runtime, storage)', () => {
    expect(out.slice(0, out.indexOf('MSSQL MCP Bridge demo is running'))).not.toMatch(/warn/i);
    expect(out).not.toMatch(/WARNING|unsupported/i);
  });

  it('prints working URLs, a Claude Desktop snippet for its MCP URL, and a UI link that carries its token', async () => {
    const mcp = printed('MCP endpoint');
    const meta = (await (await fetch(printed('AS metadata'))).json()) as {
      issuer: string;
      client_id_metadata_document_supported: boolean;
      token_endpoint_auth_methods_supported: string[];
    };
    expect(meta.issuer).toBe(printed('Authorization server'));
    // Client metadata documents are on (Claude.ai and VS Code use them only when this says so and lists "none").
    expect(meta.client_id_metadata_document_supported).toBe(true);
    expect(meta.token_endpoint_auth_methods_supported).toContain('none');
    expect(out).toMatch(/Client registration: .*client metadata documents from claude\.ai, vscode\.dev/);
    const between = (from: string, to: string) =>
      JSON.parse(out.slice(out.indexOf(from) + from.length, out.indexOf(to, out.indexOf(from)))) as {
        mcpServers: { 'mssql-mcp-bridge': { command: string; args: string[] } };
      };
    // The bridge's own connector first, mcp-remote as the fallback.
    const connector = between('It adds:', 'Fallback');
    expect(connector.mcpServers['mssql-mcp-bridge'].args).toEqual(
      expect.arrayContaining(['connect', '--url', mcp]),
    );
    expect(path.isAbsolute(connector.mcpServers['mssql-mcp-bridge'].command)).toBe(true);
    // The demo's data directory is not the default: the entry and the install command name it, so the
    // connector finds the app's sign-in there instead of opening the browser.
    expect(printed('Data directory')).toBe(dataDir);
    expect(connector.mcpServers['mssql-mcp-bridge'].args.slice(-2)).toEqual(['--data-dir', dataDir]);
    expect(out).toContain(`npm run connector:install -- --url ${mcp} --data-dir ${dataDir}`);
    const snippet = between('Fallback, through mcp-remote:', 'Press Ctrl+C');
    expect(snippet.mcpServers['mssql-mcp-bridge'].args).toEqual(expect.arrayContaining(['mcp-remote', mcp]));

    const ui = new URL(printed('Desktop UI'));
    expect((await fetch(ui)).status).toBe(200);
    const token = new URLSearchParams(ui.hash.slice(1)).get('token')!;
    const status = await controlHttpClient(ui.origin, token).request('status.get', {});
    expect(status).toMatchObject({ mcpUrl: mcp, activeIdp: 'demo', problems: [] });
  });

  it('the printed demo login signs in and queries the sample database as that user', async () => {
    const mcp = printed('MCP endpoint');
    const origin = new URL(mcp).origin;
    const [user, password] = /Demo logins:\s+(\w+) \/ (\S+?),/.exec(out)!.slice(1) as [string, string];
    const config = await oidc.discovery(new URL(`${origin}/`), 'claude-desktop', undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const redirect = 'http://127.0.0.1:53999/oauth/callback';
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirect,
      scope: 'mcp:tools',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      resource: mcp,
    });
    const landed = await new UserAgent().browse(url.href, { stopAt: redirect, login: { user, password } });
    expect(landed.kind).toBe('redirected');
    const tokens = await oidc.authorizationCodeGrant(
      config,
      (landed as { url: URL }).url,
      { pkceCodeVerifier: verifier },
      { resource: mcp },
    );
    const client = await mcpClient(mcp, tokens.access_token);
    const who = (await client.callTool({ name: 'whoami', arguments: {} })) as unknown as {
      structuredContent: { databaseUser: string };
    };
    expect(who.structuredContent.databaseUser).toBe(user);
    const r = (await client.callTool({
      name: 'run_query',
      arguments: { sql: 'SELECT COUNT(*) AS n FROM Customers' },
    })) as unknown as {
      structuredContent: { rows: unknown[][] };
    };
    expect(r.structuredContent.rows).toEqual([[1000]]);
    // The demo's configured read: typed parameters, the fixed statement.
    const orders = (await client.callTool({
      name: 'customer_orders',
      arguments: { customer_id: 7, from: '2000-01-01', to: '2100-01-01' },
    })) as unknown as {
      isError?: boolean;
      structuredContent: { columns: Array<{ name: string }>; rowCount: number };
    };
    expect(orders.isError ?? false).toBe(false);
    expect(orders.structuredContent.columns.map((c) => c.name)).toEqual(['OrderID', 'OrderDate', 'Status']);
    expect(orders.structuredContent.rowCount).toBeGreaterThan(0);
    await client.close();
  });

  it('bob, signing in once with a stock SDK client, may write: each write waits for his approval', async () => {
    const mcp = printed('MCP endpoint');
    expect(out).toMatch(/dba \(bob\) reads all and writes/);
    const provider = new TestSdkOAuthProvider({
      redirectUrl: 'http://127.0.0.1:53998/oauth/callback',
      user: 'bob',
    });
    const client = await connectWithOAuth(mcp, provider);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'execute_statement',
        'customer_orders',
        'customer_summary',
        'set_order_status',
      ]),
    );
    // The demo's configured write waits for the person like execute_statement.
    const status = (await client.callTool({
      name: 'set_order_status',
      arguments: { order_id: 3, status: 'Shipped' },
    })) as unknown as { structuredContent: { committed: boolean; approvalUrl: string } };
    expect(status.structuredContent.committed).toBe(false);
    expect(status.structuredContent.approvalUrl).toMatch(/\/writes\/[0-9a-f-]{36}$/);
    const r = (await client.callTool({
      name: 'execute_statement',
      arguments: { sql: "UPDATE Products SET Name = 'Demo write' WHERE ProductID = 1" },
    })) as unknown as { structuredContent: { committed: boolean; approvalUrl: string } };
    expect(r.structuredContent.committed).toBe(false);
    expect(r.structuredContent.approvalUrl).toMatch(/\/writes\/[0-9a-f-]{36}$/);
    await client.close();
  });
});

/**
 * The MCP Inspector (@modelcontextprotocol/inspector 2.x) in CLI mode with a bearer token obtained by the real
 * flow: its pre-registered client `mcp-inspector`, PKCE, the browser step in headless Chromium through the test
 * IdP's login form, landing on a loopback callback like the Inspector's own. It runs on the tests' Node (24).
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnv, type Env } from '../test/support/harness.js';
import { discoverBridge, postInitialize } from '../test/support/mcp-client.js';
import { REPO } from '../test/support/processes.js';
import { codeFlowInChromium, launchChromium } from './browser.js';

const INSPECTOR = path.join(
  REPO,
  'node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js',
);

let env: Env;
let browser: Browser;
let callback: http.Server;
beforeAll(async () => {
  env = await startEnv({ sql: {} });
  browser = await launchChromium();
  // The Inspector's browser client listens on http://localhost:6274/oauth/callback; any loopback port is accepted.
  callback = http.createServer((_req, res) => res.end('signed in; you can close this tab'));
  await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
}, 60_000);
afterAll(async () => {
  callback?.close();
  await browser?.close();
  await env?.close();
});

/** Runs the Inspector CLI; resolves with its exit code and output. */
function inspector(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    // BROWSER=echo: should it ever try to open a browser, it only prints the URL.
    const child = spawn(process.execPath, [INSPECTOR, '--cli', ...args], {
      env: {
        ...process.env,
        BROWSER: 'echo',
        MCP_CATALOG_PATH: path.join(env.dataDir, 'inspector-catalog.json'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

describe('MCP Inspector CLI', () => {
  it('lists tools and calls one with the bearer token from a real sign-in', async () => {
    const mcpUrl = env.core.urls().mcp;
    const redirectUri = `http://localhost:${(callback.address() as AddressInfo).port}/oauth/callback`;
    const config = await discoverBridge(env, 'mcp-inspector');
    const tokens = await codeFlowInChromium(browser, config, {
      redirectUri,
      resource: mcpUrl,
      user: 'alice',
    });
    const header = `Authorization: Bearer ${tokens.access_token}`;

    const list = await inspector([
      mcpUrl,
      '--transport',
      'http',
      '--method',
      'tools/list',
      '--header',
      header,
    ]);
    expect(list.code, list.err).toBe(0);
    const tools = (JSON.parse(list.out) as { tools: Array<{ name: string }> }).tools.map((t) => t.name);
    expect(tools).toEqual(expect.arrayContaining(['whoami', 'list_tables', 'run_query']));

    // One run_query call; `era` adds the Inspector's protocol negotiation flags.
    const countCustomers = (era: string[] = []) =>
      inspector([
        mcpUrl,
        '--transport',
        'http',
        ...era,
        '--method',
        'tools/call',
        '--tool-name',
        'run_query',
        '--tool-arg',
        'sql=SELECT COUNT(*) AS n FROM Customers',
        '--header',
        header,
      ]);
    const call = await countCustomers();
    expect(call.code, call.err).toBe(0);
    expect(JSON.parse(call.out)).toMatchObject({ structuredContent: { rows: [[1000]] } });

    // The same call negotiating protocol 2026-07-28 (stateless lane): the CSV text under its header line.
    const modern = await countCustomers(['--protocol-era', 'auto']);
    expect(modern.code, modern.err).toBe(0);
    const modernOut = JSON.parse(modern.out) as { content: Array<{ text: string }> };
    expect(modernOut.content[0]!.text).toBe('# 1 row from Sales · columns: n int\nn\n1000');
    expect(
      (await env.core.audit.query({ limit: 5 })).some(
        (e) => e.tool === 'run_query' && e.clientId === 'mcp-inspector',
      ),
    ).toBe(true);

    // The same token, revoked, is refused.
    await oidc.tokenRevocation(config, tokens.access_token!);
    expect((await postInitialize(mcpUrl, tokens.access_token!)).status).toBe(401);
  }, 120_000);
});

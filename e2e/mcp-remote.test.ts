/**
 * mcp-remote (npm), the way Claude Desktop launches it: a stdio MCP server that proxies to the bridge and does
 * the OAuth flow itself. Headless Chromium follows its authorization URL through the test IdP's real login
 * form (and the bridge's consent page for DCR) into mcp-remote's own loopback callback; then MCP runs over stdio.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnv, type Env } from '../test/support/harness.js';
import type { Browser } from 'playwright-core';
import { launchChromium } from './browser.js';
import { signInThroughMcpRemote as signIn, startMcpRemote, type Remote } from './mcp-remote-process.js';

let env: Env;
let browser: Browser;
beforeAll(async () => {
  env = await startEnv({ sql: {} });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await env?.close();
});

async function signInThroughMcpRemote(remote: Remote, callbackPort: number): Promise<void> {
  const { authorizationUrl, landed } = await signIn(browser, remote, {
    user: 'alice',
    callbackPrefix: `http://localhost:${callbackPort}/oauth/callback`,
  });
  expect(new URL(authorizationUrl).origin).toBe(env.core.urls().origin.replace('127.0.0.1', 'localhost'));
  expect(new URL(landed).searchParams.get('code')).toBeTruthy();
}

async function useTools(remote: Remote): Promise<void> {
  const init = await remote.request('initialize', {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'claude-desktop-like', version: '1' },
  });
  expect((init.result as { serverInfo: { name: string } }).serverInfo.name).toBe('mssql-mcp-bridge');
  remote.notify('notifications/initialized');
  const list = await remote.request('tools/list');
  expect((list.result as { tools: Array<{ name: string }> }).tools.map((t) => t.name)).toContain('run_query');
  const call = await remote.request('tools/call', {
    name: 'run_query',
    arguments: { sql: 'SELECT COUNT(*) AS n FROM Customers' },
  });
  expect((call.result as { structuredContent: { rows: unknown[][] } }).structuredContent.rows).toEqual([
    [1000],
  ]);
}

describe('mcp-remote (how Claude Desktop reaches the bridge)', () => {
  const mcpUrl = () => env.core.urls().mcp.replace('127.0.0.1', 'localhost');

  it('signs in with the pre-registered client (--static-oauth-client-info) and calls a tool over stdio', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-remote-'));
    const remote = startMcpRemote(
      [
        mcpUrl(),
        '53990',
        '--host',
        'localhost',
        '--static-oauth-client-info',
        JSON.stringify({ client_id: 'claude-desktop' }),
      ],
      dir,
    );
    try {
      await signInThroughMcpRemote(remote, 53990);
      await useTools(remote);
      // Tokens live in its isolated config directory.
      expect(fs.readdirSync(dir, { recursive: true }).some((f) => String(f).endsWith('_tokens.json'))).toBe(
        true,
      );
    } finally {
      remote.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('registers itself with Dynamic Client Registration, consents, and calls a tool', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-remote-'));
    const remote = startMcpRemote([mcpUrl(), '53991', '--host', 'localhost'], dir);
    try {
      await signInThroughMcpRemote(remote, 53991);
      await useTools(remote);
      expect(
        (await env.core.clients.listRegistered()).some(
          (c) => c.source === 'dcr' && c.info.redirect_uris.includes('http://localhost:53991/oauth/callback'),
        ),
      ).toBe(true);
    } finally {
      remote.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

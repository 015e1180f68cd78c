/**
 * mcp-remote (npm), the way Claude Desktop launches it: a stdio MCP server that proxies to the bridge and does
 * the OAuth flow itself. Headless Chromium follows its authorization URL through the test IdP's real login
 * form (and the bridge's consent page for DCR) into mcp-remote's own loopback callback; then MCP runs over stdio.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnv, type Env } from '../test/support/harness.js';
import { waitFor, REPO } from '../test/support/processes.js';
import type { Browser } from 'playwright-core';
import { launchChromium, signInWithBrowser } from './browser.js';

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

interface Remote {
  child: ChildProcessWithoutNullStreams;
  stderr: () => string;
  request: (method: string, params?: unknown) => Promise<Record<string, unknown>>;
  notify: (method: string, params?: unknown) => void;
  close: () => void;
}

function startMcpRemote(args: string[], configDir: string): Remote {
  const child = spawn(process.execPath, [path.join(REPO, 'node_modules/mcp-remote/dist/proxy.js'), ...args], {
    // BROWSER=echo: mcp-remote "opens" the URL by printing it; the test's user agent does the browsing.
    env: { ...process.env, MCP_REMOTE_CONFIG_DIR: configDir, BROWSER: 'echo' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  const waiting = new Map<number, (msg: Record<string, unknown>) => void>();
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    let nl: number;
    while ((nl = out.indexOf('\n')) !== -1) {
      const line = out.slice(0, nl).trim();
      out = out.slice(nl + 1);
      if (!line) continue;
      const msg = JSON.parse(line) as { id?: number };
      if (typeof msg.id === 'number') waiting.get(msg.id)?.(msg);
    }
  });
  let id = 0;
  return {
    child,
    stderr: () => err,
    request: (method, params) =>
      new Promise((resolve) => {
        const n = ++id;
        waiting.set(n, resolve);
        child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: n, method, params })}\n`);
      }),
    notify: (method, params) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method, params })}\n`),
    close: () => child.kill('SIGTERM'),
  };
}

async function signInThroughMcpRemote(remote: Remote, callbackPort: number): Promise<void> {
  await waitFor(
    () => /Please authorize this client by visiting:\s*\n(\S+)/.test(remote.stderr()),
    'mcp-remote to print its authorization URL',
    30_000,
  );
  const url = /Please authorize this client by visiting:\s*\n(\S+)/.exec(remote.stderr())![1]!;
  expect(new URL(url).origin).toBe(env.core.urls().origin.replace('127.0.0.1', 'localhost'));
  // Headless Chromium does what the person would: log in at the IdP, consent if asked, land on mcp-remote.
  const landed = await signInWithBrowser(browser, url, {
    user: 'alice',
    password: 'alice-pass',
    callbackPrefix: `http://localhost:${callbackPort}/oauth/callback`,
  });
  expect(new URL(landed).searchParams.get('code')).toBeTruthy();
  await waitFor(() => /Connected to remote server/.test(remote.stderr()), 'mcp-remote to connect', 30_000);
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
        env.core.clients
          .listRegistered()
          .some(
            (c) =>
              c.source === 'dcr' && c.info.redirect_uris.includes('http://localhost:53991/oauth/callback'),
          ),
      ).toBe(true);
    } finally {
      remote.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

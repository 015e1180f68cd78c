/** mcp-remote (npm) as a child process speaking MCP over stdio, the way Claude Desktop runs it. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { waitFor, REPO } from '../test/support/processes.js';
import { signInWithBrowser } from './browser.js';

export interface Remote {
  child: ChildProcessWithoutNullStreams;
  stderr: () => string;
  request: (method: string, params?: unknown) => Promise<Record<string, unknown>>;
  notify: (method: string, params?: unknown) => void;
  close: () => void;
}

export function startMcpRemote(args: string[], configDir: string): Remote {
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

/**
 * Waits for the authorization URL mcp-remote prints, then has headless Chromium sign in as `user` (and consent
 * if asked) until it lands on mcp-remote's loopback callback; resolves once mcp-remote has connected.
 */
export async function signInThroughMcpRemote(
  browser: Browser,
  remote: Remote,
  o: { user: string; callbackPrefix: string },
): Promise<{ authorizationUrl: string; landed: string }> {
  const printed = /Please authorize this client by visiting:\s*\n(\S+)/;
  // Under a loaded 2-core CI machine mcp-remote (an npx-style Node start plus discovery) can take a while.
  await waitFor(
    () => printed.test(remote.stderr()),
    () => `mcp-remote to print its authorization URL; it wrote: ${remote.stderr().slice(-800)}`,
    60_000,
  );
  const authorizationUrl = printed.exec(remote.stderr())![1]!;
  const landed = await signInWithBrowser(browser, authorizationUrl, {
    user: o.user,
    password: `${o.user}-pass`,
    callbackPrefix: o.callbackPrefix,
  });
  await waitFor(() => /Connected to remote server/.test(remote.stderr()), 'mcp-remote to connect', 30_000);
  return { authorizationUrl, landed };
}

import { describe, expect, it } from 'vitest';
import { clientSnippets } from '../../app/main/connector/client-config.js';
import type { KnownClient } from '../../app/main/oauth/clients.js';

const MCP = 'http://127.0.0.1:8765/mcp';
const client = (client_id: string, redirect_uris: string[]) =>
  ({
    info: { client_id, redirect_uris },
    source: 'preregistered',
    skipConsent: true,
  }) as unknown as KnownClient;

describe('install snippets for MCP clients', () => {
  it('gives Claude Desktop the connector first, mcp-remote as the fallback', () => {
    const s = clientSnippets(client('claude-desktop', ['http://127.0.0.1/oauth/callback']), MCP);
    const entry = (
      s.claudeDesktop as { mcpServers: { 'mssql-mcp-bridge': { command: string; args: string[] } } }
    ).mcpServers['mssql-mcp-bridge'];
    expect(entry.command).toBe(process.execPath);
    expect(entry.args.slice(-3)).toEqual(['connect', '--url', MCP]);
    expect(JSON.stringify(s.mcpRemote)).toContain('"mcp-remote"');
    // Another pre-registered client is named; the default one is not.
    const other = clientSnippets(client('cli-tool', ['http://localhost/oauth/callback']), MCP);
    expect(
      (other.claudeDesktop as { mcpServers: { 'mssql-mcp-bridge': { args: string[] } } }).mcpServers[
        'mssql-mcp-bridge'
      ].args.slice(-2),
    ).toEqual(['--client-id', 'cli-tool']);
    expect(s.vscode).toBeUndefined();
    expect(s.cursorInstallLink).toBeUndefined();
    // The MCP Inspector is another program: its card offers no Claude Desktop entry.
    const inspector = clientSnippets(client('mcp-inspector', ['http://localhost/oauth/callback']), MCP);
    expect(inspector.claudeDesktop).toBeUndefined();
    expect(inspector.mcpRemote).toBeUndefined();
  });

  it('names the data directory in the connector entry when it is not the default, so the connector finds the app', () => {
    const claude = client('claude-desktop', ['http://127.0.0.1/oauth/callback']);
    const args = (s: ReturnType<typeof clientSnippets>) =>
      (s.claudeDesktop as { mcpServers: Record<string, { args: string[] }> }).mcpServers['mssql-mcp-bridge']!
        .args;
    expect(args(clientSnippets(claude, MCP, '/srv/bridge-data')).slice(-2)).toEqual([
      '--data-dir',
      '/srv/bridge-data',
    ]);
    expect(args(clientSnippets(claude, MCP))).not.toContain('--data-dir');
  });

  it('gives VS Code its documented command and install link, and Cursor its deep link, exactly', () => {
    const s = clientSnippets(client('vscode', ['http://127.0.0.1/', 'https://vscode.dev/redirect']), MCP);
    expect(s.claudeDesktop).toBeUndefined();
    expect(s.vscode).toEqual({ servers: { 'mssql-mcp-bridge': { type: 'http', url: MCP } } });
    expect(s.vscodeCommand).toBe(`code --add-mcp '{"name":"mssql-mcp-bridge","type":"http","url":"${MCP}"}'`);
    const link = new URL(s.vscodeInstallLink!);
    expect(link.protocol).toBe('vscode:');
    expect(link.pathname).toBe('mcp/install');
    expect(JSON.parse(decodeURIComponent(link.search.slice(1)))).toEqual({
      name: 'mssql-mcp-bridge',
      type: 'http',
      url: MCP,
    });
    const cursor = new URL(s.cursorInstallLink!);
    expect(`${cursor.protocol}//${cursor.host}${cursor.pathname}`).toBe(
      'cursor://anysphere.cursor-deeplink/mcp/install',
    );
    expect(cursor.searchParams.get('name')).toBe('mssql-mcp-bridge');
    expect(JSON.parse(Buffer.from(cursor.searchParams.get('config')!, 'base64').toString())).toEqual({
      url: MCP,
    });
  });
});

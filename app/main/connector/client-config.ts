import type { ClientConfigSnippets } from '../../shared/control/contract.js';
import { SERVER_KEY } from './claude-desktop-config.js';
import { connectorEntry } from './connector-command.js';
import type { KnownClient } from '../oauth/clients.js';
import { isLoopbackRedirect } from '../oauth/redirect-policy.js';

/** Native loopback callbacks at /oauth/callback (any port): what the connector and mcp-remote use. */
const fitsLoopbackCallback = (uris: string[]) =>
  uris.some((u) => isLoopbackRedirect(u) && new URL(u).pathname === '/oauth/callback');
/** VS Code signs in through its loopback root or vscode.dev's redirect page. */
const fitsVsCode = (uris: string[]) =>
  uris.some(
    (u) => u === 'https://vscode.dev/redirect' || (isLoopbackRedirect(u) && new URL(u).pathname === '/'),
  );

/** One name for the bridge in every client's config (what the installer writes too): never two servers. */
const SERVER_NAME = SERVER_KEY;

/** Pre-registered clients that are other programs: no Claude Desktop entry is offered on their cards. */
const OTHER_PROGRAMS = new Set(['mcp-inspector', 'vscode']);

/**
 * The connector's entry for a client (what Install in Claude Desktop writes), naming the client unless it is the
 * default, and the app's data directory unless it is the default (else the connector would not find the app's
 * sign-in and would open the browser).
 */
export function connectorEntryFor(client: KnownClient, mcpUrl: string, dataDir?: string) {
  const entry = connectorEntry(mcpUrl, { dataDir });
  const id = client.info.client_id;
  return id === 'claude-desktop' ? entry : { ...entry, args: [...entry.args, '--client-id', id] };
}

/**
 * Config for the desktop clients people use most, offered only for a client whose redirect URIs that program
 * can use. Claude Desktop starts local stdio servers: the bridge's own connector first, mcp-remote as the
 * fallback; VS Code and Cursor speak MCP OAuth themselves (HTTP entry, install links).
 */
export function clientSnippets(client: KnownClient, mcpUrl: string, dataDir?: string): ClientConfigSnippets {
  const uris = client.info.redirect_uris;
  const http = { type: 'http', url: mcpUrl };
  const vscode = fitsVsCode(uris);
  const claude = fitsLoopbackCallback(uris) && !OTHER_PROGRAMS.has(client.info.client_id);
  return {
    clientId: client.info.client_id,
    mcpUrl,
    claudeDesktop: claude
      ? { mcpServers: { [SERVER_NAME]: connectorEntryFor(client, mcpUrl, dataDir) } }
      : undefined,
    mcpRemote: claude
      ? {
          mcpServers: {
            [SERVER_NAME]: {
              command: 'npx',
              args: [
                '-y',
                'mcp-remote',
                mcpUrl,
                '--static-oauth-client-info',
                JSON.stringify({ client_id: client.info.client_id }),
              ],
            },
          },
        }
      : undefined,
    vscode: vscode ? { servers: { [SERVER_NAME]: http } } : undefined,
    // VS Code's documented install paths: `code --add-mcp <json>` and the vscode:mcp/install?<json> link.
    vscodeCommand: vscode ? `code --add-mcp '${JSON.stringify({ name: SERVER_NAME, ...http })}'` : undefined,
    vscodeInstallLink: vscode
      ? `vscode:mcp/install?${encodeURIComponent(JSON.stringify({ name: SERVER_NAME, ...http }))}`
      : undefined,
    // Cursor (an HTTP client signing in itself, like VS Code): its deep link carries base64 JSON config.
    cursorInstallLink: vscode
      ? `cursor://anysphere.cursor-deeplink/mcp/install?name=${SERVER_NAME}&config=${Buffer.from(
          JSON.stringify({ url: mcpUrl }),
        ).toString('base64')}`
      : undefined,
  };
}

import type { ClientConfigSnippets } from '../control/contract.js';
import type { KnownClient } from '../oauth/clients.js';
import { isLoopbackRedirect } from '../oauth/redirect-policy.js';

/** mcp-remote's callback is http://localhost:<port>/oauth/callback; loopback redirects match any port. */
const fitsMcpRemote = (uris: string[]) =>
  uris.some((u) => isLoopbackRedirect(u) && new URL(u).pathname === '/oauth/callback');
/** VS Code signs in through its loopback root or vscode.dev's redirect page. */
const fitsVsCode = (uris: string[]) =>
  uris.some(
    (u) => u === 'https://vscode.dev/redirect' || (isLoopbackRedirect(u) && new URL(u).pathname === '/'),
  );

/**
 * Config for the two desktop clients people use most, offered only for a client whose redirect URIs that
 * program can use. Claude Desktop cannot reach a loopback server itself, so it launches mcp-remote with the
 * pre-registered client (no registration step); VS Code speaks MCP OAuth itself.
 */
export function clientSnippets(client: KnownClient, mcpUrl: string): ClientConfigSnippets {
  const uris = client.info.redirect_uris;
  return {
    clientId: client.info.client_id,
    mcpUrl,
    claudeDesktop: fitsMcpRemote(uris)
      ? {
          mcpServers: {
            mssql: {
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
    vscode: fitsVsCode(uris) ? { servers: { mssql: { type: 'http', url: mcpUrl } } } : undefined,
  };
}

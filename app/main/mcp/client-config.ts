import type { ClientConfigSnippets } from '../control/contract.js';
import type { KnownClient } from '../oauth/clients.js';

/**
 * Config for the two desktop clients people use most. Claude Desktop cannot reach a loopback server itself,
 * so it launches mcp-remote with the pre-registered client (no registration, no consent screen); VS Code
 * speaks MCP OAuth itself and registers dynamically.
 */
export function clientSnippets(client: KnownClient, mcpUrl: string): ClientConfigSnippets {
  return {
    clientId: client.info.client_id,
    mcpUrl,
    claudeDesktop: {
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
    },
    vscode: { servers: { mssql: { type: 'http', url: mcpUrl } } },
  };
}

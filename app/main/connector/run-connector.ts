import fs from 'node:fs';
import crypto from 'node:crypto';
import path from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { KeytarSecretStore } from '../secrets/secret-store.js';
import { APP_VERSION } from '../version.js';
import { ConnectorCache } from './connector-cache.js';
import { ConnectorCredentials } from './connector-credentials.js';
import { Connector } from './connector.js';
import { openBrowser } from './open-browser.js';
import { brokeredTokens } from './broker-client.js';
import { localConfirmer } from './confirm-locally.js';

export interface ConnectOptions {
  mcpUrl: URL;
  clientId: string;
  keychainService: string;
  dataDir: string;
  signInTimeoutMs: number;
}

/**
 * `mssql-mcp-bridge connect`: MCP over stdio for clients that launch local servers (Claude Desktop). stdout
 * carries MCP only; everything for people goes to stderr, which those clients keep in their logs.
 */
export async function runConnector(o: ConnectOptions): Promise<Connector> {
  const log = (line: string) => process.stderr.write(`[mssql-mcp-bridge connect] ${line}\n`);
  fs.mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  const secrets = await KeytarSecretStore.open(o.keychainService);
  const credentials = new ConnectorCredentials({
    secrets,
    mcpUrl: o.mcpUrl,
    clientId: o.clientId,
    lockFile: path.join(o.dataDir, 'connector-sign-in.lock'),
    signInTimeoutMs: o.signInTimeoutMs,
    showSignIn: (url) => {
      log(`Sign in to MSSQL MCP Bridge: ${url.href}`);
      openBrowser(url.href);
    },
    // The app's own sign-in, when it runs with this data directory and the person allowed this connector.
    brokered: () =>
      brokeredTokens({
        dataDir: o.dataDir,
        mcpUrl: o.mcpUrl,
        clientId: o.clientId,
        label: `${o.clientId} connector (pid ${process.pid})`,
        waitMs: o.signInTimeoutMs,
        log,
      }),
  });
  const connector = new Connector({
    stdio: new StdioServerTransport(),
    mcpUrl: o.mcpUrl,
    credentials,
    // One file per bridge: another bridge has other tools.
    cache: new ConnectorCache(
      path.join(
        o.dataDir,
        'connector',
        `${crypto.createHash('sha256').update(o.mcpUrl.href).digest('hex').slice(0, 16)}.json`,
      ),
    ),
    version: APP_VERSION,
    log,
    confirm: localConfirmer({ dataDir: o.dataDir, open: openBrowser, log }),
  });
  await connector.start();
  log(`forwarding MCP over stdio to ${o.mcpUrl.href}`);
  return connector;
}

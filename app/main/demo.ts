/**
 * `demo`: the test IdP with demo users, the TDS test server with the sample Sales database, and the bridge
 * configured for the IdP, all on this machine. Needs no account, no SQL Server and no network.
 */
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DEMO_USERS, startTestIdp } from '@mssql-mcp-bridge/demo-idp';
import { EXAMPLE_POLICY } from '../shared/example-policy.js';
import { EXAMPLE_TOOLS } from '../shared/example-tools.js';
import { grantImpersonation, sampleDatabase, SAMPLE_LOGINS } from '@mssql-mcp-bridge/tds-test-server';
import { startTdsServer } from '@mssql-mcp-bridge/tds-test-server';
import { loadConfig } from './config/load.js';
import { DEFAULT_PORT } from '../shared/config-schema.js';
import { clientSnippets } from './connector/client-config.js';
import { BridgeCore } from './core.js';
import { privateDir } from './state/database.js';

export async function runDemo(opts: {
  port?: number;
  dataDir?: string;
  uiDir?: string;
}): Promise<{ stop: () => Promise<void> }> {
  const port = opts.port ?? DEFAULT_PORT;
  await assertPortFree(port);
  const dataDir = opts.dataDir ?? path.join(os.tmpdir(), 'mssql-mcp-bridge-demo');
  privateDir(dataDir);
  const upstream = { client_id: 'mssql-mcp-bridge-demo', client_secret: 'demo-only-secret' };
  const idp = await startTestIdp({
    clients: [{ ...upstream, redirect_uris: [`http://127.0.0.1:${port}/idp/callback`] }],
  });
  const sql = await startTdsServer({ logins: SAMPLE_LOGINS, databases: [sampleDatabase()] });
  await grantImpersonation(sql, 'bridge_svc', ['alice', 'bob']);
  const svc = SAMPLE_LOGINS.find((l) => l.name === 'bridge_svc')!;
  const config = loadConfig({
    overrides: {
      server: { port },
      secrets: { service: 'mssql-mcp-bridge-demo' },
      sql: {
        profiles: [
          {
            id: 'sample',
            name: 'Sample Sales database',
            host: '127.0.0.1',
            port: sql.port,
            database: 'Sales',
            auth: { type: 'sql', user: svc.name, password: svc.password },
            encrypt: false,
            // Writes for people whose policy rule gives them (bob, a DBA), each confirmed by the person.
            allow_writes: true,
          },
        ],
      },
      // The example policy, with the demo's configured tools given: the read to both rules, the write to DBAs.
      policy: {
        rules: EXAMPLE_POLICY.rules.map((r) => ({
          ...r,
          tools: [...r.tools, 'tag:orders', ...(r.tools.includes('write') ? ['tag:orders-admin'] : [])],
        })),
      },
      tools: EXAMPLE_TOOLS,
      idp: {
        active: 'demo',
        profiles: [
          {
            id: 'demo',
            preset: 'generic',
            display_name: 'Demo IdP',
            issuer: idp.issuer,
            scopes: ['openid', 'profile', 'email', 'groups'],
            ...upstream,
          },
        ],
      },
    },
  });
  const core = await BridgeCore.start({ config, dataDir, uiDir: opts.uiDir });
  const u = core.urls();
  const snippets = clientSnippets((await core.clients.find('claude-desktop'))!, u.mcp, core.connectorDataDir);
  console.log(
    [
      'MSSQL MCP Bridge demo is running (everything on this machine).',
      `  MCP endpoint:          ${u.mcp}`,
      `  Authorization server:  ${u.issuer}`,
      `  AS metadata:           ${u.authorizationServerMetadata}`,
      `  Resource metadata:     ${u.protectedResourceMetadata}`,
      `  Client registration:   pre-registered clients, DCR, and client metadata documents from ${config.oauth.cimd_allowed_hosts.join(', ')}`,
      `  Demo identity provider ${idp.issuer}`,
      `  Demo logins:           ${Object.entries(DEMO_USERS)
        .filter(([, v]) => v.claims.email)
        .map(([k, v]) => `${k} / ${v.password}`)
        .join(', ')}`,
      '  Access policy:         analysts (alice) read Sales except HR tables, max 500 rows; dba (bob) reads all and writes,',
      '                         each write confirmed by bob (in his client, in this app, or at an approval link); anyone else nothing',
      `  Sample SQL Server:     127.0.0.1,${sql.port} (TDS test server on PostgreSQL), database Sales, login ${svc.name} / ${svc.password}`,
      `  Data directory:        ${dataDir}`,
      ...(u.ui ? [`  Desktop UI:            ${u.ui}`] : []),
      '',
      "Claude Desktop: install the bridge's connector into claude_desktop_config.json with",
      `  npm run connector:install -- --url ${u.mcp}${core.connectorDataDir ? ` --data-dir ${core.connectorDataDir}` : ''}`,
      '(or Install in Claude Desktop on the Clients page of the desktop UI). It adds:',
      JSON.stringify(snippets.claudeDesktop, null, 2),
      '',
      'Fallback, through mcp-remote:',
      JSON.stringify(snippets.mcpRemote, null, 2),
      '',
      'Press Ctrl+C to stop.',
    ].join('\n'),
  );
  return {
    stop: async () => {
      await core.stop();
      await idp.stop();
      await sql.stop();
    },
  };
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', () =>
      reject(Object.assign(new Error(`port ${port} is in use`), { code: 'EADDRINUSE' })),
    );
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve()));
  });
}

/**
 * Builds the MCP Bundle (dist/mssql-mcp-bridge.mcpb) with the @anthropic-ai/mcpb tooling: a manifest at its
 * current version and the launcher (app/mcpb/launch.ts) that starts the installed app's connector. `mcpb pack`
 * validates the manifest; nothing secret goes into user_config (other extensions can read those values).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { APP_VERSION } from '../app/main/version.js';
import { DEFAULT_PORT } from '../app/shared/config-schema.js';

const dir = 'dist/mcpb';
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(path.join(dir, 'server'), { recursive: true });
await build({
  entryPoints: ['app/mcpb/launch.ts'],
  outfile: path.join(dir, 'server', 'launch.mjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  logLevel: 'warning',
});
fs.copyFileSync('resources/icon.png', path.join(dir, 'icon.png'));
const manifest = {
  manifest_version: '0.4',
  name: 'mssql-mcp-bridge',
  display_name: 'MSSQL MCP Bridge',
  version: APP_VERSION,
  description: 'Query Microsoft SQL Server safely, signed in through your company identity provider.',
  long_description:
    'Connects Claude Desktop to the MSSQL MCP Bridge desktop app running on this computer. The first call opens ' +
    "the sign-in in your browser; tokens stay in the app's entries of the OS keychain. Needs the desktop app installed.",
  author: { name: 'MSSQL MCP Bridge developers' },
  icon: 'icon.png',
  server: {
    type: 'node',
    entry_point: 'server/launch.mjs',
    mcp_config: {
      command: 'node',
      args: ['${__dirname}/server/launch.mjs'],
      env: {
        MSSQL_MCP_BRIDGE_URL: '${user_config.bridge_url}',
        MSSQL_MCP_BRIDGE_APP: '${user_config.app_path}',
      },
    },
  },
  user_config: {
    bridge_url: {
      type: 'string',
      title: 'Bridge MCP URL',
      description: 'The MCP endpoint of the bridge on this computer (shown on its Status page).',
      default: `http://127.0.0.1:${DEFAULT_PORT}/mcp`,
      required: true,
    },
    app_path: {
      type: 'file',
      title: 'MSSQL MCP Bridge app',
      description: 'Only if the desktop app is not where its installer puts it: its executable.',
      required: false,
    },
  },
  compatibility: { platforms: ['darwin', 'win32', 'linux'], runtimes: { node: '>=20' } },
};
fs.writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
const out = 'dist/mssql-mcp-bridge.mcpb';
execFileSync(process.execPath, ['node_modules/@anthropic-ai/mcpb/dist/cli/cli.js', 'pack', dir, out], {
  stdio: 'inherit',
});
console.log(`Built ${out}`);

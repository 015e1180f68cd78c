/**
 * The MCP Bundle's server. Claude Desktop runs it with its own Node; it starts the installed desktop app's
 * connector (`connect`, the app's binary in Node mode), so the sign-in and the tokens are the app's own
 * keychain entries: the bundle carries no secret and no native module. Plain Node, no dependencies.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PRODUCT = 'MSSQL MCP Bridge';
const url = process.env.MSSQL_MCP_BRIDGE_URL || 'http://127.0.0.1:8765/mcp';

/** Where electron-builder's installers put the app, per OS (the extension's settings may name another). */
function candidates(): string[] {
  if (process.platform === 'darwin') return [`/Applications/${PRODUCT}.app/Contents/MacOS/${PRODUCT}`];
  if (process.platform === 'win32') {
    const programs = path.join(
      process.env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local'),
      'Programs',
    );
    return [
      path.join(programs, PRODUCT, `${PRODUCT}.exe`),
      path.join(programs, 'mssql-mcp-bridge', `${PRODUCT}.exe`),
    ];
  }
  return [`/opt/${PRODUCT}/mssql-mcp-bridge`];
}

/** The CLI bundle inside the packaged app (asar archives are readable in Node mode). */
function cliOf(app: string): string {
  const resources =
    process.platform === 'darwin'
      ? path.join(path.dirname(app), '..', 'Resources')
      : path.join(path.dirname(app), 'resources');
  return path.join(resources, 'app.asar', 'dist', 'electron', 'cli.mjs');
}

const configured = process.env.MSSQL_MCP_BRIDGE_APP;
const app = configured || candidates().find((c) => fs.existsSync(c));
if (!app || !fs.existsSync(app)) {
  process.stderr.write(
    `${PRODUCT} is not installed ${configured ? `at ${configured}` : `where its installer puts it (${candidates().join(', ')})`}. ` +
      `Install the desktop app, or set its path in this extension's settings, then restart Claude Desktop.\n`,
  );
  process.exit(1);
}
// MSSQL_MCP_BRIDGE_CLI: a CLI outside an asar archive (a checkout's dist/electron/cli.mjs run by plain Node).
const cli = process.env.MSSQL_MCP_BRIDGE_CLI || cliOf(app);
const child = spawn(app, [cli, 'connect', '--url', url], {
  stdio: 'inherit',
  env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
child.on('error', (err) => {
  process.stderr.write(`Could not start ${app}: ${err.message}\n`);
  process.exit(1);
});

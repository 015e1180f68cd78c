import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from './config/load.js';
import { builtUiDir, defaultDataDir } from './config/paths.js';
import { BridgeCore } from './core.js';
import { KeytarSecretStore } from './secrets/secret-store.js';
import { BridgeError } from '../shared/errors.js';

const USAGE = `Usage: mssql-mcp-bridge serve [--port N] [--data-dir DIR] [--config FILE] [--ui]
       mssql-mcp-bridge demo  [--port N] [--data-dir DIR] [--ui]
       mssql-mcp-bridge connect [--url URL] [--client-id ID] [--config FILE] [--data-dir DIR]
       mssql-mcp-bridge install claude-desktop [--url URL] [--config FILE] [--data-dir DIR] [--file PATH]
       mssql-mcp-bridge rotate-signing-key [--config FILE] [--data-dir DIR]
       mssql-mcp-bridge reset [--config FILE] [--data-dir DIR] [--yes]

  --port N        port on 127.0.0.1 (default 8765; 0 picks a free one)
  --data-dir DIR  where state lives (default: the per-user app data directory)
  --config FILE   JSON configuration file (see README, "Configuration")
  --ui            also serve the desktop UI in the browser (built with "npm run build:ui"); prints its URL,
                  which carries this run's control token: treat it like a password
  connect         MCP over stdio for Claude Desktop and other clients that start local servers: forwards to
                  the bridge's /mcp (--url, default http://127.0.0.1:<port>/mcp) as the pre-registered client
                  --client-id (default claude-desktop), signing in through the browser; tokens stay in the keychain
  install claude-desktop
                  adds that connector to Claude Desktop's claude_desktop_config.json (--file overrides the
                  per-OS path), keeping every other entry and a backup of the file
  rotate-signing-key
                  a new access-token signing key, the current one kept for the overlap (both published and
                  accepted); restart the instances one by one to sign with it
  reset           removes this bridge's keychain items (its keychain service) and its data directory, after
                  listing them and asking (--yes to answer without a terminal); stop the bridge first`;

async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      config: { type: 'string' },
      ui: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const overrides = values.port !== undefined ? { server: { port: Number(values.port) } } : {};
  const config = loadConfig({ file: values.config, overrides });
  const dataDir = path.resolve(values['data-dir'] ?? process.env.MSSQL_MCP_DATA_DIR ?? defaultDataDir());
  const core = await BridgeCore.start({
    config,
    dataDir,
    configFile: values.config,
    uiDir: values.ui ? builtUiDir() : undefined,
  });
  // Before the banner: whoever reads "Press Ctrl+C to stop." may signal at once, and a SIGTERM that came before
  // the handler would end the process without stopping (the lock and the broker socket left behind).
  stopOnSignals(() => core.stop());
  const u = core.urls();
  const active = await core.idpProfiles.active();
  console.log(
    [
      'MSSQL MCP Bridge is running.',
      `  MCP endpoint:                 ${u.mcp}`,
      `  Authorization server:         ${u.issuer}`,
      `  AS metadata (RFC 8414):       ${u.authorizationServerMetadata}`,
      `  Resource metadata (RFC 9728): ${u.protectedResourceMetadata}`,
      `  IdP redirect URI to register: ${u.idpCallback}`,
      `  Identity provider:            ${active ? `${active.id} (${active.issuer})` : 'none configured: add one under idp.profiles'}`,
      `  Pre-registered clients:       ${config.oauth.clients.map((c) => c.client_id).join(', ')}`,
      config.state.url
        ? '  State:                        PostgreSQL (team mode; no data directory is used)'
        : `  Data directory:               ${dataDir}`,
      ...(u.ui ? [`  Desktop UI (keep private):    ${u.ui}`] : []),
      'Press Ctrl+C to stop.',
    ].join('\n'),
  );
}

/** The bridge on this computer, where `connect` and its installed entries point unless told otherwise. */
const localMcpUrl = (config: { server: { port: number } }) => `http://127.0.0.1:${config.server.port}/mcp`;

async function connect(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      'client-id': { type: 'string' },
      config: { type: 'string' },
      'data-dir': { type: 'string' },
      'sign-in-timeout': { type: 'string' },
    },
    strict: true,
  });
  const config = loadConfig({ file: values.config });
  const { runConnector } = await import('./connector/run-connector.js');
  const connector = await runConnector({
    mcpUrl: new URL(values.url ?? localMcpUrl(config)),
    clientId: values['client-id'] ?? 'claude-desktop',
    keychainService: config.secrets.service,
    dataDir: path.resolve(values['data-dir'] ?? process.env.MSSQL_MCP_DATA_DIR ?? defaultDataDir()),
    signInTimeoutMs: Number(values['sign-in-timeout'] ?? 180) * 1000,
  });
  // The MCP client ends a stdio server by closing its stdin (then signals): leave without a word on stdout.
  const quit = () => void connector.close().finally(() => process.exit(0));
  process.stdin.on('end', quit);
  process.on('SIGTERM', quit);
  process.on('SIGINT', quit);
}

async function install(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      config: { type: 'string' },
      file: { type: 'string' },
      'data-dir': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals[0] !== 'claude-desktop') {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const config = loadConfig({ file: values.config });
  const { claudeDesktopConfigPath, installInClaudeDesktop } =
    await import('./connector/claude-desktop-config.js');
  const { connectorEntry } = await import('./connector/connector-command.js');
  const mcpUrl = values.url ?? localMcpUrl(config);
  const dataDirArg = values['data-dir'] ?? process.env.MSSQL_MCP_DATA_DIR;
  const result = installInClaudeDesktop(
    values.file ?? claudeDesktopConfigPath(),
    connectorEntry(mcpUrl, {
      configFile: values.config,
      // The app's data directory, when not the default: the connector finds the app's sign-in there.
      dataDir:
        dataDirArg && path.resolve(dataDirArg) !== path.resolve(defaultDataDir()) ? dataDirArg : undefined,
    }),
  );
  console.log(
    [
      result.changed ? `Added MSSQL MCP Bridge to ${result.file}` : `Already installed in ${result.file}`,
      ...(result.backup ? [`  Backup of the previous file: ${result.backup}`] : []),
      `  Entry: ${JSON.stringify(result.entry)}`,
      'Restart Claude Desktop to load it; the first tool call opens the sign-in page.',
    ].join('\n'),
  );
}

async function demo(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, 'data-dir': { type: 'string' }, ui: { type: 'boolean' } },
    strict: true,
  });
  const { runDemo } = await import('./demo.js');
  const running = runDemo({
    port: values.port !== undefined ? Number(values.port) : undefined,
    dataDir: values['data-dir'],
    uiDir: values.ui ? builtUiDir() : undefined,
  });
  // Handled from the start: runDemo prints "Press Ctrl+C to stop." itself, and a signal may follow at once.
  stopOnSignals(async () => (await running).stop());
  await running;
}

function stopOnSignals(stopAll: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`Received ${signal}, stopping...`);
    stopAll().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function rotateKey(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string' }, 'data-dir': { type: 'string' } },
  });
  const config = loadConfig({ file: values.config });
  const { openState } = await import('./open-state.js');
  const { rotateSigningKey } = await import('./oauth/signing-key.js');
  const dataDir = path.resolve(values['data-dir'] ?? process.env.MSSQL_MCP_DATA_DIR ?? defaultDataDir());
  const state = await openState(config, dataDir, (m) => console.error(m));
  try {
    const { kid, previous } = await rotateSigningKey(state.secrets);
    console.log(
      `New signing key ${kid}${previous ? `; ${previous} stays published until the next rotation` : ''}. Restart the bridge (each instance in turn) to sign with it.`,
    );
  } finally {
    await state.close();
  }
}

async function reset(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string' }, 'data-dir': { type: 'string' }, yes: { type: 'boolean' } },
    strict: true,
  });
  const config = loadConfig({ file: values.config });
  const dataDir = path.resolve(values['data-dir'] ?? process.env.MSSQL_MCP_DATA_DIR ?? defaultDataDir());
  const { DataDirLock } = await import('./state/data-dir-lock.js');
  const running = DataDirLock.holder(dataDir);
  if (running) {
    console.error(
      `Error: nothing was removed: MSSQL MCP Bridge is running on ${dataDir} (pid ${running.pid}${running.url ? `, ${running.url}` : ''}). Stop it first (quit the app, or kill ${running.pid}), then run reset again.`,
    );
    process.exitCode = 1;
    return;
  }
  const secrets = await KeytarSecretStore.open(config.secrets.service);
  const accounts = await secrets.accounts();
  const hasData = fs.existsSync(dataDir);
  if (!accounts.length && !hasData) {
    console.log(`Nothing to remove: no keychain items under "${config.secrets.service}" and no ${dataDir}.`);
    return;
  }
  console.log(
    [
      'This removes, for good:',
      `  ${accounts.length} keychain item(s) of service "${config.secrets.service}": ${accounts.join(', ') || 'none'}`,
      `  the data directory ${hasData ? dataDir : `${dataDir} (absent)`}: sign-ins, tokens, settings, audit log`,
    ].join('\n'),
  );
  if (!values.yes) {
    if (!process.stdin.isTTY) {
      console.error('Error: nothing was removed. Run it in a terminal to confirm, or add --yes.');
      process.exitCode = 2;
      return;
    }
    const { createInterface } = await import('node:readline/promises');
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await rl.question('Type "reset" to remove them: ');
    rl.close();
    if (answer.trim() !== 'reset') {
      console.log('Nothing was removed.');
      return;
    }
  }
  for (const account of accounts) await secrets.delete(account);
  if (hasData) fs.rmSync(dataDir, { recursive: true, force: true });
  console.log(`Removed ${accounts.length} keychain item(s)${hasData ? ` and ${dataDir}` : ''}.`);
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'serve') return serve(rest);
  if (command === 'demo') return demo(rest);
  if (command === 'connect') return connect(rest);
  if (command === 'install') return install(rest);
  if (command === 'rotate-signing-key') return rotateKey(rest);
  if (command === 'reset') return reset(rest);
  console.error(USAGE);
  process.exitCode = 2;
}

main().catch((err: NodeJS.ErrnoException) => {
  if (err instanceof BridgeError) {
    console.error(`Error: ${err.message}`);
  } else if (err.code === 'EADDRINUSE') {
    const at = /(\S+:\d+)$/.exec(err.message)?.[1] ?? 'the port';
    console.error(
      `Error: ${at} is already in use by another program. Stop it, or choose another port with --port (or server.port in the config file; 0 picks a free one).`,
    );
  } else {
    console.error(err);
  }
  process.exit(1);
});

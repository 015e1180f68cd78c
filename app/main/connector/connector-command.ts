import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StdioServerEntry } from './claude-desktop-config.js';

/**
 * The command an MCP client runs to start `connect` on this installation: the desktop app's own binary in Node
 * mode (ELECTRON_RUN_AS_NODE, the CLI bundle beside main.mjs), or this Node with the CLI and loader it runs now.
 * Absolute paths only: the client starts it from a directory of its own choosing.
 */
export function connectorEntry(
  mcpUrl: string,
  o: {
    configFile?: string;
    /** The app's data directory when not the default: the connector finds its sign-in there. */
    dataDir?: string;
  } = {},
): StdioServerEntry {
  const connectArgs = [
    'connect',
    '--url',
    mcpUrl,
    ...(o.configFile ? ['--config', path.resolve(o.configFile)] : []),
    ...(o.dataDir ? ['--data-dir', path.resolve(o.dataDir)] : []),
  ];
  if (process.versions.electron) {
    return {
      command: process.execPath,
      args: [fileURLToPath(new URL('./cli.mjs', import.meta.url)), ...connectArgs],
      env: { ELECTRON_RUN_AS_NODE: '1' },
    };
  }
  const loader: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const arg = process.execArgv[i]!;
    if ((arg === '--import' || arg === '--require') && process.execArgv[i + 1]) {
      loader.push(arg, absoluteSpecifier(process.execArgv[++i]!));
    } else if (arg.startsWith('--import=') || arg.startsWith('--require=')) {
      const [flag, value] = arg.split(/=(.*)/s) as [string, string];
      loader.push(flag, absoluteSpecifier(value));
    }
  }
  return { command: process.execPath, args: [...loader, path.resolve(process.argv[1]!), ...connectArgs] };
}

/** `tsx` → file:///…/node_modules/tsx/dist/loader.mjs, so it resolves from any working directory. */
function absoluteSpecifier(specifier: string): string {
  if (/^(file:|node:|data:)/.test(specifier) || path.isAbsolute(specifier)) return specifier;
  if (specifier.startsWith('.')) return path.resolve(specifier);
  return import.meta.resolve(specifier);
}

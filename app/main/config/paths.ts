import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The per-user data directory, matching where Electron's `app.getPath('userData')` puts it. */
export function defaultDataDir(platform = process.platform, env = process.env): string {
  const name = 'mssql-mcp-bridge';
  if (platform === 'win32')
    return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), name);
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', name);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), name);
}

/** The package root (where package.json is), found from this module: in a checkout and in the packaged app. */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** The built renderer (`npm run build:ui` writes dist/renderer at the package root). */
export function builtUiDir(env = process.env): string {
  if (env.MSSQL_MCP_UI_DIR) return path.resolve(env.MSSQL_MCP_UI_DIR);
  return path.join(packageRoot(), 'dist', 'renderer');
}

/** The MCP App views, one HTML file each (`npm run build` writes dist/views at the package root). */
export function builtViewsDir(): string {
  return path.join(packageRoot(), 'dist', 'views');
}

import os from 'node:os';
import path from 'node:path';

/** The per-user data directory, matching where Electron's `app.getPath('userData')` puts it. */
export function defaultDataDir(platform = process.platform, env = process.env): string {
  const name = 'mssql-mcp-bridge';
  if (platform === 'win32')
    return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), name);
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', name);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), name);
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { writeAtomically } from './write-atomically.js';
import { BridgeError } from '../../shared/errors.js';

/** How an MCP client starts the connector: the `command`/`args`/`env` of a stdio server entry. */
export interface StdioServerEntry {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

/** The key of the bridge's entry under `mcpServers`. */
export const SERVER_KEY = 'mssql-mcp-bridge';

/** Where Claude Desktop keeps its configuration on each OS. */
export function claudeDesktopConfigPath(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
): string {
  if (platform === 'darwin')
    return path.join(home, 'Library', 'Application Support', 'Claude', 'claude_desktop_config.json');
  if (platform === 'win32') {
    return path.win32.join(
      env.APPDATA ?? path.win32.join(home, 'AppData', 'Roaming'),
      'Claude',
      'claude_desktop_config.json',
    );
  }
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'Claude', 'claude_desktop_config.json');
}

export class InstallError extends BridgeError {
  override name = 'InstallError';
  constructor(message: string) {
    super(message, 'install');
  }
}

export interface InstallResult {
  file: string;
  entry: StdioServerEntry;
  /** false when the same entry was already there (nothing written). */
  changed: boolean;
  /** The previous file, kept beside it, when there was one. */
  backup?: string;
}

/**
 * Adds (or updates) the bridge's entry in claude_desktop_config.json and leaves every other entry as it was.
 * Refuses, changing nothing, a file it cannot parse or that is read-only; otherwise keeps a backup and
 * replaces the file atomically (a crash leaves the old file or the new one, never half of one).
 */
export function installInClaudeDesktop(
  file: string,
  entry: StdioServerEntry,
  now = new Date(),
): InstallResult {
  let text: string | undefined;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new InstallError(`Cannot read ${file}: ${(err as Error).message}`);
  }
  let config: Record<string, unknown> = {};
  if (text !== undefined && text.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new InstallError(
        `${file} is not valid JSON (${(err as Error).message}), so it was left unchanged. Fix it (Claude Desktop cannot read it either) or move it aside, then install again.`,
      );
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new InstallError(
        `${file} does not hold a JSON object, so it was left unchanged. Fix or move it aside, then install again.`,
      );
    }
    config = parsed as Record<string, unknown>;
  }
  const servers = config.mcpServers ?? {};
  if (!servers || typeof servers !== 'object' || Array.isArray(servers)) {
    throw new InstallError(
      `"mcpServers" in ${file} is not an object, so the file was left unchanged. Fix it, then install again.`,
    );
  }
  if (isDeepStrictEqual((servers as Record<string, unknown>)[SERVER_KEY], entry))
    return { file, entry, changed: false };

  let mode = 0o600;
  if (text !== undefined) {
    mode = fs.statSync(file).mode & 0o777;
    // By mode bits, not access(): root may write anything, but a read-only file says "do not touch".
    if ((mode & 0o200) === 0) {
      throw new InstallError(
        `${file} is read-only, so it was left unchanged. Make it writable (chmod u+w), then install again.`,
      );
    }
  }
  const next = { ...config, mcpServers: { ...(servers as Record<string, unknown>), [SERVER_KEY]: entry } };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let backup: string | undefined;
  if (text !== undefined) {
    backup = `${file}.${now.toISOString().replace(/[:.]/g, '-')}.bak`;
    fs.writeFileSync(backup, text, { mode });
  }
  writeAtomically(file, `${JSON.stringify(next, null, 2)}\n`, mode);
  return { file, entry, changed: true, backup };
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  claudeDesktopConfigPath,
  installInClaudeDesktop,
  InstallError,
  SERVER_KEY,
} from '../../app/main/connector/claude-desktop-config.js';

const entry = {
  command: '/opt/bridge/node',
  args: ['/opt/bridge/cli.mjs', 'connect', '--url', 'http://127.0.0.1:8765/mcp'],
};
let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claude-config-'));
  file = path.join(dir, 'Claude', 'claude_desktop_config.json');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (text: string, mode = 0o644) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text, { mode });
};
const read = () => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
const backups = () => fs.readdirSync(path.dirname(file)).filter((f) => f.endsWith('.bak'));

describe('install into Claude Desktop', () => {
  it('knows where Claude Desktop keeps its config on each OS', () => {
    expect(claudeDesktopConfigPath('darwin', {}, '/Users/ann')).toBe(
      '/Users/ann/Library/Application Support/Claude/claude_desktop_config.json',
    );
    expect(
      claudeDesktopConfigPath('win32', { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, 'C:\\Users\\ann'),
    ).toBe('C:\\Users\\ann\\AppData\\Roaming\\Claude\\claude_desktop_config.json');
    expect(claudeDesktopConfigPath('linux', {}, '/home/ann')).toBe(
      '/home/ann/.config/Claude/claude_desktop_config.json',
    );
    expect(claudeDesktopConfigPath('linux', { XDG_CONFIG_HOME: '/cfg' }, '/home/ann')).toBe(
      '/cfg/Claude/claude_desktop_config.json',
    );
  });

  it('creates the file (and its folder) when there is none, without a backup', () => {
    const result = installInClaudeDesktop(file, entry);
    expect(result).toMatchObject({ changed: true, backup: undefined });
    expect(read()).toEqual({ mcpServers: { [SERVER_KEY]: entry } });
    expect(fs.statSync(file).mode & 0o077).toBe(0);
  });

  it('keeps every other server and setting, backs the old file up, and is idempotent', () => {
    const before = {
      globalShortcut: 'Ctrl+Space',
      mcpServers: { files: { command: 'npx', args: ['fs-server'] } },
    };
    write(JSON.stringify(before));
    const first = installInClaudeDesktop(file, entry);
    expect(read()).toEqual({ ...before, mcpServers: { ...before.mcpServers, [SERVER_KEY]: entry } });
    expect(JSON.parse(fs.readFileSync(first.backup!, 'utf8'))).toEqual(before);
    const again = installInClaudeDesktop(file, entry);
    expect(again.changed).toBe(false);
    expect(backups()).toHaveLength(1);
    // A new URL updates the entry in place.
    const moved = { ...entry, args: [...entry.args.slice(0, 3), 'http://127.0.0.1:9000/mcp'] };
    expect(installInClaudeDesktop(file, moved, new Date(Date.now() + 1000)).changed).toBe(true);
    expect((read().mcpServers as Record<string, unknown>)[SERVER_KEY]).toEqual(moved);
    expect(Object.keys(read().mcpServers as object)).toEqual(['files', SERVER_KEY]);
  });

  it('refuses, changing nothing, a file with comments or broken JSON, or a strange shape', () => {
    for (const text of [
      '// my servers\n{ "mcpServers": {} }',
      '{ "mcpServers": { ',
      '[]',
      '{"mcpServers": []}',
    ]) {
      write(text);
      expect(() => installInClaudeDesktop(file, entry)).toThrow(InstallError);
      expect(() => installInClaudeDesktop(file, entry)).toThrow(/left unchanged/);
      expect(fs.readFileSync(file, 'utf8')).toBe(text);
      expect(backups()).toEqual([]);
    }
  });

  it('refuses a read-only file, saying how to make it writable', () => {
    write('{"mcpServers": {}}', 0o444);
    expect(() => installInClaudeDesktop(file, entry)).toThrow(
      /read-only, so it was left unchanged. Make it writable/,
    );
    expect(fs.readFileSync(file, 'utf8')).toBe('{"mcpServers": {}}');
  });
});

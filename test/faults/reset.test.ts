/**
 * `reset` removes what the bridge keeps outside the repository — its keychain items and its data directory —
 * after listing them, and only when confirmed: without a terminal it needs --yes, and removes nothing otherwise.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeytarSecretStore } from '../../app/main/secrets/secret-store.js';
import { exited, removeSecrets, spawnCli, startServe } from '../support/processes.js';

describe('reset', () => {
  it('lists and removes the keychain items and the data directory, only with --yes when not in a terminal', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-reset-'));
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-reset-config-'));
    const service = `mssql-mcp-bridge-test-${crypto.randomUUID()}`;
    const configFile = path.join(configDir, 'config.json');
    fs.writeFileSync(configFile, JSON.stringify({ secrets: { service } }));
    try {
      // A bridge that ran once: its keys in the keychain, its state in the data directory.
      const { child, origin } = await startServe(dataDir, configFile);
      // While it runs, reset refuses (even with --yes) and names it.
      const refused = spawnCli(['reset', '--config', configFile, '--data-dir', dataDir, '--yes']);
      expect(await exited(refused)).toBe(1);
      expect(refused.output()).toContain(
        `Error: nothing was removed: MSSQL MCP Bridge is running on ${dataDir} (pid ${child.pid}, ${origin}). Stop it first`,
      );
      expect(fs.existsSync(path.join(dataDir, 'state.db'))).toBe(true);
      child.kill('SIGTERM');
      await exited(child);
      const store = await KeytarSecretStore.open(service);
      const accounts = await store.accounts();
      expect(accounts.length).toBeGreaterThan(0);

      const unconfirmed = spawnCli(['reset', '--config', configFile, '--data-dir', dataDir]);
      expect(await exited(unconfirmed)).toBe(2);
      expect(unconfirmed.output()).toContain(
        'nothing was removed. Run it in a terminal to confirm, or add --yes.',
      );
      expect(unconfirmed.output()).toContain(`keychain item(s) of service "${service}"`);
      expect(await store.accounts()).toEqual(accounts);
      expect(fs.existsSync(path.join(dataDir, 'state.db'))).toBe(true);

      const confirmed = spawnCli(['reset', '--config', configFile, '--data-dir', dataDir, '--yes']);
      expect(await exited(confirmed)).toBe(0);
      expect(confirmed.output()).toContain(`Removed ${accounts.length} keychain item(s) and ${dataDir}.`);
      expect(await store.accounts()).toEqual([]);
      expect(fs.existsSync(dataDir)).toBe(false);
    } finally {
      await removeSecrets(service);
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(configDir, { recursive: true, force: true });
    }
  }, 60_000);
});

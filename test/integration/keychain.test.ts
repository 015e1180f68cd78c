import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KeytarSecretStore } from '../../app/main/secrets/secret-store.js';
import { startEnv } from '../support/harness.js';
import { regularFiles } from '../support/files.js';
import { exited, spawnCli } from '../support/processes.js';

const service = `mssql-mcp-bridge-test-${crypto.randomUUID()}`;
afterAll(async () => {
  const store = await KeytarSecretStore.open(service);
  for (const a of await store.accounts()) await store.delete(a);
});

/** Reads the Secret Service directly (libsecret's CLI), bypassing keytar. */
const secretTool = (account: string, svc = service) => {
  try {
    return execFileSync('secret-tool', ['lookup', 'service', svc, 'account', account], { encoding: 'utf8' });
  } catch {
    return null;
  }
};

describe('SecretStore over keytar and the real gnome-keyring', () => {
  it('round-trips a secret that the Secret Service itself holds', async () => {
    const store = await KeytarSecretStore.open(service);
    await store.set('round-trip', 's3cret-välue');
    expect(await store.get('round-trip')).toBe('s3cret-välue');
    expect(secretTool('round-trip')).toBe('s3cret-välue');
    expect(await store.delete('round-trip')).toBe(true);
    expect(await store.get('round-trip')).toBeNull();
    expect(secretTool('round-trip')).toBeNull();
  });

  it('keeps the signing key and IdP client secret in the keychain, never in the state file', async () => {
    const env = await startEnv();
    try {
      // The signing keys: the signing one first (a rotation keeps the previous one second).
      const keys = JSON.parse(secretTool('oauth-signing-key', env.service)!) as Array<{ d: string }>;
      expect(keys).toEqual([expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256' })]);
      const key = keys[0]!;
      expect(key.d).toBeTruthy();
      expect(secretTool('idp:test:client-secret', env.service)).toBe('bridge-upstream-secret');
      await env.core.stop();
      for (const f of regularFiles(env.dataDir)) {
        const bytes = fs.readFileSync(f);
        expect(bytes.includes('bridge-upstream-secret'), f).toBe(false);
        expect(bytes.includes(key.d), f).toBe(false);
      }
    } finally {
      await env.close();
    }
  });

  it('refuses to start without a Secret Service, saying how to fix it', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-nokeychain-'));
    try {
      const { DISPLAY: _d, ...rest } = process.env;
      const child = spawnCli(['serve', '--port', '0', '--data-dir', dataDir], {
        ...rest,
        DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus',
      });
      expect(await exited(child)).toBe(1);
      const out = child.output();
      expect(out).toContain('No OS keychain is available');
      expect(out).toContain('gnome-keyring');
      expect(out).toContain('will not fall back to plain files');
      expect(fs.existsSync(path.join(dataDir, 'state.db'))).toBe(false);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

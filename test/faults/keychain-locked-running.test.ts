/**
 * The keychain locked while the bridge runs (issue 13, case 1 at run time): secrets already loaded keep working
 * (tokens are still signed and verified), but a connection whose password must now be read from the keychain
 * gets the "keychain is locked" sentence and the unlock command, not an empty password and a misleading "Login
 * failed". The bridge keeps serving. Runs in a throw-away D-Bus session with its own gnome-keyring.
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIdp, type TestIdp } from '@mssql-mcp-bridge/demo-idp';
import {
  sampleDatabase,
  SAMPLE_LOGINS,
  startTdsServer,
  type TdsServer,
} from '@mssql-mcp-bridge/tds-test-server';
import { BRIDGE_IDP_CLIENT, freePort, tdsProfile, type Env } from '../support/harness.js';
import { mcpClient, signIn } from '../support/mcp-client.js';
import { REPO, waitFor } from '../support/processes.js';

let sql: TdsServer;
let idp: TestIdp;
let port: number;
const temps: string[] = [];
beforeAll(async () => {
  sql = await startTdsServer({ logins: SAMPLE_LOGINS, databases: [sampleDatabase()] });
  port = await freePort();
  idp = await startTestIdp({
    clients: [{ ...BRIDGE_IDP_CLIENT, redirect_uris: [`http://127.0.0.1:${port}/idp/callback`] }],
  });
}, 60_000);
afterAll(async () => {
  await idp?.stop();
  await sql?.stop();
  for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
});

const text = (r: { content: Array<{ text?: string }> }) => r.content.map((c) => c.text ?? '').join(' ');

describe('keychain locked while running', () => {
  it('names the locked keychain and the unlock command for a secret read after the lock, and keeps serving', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-lock-run-'));
    temps.push(home);
    const config = path.join(home, 'config.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        secrets: { service: `mssql-mcp-bridge-test-${crypto.randomUUID()}` },
        idp: {
          active: 'test',
          profiles: [{ id: 'test', preset: 'generic', issuer: idp.issuer, ...BRIDGE_IDP_CLIENT }],
        },
        sql: { profiles: [tdsProfile(sql)] },
      }),
    );
    const serve = [process.execPath, '--import', 'tsx', path.join(REPO, 'app/main/cli.ts'), 'serve']
      .concat(['--port', String(port), '--data-dir', path.join(home, 'data'), '--config', config])
      .map((a) => JSON.stringify(a))
      .join(' ');
    const { DBUS_SESSION_BUS_ADDRESS: _bus, BRIDGE_IN_KEYRING_SESSION: _k, ...env } = process.env;
    // Its own process group, so the whole session (bus, keyring, bridge) is ended together.
    const session = spawn(
      'dbus-run-session',
      [
        '--',
        'bash',
        '-c',
        `echo -n pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; echo "BUS=$DBUS_SESSION_BUS_ADDRESS"; exec ${serve}`,
      ],
      { env: { ...env, XDG_DATA_HOME: home, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    let out = '';
    session.stdout.on('data', (d: Buffer) => (out += d.toString()));
    session.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitFor(
        () => out.includes('Press Ctrl+C to stop.'),
        () => `the bridge to start: ${out}`,
        30_000,
      );
      const bus = /BUS=(\S+)/.exec(out)![1]!;
      const origin = `http://127.0.0.1:${port}`;
      const { tokens } = await signIn({} as Env, { origin, user: 'bob' });

      const lock = spawnSync(
        'dbus-send',
        [
          '--session',
          '--dest=org.freedesktop.secrets',
          '--type=method_call',
          '--print-reply',
          '/org/freedesktop/secrets',
          'org.freedesktop.Secret.Service.Lock',
          'array:objpath:/org/freedesktop/secrets/collection/login',
        ],
        { env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: bus }, encoding: 'utf8' },
      );
      expect(lock.status, lock.stderr).toBe(0);

      // The access token was signed before the lock and is still verified: the key is in memory.
      const client = await mcpClient(`${origin}/mcp`, tokens.access_token);
      const r = (await client.callTool({ name: 'run_query', arguments: { sql: 'SELECT 1 AS one' } })) as {
        isError?: boolean;
        content: Array<{ text?: string }>;
      };
      expect(r.isError).toBe(true);
      expect(text(r)).toContain('The OS keychain is locked');
      expect(text(r)).toContain('while the bridge was running');
      expect(text(r)).toContain('gnome-keyring-daemon --unlock');
      expect(text(r)).toContain('Then retry; the bridge keeps running.');
      expect(text(r)).not.toContain('Login failed');
      // Still serving.
      expect((await client.callTool({ name: 'whoami', arguments: {} })).structuredContent).toMatchObject({
        subject: 'bob',
      });
      expect(session.exitCode).toBeNull();
      await client.close();
    } finally {
      try {
        process.kill(-session.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, 90_000);
});

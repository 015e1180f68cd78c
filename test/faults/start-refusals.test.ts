/**
 * `serve` says why it does not start, with a non-zero exit (issue 29, points 1-3): a misspelt key anywhere in
 * the config file (was: started, the setting silently at its default — a DBA believing Payroll blocked); a port
 * another program holds (was: exit 0 and no word); a second bridge on a data directory one already runs on
 * (was: started, replaced the first's broker socket, and on stopping left connectors without the app's
 * sign-in). A lock left by a bridge that was killed does not keep the next one out. Real processes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exited, removeSecrets, spawnCli, startServe } from '../support/processes.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** A data directory and keychain service of the test's own, removed afterwards. */
function bridgeHome(config: object = {}): { dataDir: string; configFile: string } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-start-'));
  const service = `mssql-mcp-bridge-test-${crypto.randomUUID()}`;
  const configFile = path.join(dataDir, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify({ secrets: { service }, ...config }, null, 2));
  cleanup.push(async () => {
    await removeSecrets(service);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return { dataDir, configFile };
}

const serveArgs = (dataDir: string, configFile: string, port = '0') => [
  'serve',
  '--port',
  port,
  '--data-dir',
  dataDir,
  '--config',
  configFile,
];

describe('serve refuses to start, and says why', () => {
  it('a misspelt key in a connection profile: exit 1, the key path, its line and the key meant', async () => {
    const { dataDir, configFile } = bridgeHome({
      sql: {
        profiles: [
          {
            id: 'hr',
            host: 'db.corp',
            auth: { type: 'sql', user: 'u' },
            blocked_database: ['Payroll'],
          },
        ],
      },
    });
    const child = spawnCli(serveArgs(dataDir, configFile));
    expect(await exited(child)).toBe(1);
    const line =
      fs
        .readFileSync(configFile, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('blocked_database')) + 1;
    expect(child.output()).toContain(
      `sql.profiles[0].blocked_database (line ${line}): unknown key "blocked_database"; did you mean "blocked_databases"?`,
    );
    expect(child.output()).not.toMatch(/^\s+at /m);
    expect(fs.existsSync(path.join(dataDir, 'state.db'))).toBe(false);
  }, 30_000);

  it('a port another program holds: exit 1 and a sentence naming it and the fix', async () => {
    const { dataDir, configFile } = bridgeHome();
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => holder.close(() => r())));
    const port = (holder.address() as net.AddressInfo).port;
    const child = spawnCli(serveArgs(dataDir, configFile, String(port)));
    expect(await exited(child)).toBe(1);
    expect(child.output()).toContain(
      `Error: 127.0.0.1:${port} is already in use by another program. Stop it, or choose another port with --port`,
    );
    // The start closed what it had opened: the data directory is free for the next one.
    expect(fs.existsSync(path.join(dataDir, 'bridge.lock'))).toBe(false);
  }, 30_000);

  it('a second bridge on the same data directory: exit 1 naming the first (pid, URL); the first keeps working', async () => {
    const { dataDir, configFile } = bridgeHome();
    const first = await startServe(dataDir, configFile);
    cleanup.push(() => void first.child.kill('SIGKILL'));
    const socket = fs.readdirSync(dataDir).find((f) => f.endsWith('.sock'));
    expect(socket).toBeDefined();
    const socketBefore = fs.statSync(path.join(dataDir, socket!)).ino;

    const second = spawnCli(serveArgs(dataDir, configFile));
    expect(await exited(second)).toBe(1);
    expect(second.output()).toContain(
      `Error: Another MSSQL MCP Bridge is already running on the data directory ${dataDir} (pid ${first.child.pid}, ${first.origin}, since `,
    );
    expect(second.output()).toContain(`kill ${first.child.pid}`);
    expect(second.output()).not.toMatch(/^\s+at /m);
    // The first's broker socket is the same file, and the first still answers.
    expect(fs.statSync(path.join(dataDir, socket!)).ino).toBe(socketBefore);
    expect((await fetch(`${first.origin}/healthz`)).status).toBe(200);

    // Killed without a chance to clean up, it leaves its lock: the next start takes it over.
    first.child.kill('SIGKILL');
    await exited(first.child);
    expect(fs.existsSync(path.join(dataDir, 'bridge.lock'))).toBe(true);
    const third = await startServe(dataDir, configFile);
    cleanup.push(() => void third.child.kill('SIGKILL'));
    third.child.kill('SIGTERM');
    expect(await exited(third.child)).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'bridge.lock'))).toBe(false);
  }, 60_000);
});

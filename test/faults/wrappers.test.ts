/**
 * A service manager stops what it started by sending SIGTERM to that pid: `npm run serve` and `npm run demo`
 * (through scripts/node24.sh, scripts/demo.sh and, without a desktop session, scripts/with-keyring.sh) must pass
 * it on, so the bridge stops cleanly, its port is released, and no process of the chain stays behind (for the
 * demo also the private D-Bus session and gnome-keyring).
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../support/harness.js';
import { exited, removeSecrets, spawnWithOutput, waitFor } from '../support/processes.js';

const npmRun = (args: string[], env: NodeJS.ProcessEnv) =>
  spawnWithOutput('npm', ['run', '--silent', ...args], env);

/** Every process below `pid`, depth first. */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
  return children.flatMap((c) => [c, ...descendants(c)]);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const portClosed = async (port: number) =>
  fetch(`http://127.0.0.1:${port}/healthz`).then(
    () => false,
    () => true,
  );

async function stopsOnSigterm(child: ReturnType<typeof npmRun>, port: number): Promise<void> {
  await waitFor(
    () => child.output().includes('Press Ctrl+C to stop.'),
    () => child.output(),
    90_000,
  );
  expect(await portClosed(port)).toBe(false);
  const chain = descendants(child.pid!);
  expect(chain.length).toBeGreaterThan(0);
  child.kill('SIGTERM');
  expect(await exited(child)).toBe(0);
  await waitFor(
    () => chain.every((p) => !alive(p)),
    () => `processes left: ${chain.filter(alive).join(' ')}`,
  );
  expect(await portClosed(port)).toBe(true);
  expect(child.output()).toContain('Received SIGTERM, stopping...');
}

describe('SIGTERM to the npm wrapper', () => {
  it('npm run serve: the bridge stops cleanly, the port is released, nothing stays behind', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-wrap-'));
    const service = `mssql-mcp-bridge-test-${crypto.randomUUID()}`;
    const configFile = path.join(dir, 'config.json');
    fs.writeFileSync(configFile, JSON.stringify({ secrets: { service } }));
    const port = await freePort();
    const child = npmRun(
      ['serve', '--', '--port', String(port), '--data-dir', dir, '--config', configFile],
      process.env,
    );
    try {
      await stopsOnSigterm(child, port);
    } finally {
      child.kill('SIGKILL');
      await removeSecrets(service);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('npm run demo without a desktop session: also its private D-Bus session and keyring end', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-wrap-demo-'));
    const port = await freePort();
    const { DBUS_SESSION_BUS_ADDRESS: _bus, BRIDGE_IN_KEYRING_SESSION: _in, ...bare } = process.env;
    const child = npmRun(['demo', '--', '--port', String(port), '--data-dir', dir], bare);
    try {
      await stopsOnSigterm(child, port);
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

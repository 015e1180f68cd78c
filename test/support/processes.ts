import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KeytarSecretStore } from '../../app/main/secrets/secret-store.js';

export const REPO = path.resolve(import.meta.dirname, '../..');

/**
 * Runs the real CLI as a child process: node with tsx's loader, one process (the tsx command would fork a
 * second one, which a SIGKILL of the first leaves running).
 */
export function spawnCli(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  /** A command that execs the rest (e.g. `unshare` into a mount namespace), so the pid stays node's. */
  prefix: string[] = [],
): ChildProcess & { output: () => string } {
  const command = [
    ...prefix,
    process.execPath,
    '--import',
    'tsx',
    path.join(REPO, 'app/main/cli.ts'),
    ...args,
  ];
  return spawnWithOutput(command[0]!, command.slice(1), env);
}

/** A child process in the repository whose stdout and stderr are kept, together, for `output()`. */
export function spawnWithOutput(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): ChildProcess & { output: () => string } {
  const child = spawn(command, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return Object.assign(child, { output: () => out });
}

/** `what` may be a function, to say in the error what the process had printed by then. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  what: string | (() => string),
  timeoutMs = 20_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The exit code, or the signal's name when a signal ended the process (also when it already had). */
export function exited(child: ChildProcess): Promise<number | NodeJS.Signals | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode ?? child.signalCode);
    else child.once('exit', (code, signal) => resolve(code ?? signal));
  });
}

/** `serve` in a child process on a data directory and config file; resolves once it prints its URLs. */
export async function startServe(
  dataDir: string,
  configFile: string,
  port = 0,
  env: NodeJS.ProcessEnv = process.env,
  prefix: string[] = [],
): Promise<{ child: ReturnType<typeof spawnCli>; origin: string }> {
  const child = spawnCli(
    ['serve', '--port', String(port), '--data-dir', dataDir, '--config', configFile],
    env,
    prefix,
  );
  try {
    await waitFor(
      () => child.output().includes('Press Ctrl+C to stop.') || child.exitCode !== null,
      'the bridge to start',
    );
    if (child.exitCode !== null) throw new Error(`serve exited: ${child.output()}`);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return { child, origin: new URL(/MCP endpoint:\s+(\S+)/.exec(child.output())![1]!).origin };
}

/**
 * `serve --port 0` in a child process with its own data directory and keychain service; waits until it
 * prints its URLs, runs `body`, then kills it and removes its state and secrets.
 */
export async function withServeProcess(
  body: (p: { child: ReturnType<typeof spawnCli>; dataDir: string; origin: string }) => Promise<void>,
): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-cli-'));
  const service = `mssql-mcp-bridge-test-${crypto.randomUUID()}`;
  const configFile = path.join(dataDir, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify({ secrets: { service } }));
  let child: ReturnType<typeof spawnCli> | undefined;
  try {
    const started = await startServe(dataDir, configFile);
    child = started.child;
    await body({ child, dataDir, origin: started.origin });
  } finally {
    child?.kill('SIGKILL');
    await removeSecrets(service);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function removeSecrets(service: string): Promise<void> {
  const store = await KeytarSecretStore.open(service);
  for (const a of await store.accounts()) await store.delete(a);
}

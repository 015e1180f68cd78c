/**
 * The bridge as it ships, for the benchmarks that need it in a process of its own: `cli.ts` bundled the way the
 * package bundles it (dependencies from node_modules, the demo split off), `serve` against a TDS test server,
 * and an access token for one person signed with the instance's key.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import type { ConnectionProfileInput } from '../app/shared/config-schema.js';
import { forgeAccessTokenFor } from '../test/support/forge-token.js';
import { tdsProfile } from '../test/support/harness.js';
import { freePort } from '../test/support/ports.js';
import { exited, removeSecrets, waitFor } from '../test/support/processes.js';

export interface ServedBridge {
  pid: number;
  origin: string;
  mcpUrl: string;
  token: string;
  stop(): Promise<void>;
}

export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** Until `url` answers at all (any status): the server is listening. */
export function listening(url: string, ms = 30_000): Promise<void> {
  return waitFor(
    () =>
      fetch(url).then(
        () => true,
        () => false,
      ),
    `${url} to answer`,
    ms,
  );
}

/** Ends a child: `first` (SIGTERM lets serve stop cleanly and write a profile it was asked for), SIGKILL after 5 s. */
export async function stopChild(child: ChildProcess, first: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = exited(child);
  child.kill(first);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await gone;
  clearTimeout(timer);
}

/** `serve` from the bundle in its own process; `stop` kills it and removes its data and keychain items. */
export async function serveBridge(
  tds: { host: string; port: number },
  profile: Partial<ConnectionProfileInput> = {},
): Promise<ServedBridge> {
  const root = path.resolve(import.meta.dirname, '..');
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-bench-bundle-'));
  // Split so that the demo (a dynamic import, with the demo IdP and PGlite) stays out of `serve`.
  await esbuild.build({
    entryPoints: { cli: path.join(root, 'app/main/cli.ts') },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
  });
  // The bundle's bare imports resolve from the repository's node_modules.
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(outDir, 'node_modules'));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-bench-serve-'));
  const service = `mssql-mcp-bridge-bench-${crypto.randomUUID()}`;
  const port = await freePort();
  fs.writeFileSync(
    path.join(dataDir, 'config.json'),
    JSON.stringify({ server: { port }, secrets: { service }, sql: { profiles: [tdsProfile(tds, profile)] } }),
  );
  const child = spawn(
    process.execPath,
    [
      // e.g. BENCH_NODE_ARGS=--cpu-prof to profile the bridge under a benchmark's load.
      ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      path.join(outDir, 'cli.mjs'),
      'serve',
      '--config',
      path.join(dataDir, 'config.json'),
      '--data-dir',
      dataDir,
    ],
    { stdio: ['ignore', process.env.BENCH_NODE_ARGS ? 'inherit' : 'ignore', 'inherit'] },
  );
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    await removeSecrets(service);
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(outDir, { recursive: true, force: true });
  };
  try {
    await listening(`${origin}/.well-known/oauth-protected-resource/mcp`);
    const token = await forgeAccessTokenFor(service, origin, 'bench');
    return { pid: child.pid!, origin, mcpUrl: `${origin}/mcp`, token, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

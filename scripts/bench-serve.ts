/**
 * The bridge as it ships, for the benchmarks that need it in a process of its own: `cli.ts` bundled the way the
 * package bundles it (dependencies from node_modules, the demo split off), `serve` against a TDS test server,
 * and an access token for one person signed with the instance's key.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import type { ConnectionProfileInput } from '../app/shared/config-schema.js';
import { KeytarSecretStore } from '../app/main/secrets/secret-store.js';
import { forgeAccessTokenFor } from '../test/support/forge-token.js';
import { tdsProfile } from '../test/support/harness.js';

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

export async function waitFor(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
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
  const port = 20000 + Math.floor(Math.random() * 20000);
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
    if (child.exitCode === null && !child.signalCode) {
      const gone = new Promise((r) => child.once('exit', r));
      // SIGTERM first: serve stops cleanly (and writes a profile it was asked for); SIGKILL if it hangs.
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    }
    const store = await KeytarSecretStore.open(service);
    for (const acc of await store.accounts()) await store.delete(acc);
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(outDir, { recursive: true, force: true });
  };
  try {
    await waitFor(`${origin}/.well-known/oauth-protected-resource/mcp`, 30_000);
    const token = await forgeAccessTokenFor(service, origin, 'bench');
    return { pid: child.pid!, origin, mcpUrl: `${origin}/mcp`, token, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

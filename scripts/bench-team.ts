/**
 * Team mode's figures for `npm run bench`: the bridge with its state in PostgreSQL against SQLite (one
 * instance each, in this process, measured alternately), and one against three `serve` processes on one
 * PostgreSQL behind nginx (plain HTTP here: TLS costs the same in both and is nginx's).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { BridgeCore } from '../app/main/core.js';
import { loadConfig } from '../app/main/config/load.js';
import { startEnv, TEST_STATE_KEY, type Env } from '../test/support/harness.js';
import { signAccessToken } from '../test/support/forge-token.js';
import { freePort } from '../test/support/ports.js';
import { startPostgres } from '../test/support/postgres.js';
import { exited, startServe, type spawnCli } from '../test/support/processes.js';
import { startTlsProxy, type TlsProxy } from '../test/support/tls-proxy.js';
import { loadClient, quantile, round } from './bench-mcp.js';
import { bridgeTarget, tokenLoadClient, tokenRates, type TokenTarget } from './bench-token.js';

const STATE_ENV = { MSSQL_MCP_STATE_KEY: TEST_STATE_KEY };
const NO_LIMIT = { oauth: { token_requests_per_minute: 1_000_000 } };

async function createDatabase(adminUrl: string): Promise<string> {
  const name = `bench_${crypto.randomBytes(4).toString('hex')}`;
  const c = new pg.Client(adminUrl);
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.href;
}

/** tools/call (whoami) round trips from `clients` load processes at once; every time measured. */
async function toolCalls(mcpUrl: string, tokens: string[], blocks: number): Promise<number[]> {
  const clients = tokens.map((t) => loadClient(mcpUrl, t));
  const times: number[] = [];
  for (let i = 0; i < blocks; i++)
    for (const block of await Promise.all(clients.map((c) => c.block(200)))) times.push(...block);
  for (const c of clients) c.close();
  return times;
}

export async function teamBench(): Promise<Record<string, number>> {
  const results: Record<string, number> = {};
  const cluster = await startPostgres();
  const load = tokenLoadClient();
  const closers: Array<() => Promise<unknown>> = [];
  try {
    // 1. One instance, in this process: SQLite against PostgreSQL, alternately so drift hits both alike.
    const envs: Record<'sqlite' | 'postgres', Env> = {
      sqlite: await startEnv({ withIdp: false, config: NO_LIMIT }),
      postgres: await startEnv({
        withIdp: false,
        config: { ...NO_LIMIT, state: { url: await createDatabase(cluster.adminUrl) } },
      }),
    };
    for (const e of Object.values(envs)) closers.push(() => e.close());
    const rates: Record<string, number[]> = {};
    const p50s: Record<string, number[]> = {};
    for (let round_ = 0; round_ < 4; round_++)
      for (const kind of round_ % 2 ? (['sqlite', 'postgres'] as const) : (['postgres', 'sqlite'] as const)) {
        const env = envs[kind];
        const r = await tokenRates(bridgeTarget(env.core), load, 8, 300);
        (rates[`${kind}_code`] ??= []).push(r.codeRate);
        (rates[`${kind}_refresh`] ??= []).push(r.refreshRate);
        const token = await signAccessToken(env.core.secrets, env.core.urls().origin, { gid: 'bench' });
        (p50s[kind] ??= []).push(...(await toolCalls(env.core.urls().mcp, [token], 2)));
      }
    const med = (xs: number[]) => quantile(xs.slice(1), 0.5);
    for (const kind of ['sqlite', 'postgres']) {
      results[`team_${kind}_code_exchanges_per_s_c8`] = Math.round(med(rates[`${kind}_code`]!));
      results[`team_${kind}_refreshes_per_s_c8`] = Math.round(med(rates[`${kind}_refresh`]!));
      results[`team_${kind}_tool_call_p50_ms`] = round(quantile(p50s[kind]!, 0.5));
    }
    results.team_postgres_vs_sqlite_code_exchanges = round(
      med(rates.postgres_code!) / med(rates.sqlite_code!),
    );
    results.team_postgres_vs_sqlite_refreshes = round(
      med(rates.postgres_refresh!) / med(rates.sqlite_refresh!),
    );
    for (const e of Object.values(envs)) await e.close();
    closers.length = 0;

    // 2. One against three serve processes on one PostgreSQL, behind nginx (one proxy each, same machine).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-bench-team-'));
    closers.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const stateUrl = await createDatabase(cluster.adminUrl);
    const proxyPorts = { one: await freePort(), three: await freePort() };
    const children: Array<ReturnType<typeof spawnCli>> = [];
    closers.push(async () => {
      for (const c of children) {
        c.kill('SIGTERM');
        await exited(c);
      }
    });
    const instancesFor = async (name: 'one' | 'three', count: number) => {
      const publicUrl = `https://localhost:${proxyPorts[name]}`;
      const configFile = path.join(dir, `${name}.json`);
      const config = {
        server: { public_url: publicUrl, trusted_proxies: ['127.0.0.3'] },
        state: { url: stateUrl },
        ...NO_LIMIT,
      };
      fs.writeFileSync(configFile, JSON.stringify(config));
      const ports: number[] = [];
      for (let i = 0; i < count; i++) {
        const data = path.join(dir, `${name}-${i}`);
        fs.mkdirSync(data);
        const port = await freePort();
        children.push((await startServe(data, configFile, port, { ...process.env, ...STATE_ENV })).child);
        ports.push(port);
      }
      const proxy: TlsProxy = await startTlsProxy({
        hostname: 'localhost',
        port: proxyPorts[name],
        upstreams: ports,
        bindAddress: '127.0.0.3',
        plain: true,
      });
      closers.push(() => proxy.stop());
      // Codes minted by a core on the same database (any instance redeems them), sent through the proxy.
      const minter = await BridgeCore.start({
        config: loadConfig({ env: {}, overrides: { ...config, server: { ...config.server, port: 0 } } }),
        dataDir: fs.mkdtempSync(path.join(dir, 'minter-')),
        log: () => undefined,
        env: STATE_ENV,
      });
      closers.push(() => minter.stop());
      const target: TokenTarget = { ...bridgeTarget(minter), tokenUrl: `${proxy.url}/token` };
      const token = () => signAccessToken(minter.secrets, publicUrl, { gid: 'bench' });
      return { target, mcp: `${proxy.url}/mcp`, tokens: await Promise.all([token(), token(), token()]) };
    };
    const setups = { one: await instancesFor('one', 1), three: await instancesFor('three', 3) };
    const team: Record<string, number[]> = {};
    for (let round_ = 0; round_ < 4; round_++)
      for (const name of round_ % 2 ? (['one', 'three'] as const) : (['three', 'one'] as const)) {
        const s = setups[name];
        const r = await tokenRates(s.target, load, 16, 400);
        (team[`${name}_code`] ??= []).push(r.codeRate);
        (team[`${name}_refresh`] ??= []).push(r.refreshRate);
        (team[`${name}_call`] ??= []).push(...(await toolCalls(s.mcp, s.tokens, 2)));
      }
    for (const name of ['one', 'three']) {
      const n = name === 'one' ? 1 : 3;
      results[`team_${n}_instance_code_exchanges_per_s_c16`] = Math.round(med(team[`${name}_code`]!));
      results[`team_${n}_instance_refreshes_per_s_c16`] = Math.round(med(team[`${name}_refresh`]!));
      results[`team_${n}_instance_tool_call_p50_ms_3_clients`] = round(quantile(team[`${name}_call`]!, 0.5));
    }
    results.team_3_vs_1_instance_code_exchanges = round(med(team.three_code!) / med(team.one_code!));
  } finally {
    load.close();
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await cluster.stop();
  }
  return results;
}

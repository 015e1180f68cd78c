/**
 * The bridge beside its peers, in one run, on one TDS test server: dbhub (Bytebase) and Google's MCP Toolbox,
 * each as its npm package ships (pinned in scripts/bench-peers/package.json, installed there on first use), each
 * in its own process, loaded by one client process per server over plain Streamable HTTP. The same statement at
 * 10, 1,000 and 100,000 rows; blocks alternate between the servers so machine drift hits all alike.
 *
 * What differs, so the ratios are read right: the bridge checks a bearer token, parses the statement with its
 * guard, runs it in a transaction it rolls back, as the caller's identity where configured, and writes an audit
 * row before answering; dbhub (`--dsn`, no TOML) runs the statement as it comes; the Toolbox's
 * `mssql-execute-sql` runs it without a transaction. None of the peers knows who asked.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import sql from 'mssql';
import { sampleConnection, spawnTdsServer, type TdsServerProcess } from '@mssql-mcp-bridge/tds-test-server';
import { freePort } from '../test/support/ports.js';
import { quantile, round } from './bench-mcp.js';
import { listening, rssMb, serveBridge, stopChild } from './bench-serve.js';

const PEERS_DIR = path.join(import.meta.dirname, 'bench-peers');
const SIZES = [10, 1000, 100_000] as const;
const statement = (rows: number) =>
  `SELECT TOP ${rows} EventID, Kind, Amount, At FROM Events ORDER BY EventID`;

interface Server {
  name: 'bridge' | 'dbhub' | 'toolbox';
  pid: number;
  url: string;
  token?: string;
  tool: string;
  stop(): Promise<void>;
}

interface JobAnswer {
  times: number[];
  wallMs: number;
  textChars: number;
  bytes: number;
}

/** The pinned peers, installed once into scripts/bench-peers (npm ci; no install scripts: both ship ready). */
function ensurePeers(): void {
  const stamp = path.join(PEERS_DIR, 'node_modules', '.package-lock.json');
  const lock = path.join(PEERS_DIR, 'package-lock.json');
  if (fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  console.error('Installing the benchmark peers (dbhub, MCP Toolbox) into scripts/bench-peers …');
  const r = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: PEERS_DIR,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`npm ci in ${PEERS_DIR} failed (exit ${r.status})`);
}

function cpuSeconds(pid: number): number {
  // utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 a second on Linux).
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Stops a peer (SIGKILL: it holds nothing to keep) and removes what it was given. */
function stopper(child: ChildProcess, cleanup = () => undefined as void): () => Promise<void> {
  return async () => {
    await stopChild(child, 'SIGKILL');
    cleanup();
  };
}

async function startDbhub(tds: TdsServerProcess): Promise<Server> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      path.join(PEERS_DIR, 'node_modules/@bytebase/dbhub/dist/index.js'),
      '--transport',
      'http',
      '--port',
      String(port),
      '--dsn',
      `sqlserver://sa:Sample-Sa-Passw0rd@${tds.host}:${tds.port}/Sales?sslmode=disable`,
    ],
    { stdio: 'ignore', cwd: os.tmpdir() },
  );
  const stop = stopper(child);
  try {
    await listening(`http://127.0.0.1:${port}/`);
    return { name: 'dbhub', pid: child.pid!, url: `http://127.0.0.1:${port}/mcp`, tool: 'execute_sql', stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startToolbox(tds: TdsServerProcess): Promise<Server> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-toolbox-'));
  const config = path.join(dir, 'tools.yaml');
  fs.writeFileSync(
    config,
    [
      'kind: source',
      'name: sales',
      'type: mssql',
      `host: ${tds.host}`,
      `port: "${tds.port}"`,
      'database: Sales',
      'user: sa',
      'password: Sample-Sa-Passw0rd',
      '---',
      'kind: tool',
      'name: execute_sql',
      'type: mssql-execute-sql',
      'source: sales',
      'description: Run a SQL statement.',
      '',
    ].join('\n'),
  );
  const binary = path.join(PEERS_DIR, 'node_modules/@toolbox-sdk/server-linux-x64/bin/toolbox');
  const child = spawn(
    binary,
    ['--config', config, '--port', String(port), '--disable-version-check', '--disable-reload'],
    { stdio: 'ignore' },
  );
  const stop = stopper(child, () => fs.rmSync(dir, { recursive: true, force: true }));
  try {
    await listening(`http://127.0.0.1:${port}/`);
    return {
      name: 'toolbox',
      pid: child.pid!,
      url: `http://127.0.0.1:${port}/mcp`,
      tool: 'execute_sql',
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** One load process per server; `run` sends a job and waits for its answer line. */
function loadProcess(server: Server) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(import.meta.dirname, 'bench-peer-client.ts'),
      server.url,
      ...(server.token ? [server.token] : []),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async run(rows: number, n: number, concurrency: number): Promise<JobAnswer> {
      const args = { sql: statement(rows) };
      child.stdin.write(`${JSON.stringify({ n, concurrency, tool: server.tool, args })}\n`);
      const { value, done } = await lines.next();
      if (done) throw new Error(`the load client for ${server.name} exited`);
      return JSON.parse(value as string) as JobAnswer;
    },
    close: () => child.stdin.end(),
  };
}

/** The driver alone, in this process, on the same server: rows streamed as arrays and dropped. */
async function rawMs(pool: sql.ConnectionPool, rows: number): Promise<number> {
  const t = performance.now();
  await new Promise<void>((resolve, reject) => {
    const req = new sql.Request(pool);
    req.stream = true;
    req.arrayRowMode = true;
    req.on('error', reject);
    req.on('done', () => resolve());
    void req.query(statement(rows));
  });
  return performance.now() - t;
}

/** Appends to the list kept under `key`. */
function add(lists: Map<string, number[]>, key: string, ...values: number[]): void {
  const list = lists.get(key) ?? [];
  list.push(...values);
  lists.set(key, list);
}

/** Calls per block at each size: enough for a stable median at 10 rows, a few seconds each at 100,000. */
const PLAN: Record<(typeof SIZES)[number], { c1: number; c8: number; rounds: number }> = {
  10: { c1: 200, c8: 400, rounds: 5 },
  1000: { c1: 30, c8: 64, rounds: 4 },
  100_000: { c1: 1, c8: 0, rounds: 3 },
};

export async function peerBench(): Promise<{ results: Record<string, number>; table: string }> {
  ensurePeers();
  const tds = await spawnTdsServer({ largeTable: 100_000 });
  const servers: Server[] = [];
  const results: Record<string, number> = {};
  try {
    const bridge = await serveBridge(tds, { row_limit: 100_000 });
    servers.push({
      name: 'bridge',
      pid: bridge.pid,
      url: bridge.mcpUrl,
      token: bridge.token,
      tool: 'run_query',
      stop: bridge.stop,
    });
    servers.push(await startDbhub(tds));
    servers.push(await startToolbox(tds));
    await new Promise((r) => setTimeout(r, 2000));
    for (const s of servers) results[`${s.name}_idle_rss_mb`] = round(rssMb(s.pid), 1);
    const peak = new Map(servers.map((s) => [s.name, 0]));
    const sampler = setInterval(() => {
      for (const s of servers) peak.set(s.name, Math.max(peak.get(s.name)!, rssMb(s.pid)));
    }, 20);
    const loads = new Map(servers.map((s) => [s.name, loadProcess(s)]));
    const pool = await new sql.ConnectionPool(sampleConnection(tds, 'sa', { pool: { max: 1 } })).connect();
    try {
      // Warm-up: connections, pools, JIT.
      for (const s of servers) {
        await loads.get(s.name)!.run(10, 100, 1);
        await loads.get(s.name)!.run(10, 100, 8);
        await loads.get(s.name)!.run(1000, 10, 1);
      }
      for (const rows of SIZES) {
        const plan = PLAN[rows];
        const times = new Map<string, number[]>();
        const rates = new Map<string, number[]>();
        const cpu = new Map<string, number>();
        const tdsCpu = new Map<string, number>();
        const raw: number[] = [];
        for (let r = 0; r < plan.rounds; r++) {
          // Rotate who goes first, so no server always runs on a warmer (or cooler) machine.
          const order = servers.map((_, i) => servers[(i + r) % servers.length]!);
          for (const s of order) {
            const load = loads.get(s.name)!;
            const cpu0 = cpuSeconds(s.pid);
            const tds0 = cpuSeconds(tds.pid);
            const a = await load.run(rows, plan.c1, 1);
            cpu.set(s.name, (cpu.get(s.name) ?? 0) + cpuSeconds(s.pid) - cpu0);
            tdsCpu.set(s.name, (tdsCpu.get(s.name) ?? 0) + cpuSeconds(tds.pid) - tds0);
            add(times, s.name, ...a.times);
            add(rates, `${s.name}_c1`, (a.times.length / a.wallMs) * 1000);
            if (rows === 1000) {
              results[`${s.name}_text_chars_per_100_rows`] = Math.round(a.textChars / 10);
              results[`${s.name}_wire_bytes_per_100_rows`] = Math.round(a.bytes / 10);
            }
            if (plan.c8) {
              const b = await load.run(rows, plan.c8, 8);
              add(rates, `${s.name}_c8`, (b.times.length / b.wallMs) * 1000);
            }
          }
          raw.push(await rawMs(pool, rows));
        }
        const calls = plan.c1 * plan.rounds;
        for (const s of servers) {
          const ts = times.get(s.name)!;
          results[`${s.name}_${rows}_rows_p50_ms`] = round(quantile(ts, 0.5), 2);
          results[`${s.name}_${rows}_rows_p99_ms`] = round(quantile(ts, 0.99), 2);
          results[`${s.name}_${rows}_rows_calls_per_s_c1`] = round(
            quantile(rates.get(`${s.name}_c1`)!, 0.5),
            1,
          );
          if (plan.c8)
            results[`${s.name}_${rows}_rows_calls_per_s_c8`] = round(
              quantile(rates.get(`${s.name}_c8`)!, 0.5),
              1,
            );
          results[`${s.name}_${rows}_rows_cpu_ms_per_call`] = round((cpu.get(s.name)! / calls) * 1000, 2);
          results[`${s.name}_${rows}_rows_tds_server_cpu_ms_per_call`] = round(
            (tdsCpu.get(s.name)! / calls) * 1000,
            2,
          );
          if (rows >= 1000)
            results[`${s.name}_${rows}_rows_per_s`] = Math.round(rows / (quantile(ts, 0.5) / 1000));
        }
        if (rows >= 1000) {
          results[`raw_mssql_${rows}_rows_per_s`] = Math.round(rows / (quantile(raw, 0.5) / 1000));
          results[`run_query_vs_raw_mssql_${rows}_rows`] = round(
            results[`bridge_${rows}_rows_per_s`]! / results[`raw_mssql_${rows}_rows_per_s`]!,
          );
        } else results[`raw_mssql_${rows}_rows_p50_ms`] = round(quantile(raw, 0.5), 2);
      }
    } finally {
      clearInterval(sampler);
      for (const l of loads.values()) l.close();
      await pool.close();
    }
    for (const s of servers) results[`${s.name}_peak_rss_mb`] = round(peak.get(s.name)!, 1);
    for (const peer of ['dbhub', 'toolbox']) {
      results[`bridge_vs_${peer}_10_rows_p50`] = round(
        results.bridge_10_rows_p50_ms! / results[`${peer}_10_rows_p50_ms`]!,
      );
      for (const c of ['c1', 'c8'])
        results[`bridge_vs_${peer}_10_rows_calls_per_s_${c}`] = round(
          results[`bridge_10_rows_calls_per_s_${c}`]! / results[`${peer}_10_rows_calls_per_s_${c}`]!,
        );
    }
    return { results, table: peerTable(results) };
  } finally {
    for (const s of servers) await s.stop().catch(() => undefined);
    await tds.stop();
  }
}

/** The side-by-side table, one row per figure, one column per server. */
function peerTable(r: Record<string, number>): string {
  const names = ['bridge', 'dbhub', 'toolbox'];
  const rows: Array<[string, string]> = [];
  const figure = (label: string, key: (n: string) => string) =>
    rows.push([label, names.map((n) => String(r[key(n)] ?? '-').padStart(10)).join(' ')]);
  for (const size of SIZES) {
    figure(`${size} rows: p50 ms`, (n) => `${n}_${size}_rows_p50_ms`);
    figure(`${size} rows: p99 ms`, (n) => `${n}_${size}_rows_p99_ms`);
    figure(`${size} rows: calls/s, concurrency 1`, (n) => `${n}_${size}_rows_calls_per_s_c1`);
    if (PLAN[size].c8)
      figure(`${size} rows: calls/s, concurrency 8`, (n) => `${n}_${size}_rows_calls_per_s_c8`);
    figure(`${size} rows: server CPU ms per call`, (n) => `${n}_${size}_rows_cpu_ms_per_call`);
    figure(`${size} rows: TDS server CPU ms per call`, (n) => `${n}_${size}_rows_tds_server_cpu_ms_per_call`);
  }
  figure('text characters per 100 rows', (n) => `${n}_text_chars_per_100_rows`);
  figure('HTTP body bytes per 100 rows', (n) => `${n}_wire_bytes_per_100_rows`);
  figure('RSS idle MB', (n) => `${n}_idle_rss_mb`);
  figure('RSS peak MB', (n) => `${n}_peak_rss_mb`);
  const head = `${'figure'.padEnd(40)} ${names.map((n) => n.padStart(10)).join(' ')}`;
  return [head, ...rows.map(([l, v]) => `${l.padEnd(40)} ${v}`)].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  peerBench().then(
    ({ results, table }) => {
      console.log(`\n${table}\n`);
      console.log(JSON.stringify(results, null, 2));
      process.exit(0);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}

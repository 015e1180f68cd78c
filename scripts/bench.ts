/**
 * `npm run bench`: the hot paths, measured in one run on this machine, printed as a table and as JSON.
 * Everything is local: the test IdP, the TDS test server (PGlite) and the bridge run in this process.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import sql from 'mssql';
import { McpServer } from '@modelcontextprotocol/server';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { loadConfig } from '../app/main/config/load.js';
import { BridgeCore } from '../app/main/core.js';
import { identityTools } from '../app/main/mcp/tools.js';
import { decideAccess } from '../app/main/policy/access-policy.js';
import { KeytarSecretStore } from '../app/main/secrets/secret-store.js';
import { startEnv } from '../test/support/harness.js';
import { mcpClient, signIn } from '../test/support/mcp-client.js';
import { forgeAccessToken } from '../test/support/forge-token.js';
import { loadSigningKey } from '../app/main/oauth/signing-key.js';
import { bridgeTarget, plainOidcProvider, tokenLoadClient, tokenRates } from './bench-token.js';
import { coreMemory, loadClient, quantile, resultSize, round, type ToolResult } from './bench-mcp.js';
import { teamBench } from './bench-team.js';
import { peerBench } from './bench-peers.js';
import { createLargeTable, sampleConnection, spawnTdsServer } from '@mssql-mcp-bridge/tds-test-server';

async function rate(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return n / ((performance.now() - t) / 1000);
}

/** The same whoami tool served without any authentication, as the baseline for bearer-auth overhead. */
async function unauthenticatedServer(): Promise<{ url: string; close: () => void }> {
  const app = express();
  app.use(express.json());
  const transports = new Map<string, NodeStreamableHTTPServerTransport>();
  const caller = {
    identity: { subject: 'bench', issuer: 'x', idp: 'x', groups: [], dbUser: 'bench' },
    grantId: 'g',
    jti: 'j',
  };
  app.all('/mcp', async (req, res) => {
    const id = req.header('mcp-session-id');
    let transport = id ? transports.get(id) : undefined;
    if (!transport) {
      const server = new McpServer({ name: 'baseline', version: '1' }, { capabilities: { tools: {} } });
      identityTools()(server, {
        caller,
        clientId: 'bench',
        scopes: ['mcp:tools'],
        access: () => decideAccess(caller.identity, undefined),
        gated: [],
        ui: false,
      });
      const t: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        onsessioninitialized: (sid) => void transports.set(sid, t),
      });
      await server.connect(t);
      transport = t;
    }
    await transport.handleRequest(req, res, req.body);
  });
  const srv = app.listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  return {
    url: `http://127.0.0.1:${(srv.address() as { port: number }).port}/mcp`,
    close: () => srv.close(),
  };
}

async function main(): Promise<void> {
  const env = await startEnv({
    config: { oauth: { token_requests_per_minute: 1_000_000 } },
    sql: { row_limit: 1_000_000, query_timeout_seconds: 120, pool_max: 2 },
  });
  const results: Record<string, number | string> = {};
  try {
    // 1. tools/call round trip from a separate client process: the bridge with bearer auth, the same bridge
    // (same session, same middleware) with token verification switched off, and a bare SDK server for context.
    const { tokens } = await signIn(env, { user: 'bob' });
    const authed = await mcpClient(env.core.urls().mcp, tokens.access_token);
    const verify = env.core.tokens.verify.bind(env.core.tokens);
    const constant = await verify(tokens.access_token);
    const client = loadClient(env.core.urls().mcp, tokens.access_token);
    const base = await unauthenticatedServer();
    const bare = loadClient(base.url);
    const a: number[] = [];
    const b: number[] = [];
    const c: number[] = [];
    // Interleaved blocks so machine drift hits all three alike.
    const withAuth = async () => {
      env.core.tokens.verify = verify;
      a.push(...(await client.block(300)));
    };
    const withoutAuth = async () => {
      env.core.tokens.verify = async () => constant;
      b.push(...(await client.block(300)));
    };
    for (let i = 0; i < 10; i++) {
      // Alternate which goes first, so neither always runs on a warmer machine.
      if (i % 2) await withAuth().then(withoutAuth);
      else await withoutAuth().then(withAuth);
      c.push(...(await bare.block(300)));
    }
    env.core.tokens.verify = verify;
    client.close();
    bare.close();
    base.close();
    results.tool_call_p50_ms = round(quantile(a, 0.5));
    results.tool_call_p99_ms = round(quantile(a, 0.99));
    results.tool_call_noauth_p50_ms = round(quantile(b, 0.5));
    results.tool_call_noauth_p99_ms = round(quantile(b, 0.99));
    results.auth_overhead_ratio = round(quantile(a, 0.5) / quantile(b, 0.5));
    results.tool_call_bare_sdk_server_p50_ms = round(quantile(c, 0.5));

    // 2. Token endpoint against oidc-provider alone (in-memory adapter), interleaved so drift hits both, and
    // token verification.
    const bridgeAs = bridgeTarget(env.core);
    const plainAs = await plainOidcProvider((await loadSigningKey(env.core.secrets)).privateJwk);
    const load = tokenLoadClient();
    for (const c of [1, 8]) {
      const bridge: Array<{ codeRate: number; refreshRate: number }> = [];
      const plain: typeof bridge = [];
      for (let i = 0; i < 6; i++) {
        // Alternate which goes first, so neither always runs on a warmer machine.
        const order = i % 2 ? ([bridgeAs, plainAs] as const) : ([plainAs, bridgeAs] as const);
        for (const t of order) (t === bridgeAs ? bridge : plain).push(await tokenRates(t, load, c, 400));
      }
      // The first pair warms both up.
      const med = (xs: Array<{ codeRate: number; refreshRate: number }>, k: 'codeRate' | 'refreshRate') =>
        quantile(
          xs.slice(1).map((r) => r[k]),
          0.5,
        );
      results[`code_exchanges_per_s_c${c}`] = Math.round(med(bridge, 'codeRate'));
      results[`refreshes_per_s_c${c}`] = Math.round(med(bridge, 'refreshRate'));
      results[`code_exchange_vs_oidc_provider_c${c}`] = round(
        med(bridge, 'codeRate') / med(plain, 'codeRate'),
      );
      results[`refresh_vs_oidc_provider_c${c}`] = round(
        med(bridge, 'refreshRate') / med(plain, 'refreshRate'),
      );
    }
    load.close();
    await plainAs.close();
    // First use of a token checks the ES256 signature; later uses hit the verified-token cache.
    const fresh = await Promise.all(
      Array.from({ length: 3000 }, () => forgeAccessToken(env, { gid: constant.extra!.grantId as string })),
    );
    results.token_verifications_per_s = Math.round(
      await rate(fresh.length, (i) => env.core.tokens.verify(fresh[i]!)),
    );
    results.token_verifications_cached_per_s = Math.round(
      await rate(20_000, () => env.core.tokens.verify(tokens.access_token)),
    );

    // 3. run_query throughput vs raw mssql on the same TDS test server, and memory with a row limit.
    await createLargeTable(env.sql!, 'Sales', 1_000_000);
    const rows = 200_000;
    const viaBridgeOnce = async () => {
      const t0 = performance.now();
      const q = (await authed.callTool(
        { name: 'run_query', arguments: { sql: 'SELECT * FROM Events', maxRows: rows } },
        undefined,
        { timeout: 600_000 },
      )) as { structuredContent?: { rowCount: number } };
      return q.structuredContent!.rowCount / ((performance.now() - t0) / 1000);
    };
    const pool = await new sql.ConnectionPool(sampleConnection(env.sql!)).connect();
    // The driver at its fastest: streaming, rows as arrays, nothing kept.
    const rawOnce = async () => {
      const t1 = performance.now();
      let seen = 0;
      await new Promise<void>((resolve, reject) => {
        const req = new sql.Request(pool);
        req.stream = true;
        req.arrayRowMode = true;
        req.on('row', () => {
          if (++seen === rows) req.cancel();
        });
        req.on('error', (e: { code?: string }) => (e.code === 'ECANCEL' ? undefined : reject(e)));
        req.on('done', () => resolve());
        void req.query('SELECT * FROM Events');
      });
      return seen / ((performance.now() - t1) / 1000);
    };
    // Twice each, interleaved; the better run of each counts (both share this process with the TDS server).
    let viaBridge = 0;
    let raw = 0;
    for (let i = 0; i < 2; i++) {
      viaBridge = Math.max(viaBridge, await viaBridgeOnce());
      raw = Math.max(raw, await rawOnce());
    }
    await pool.close();
    results.run_query_rows_per_s = Math.round(viaBridge);
    results.raw_mssql_rows_per_s = Math.round(raw);
    results.run_query_vs_raw_ratio = round(viaBridge / raw);

    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    await env.core.connections.save({
      ...(await env.core.connections.get('sales'))!,
      id: 'limited',
      auth: { type: 'sql', user: 'bridge_svc', password: 'Bridge-Svc-Passw0rd' },
      row_limit: 1000,
    });
    const limited = (await authed.callTool({
      name: 'run_query',
      arguments: { connection: 'limited', sql: 'SELECT * FROM Events' },
    })) as { structuredContent?: { truncated: boolean } };
    clearInterval(sampler);
    results.million_row_query_limit_1000_truncated = String(limited.structuredContent?.truncated);
    results.million_row_query_rss_growth_mb = round((peak - rssBefore) / 1024 / 1024, 1);
    Object.assign(
      results,
      await resultSize(
        async (text) =>
          (await authed.callTool({
            name: 'run_query',
            arguments: { connection: 'sales', sql: text },
          })) as ToolResult,
      ),
    );
    await authed.close();

    // 4. Headless core start-to-ready (keychain, state, signing key, listening).
    const starts: number[] = [];
    const service = `mssql-mcp-bridge-bench-${crypto.randomUUID()}`;
    for (let i = 0; i < 5; i++) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-bench-'));
      const t = performance.now();
      const core = await BridgeCore.start({
        config: loadConfig({ env: {}, overrides: { server: { port: 0 }, secrets: { service } } }),
        dataDir: dir,
        log: () => undefined,
      });
      starts.push(performance.now() - t);
      await core.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const store = await KeytarSecretStore.open(service);
    for (const acc of await store.accounts()) await store.delete(acc);
    results.core_start_first_ms = round(starts[0]!, 1);
    results.core_start_p50_ms = round(quantile(starts, 0.5), 1);
  } finally {
    await env.close();
  }

  // 5. Stopping early against the TDS test server in its own process, as users run it: time to the first row,
  // and from the cancel at row 1,000 to the end of the request, with 10^3, 10^5 and 10^6 rows left behind.
  const tds = await spawnTdsServer({ largeTable: 1_000_000 });
  try {
    const pool = await new sql.ConnectionPool(sampleConnection(tds, 'sa', { pool: { max: 1 } })).connect();
    for (const left of [1_000, 100_000, 999_000]) {
      const firstRow: number[] = [];
      const stop: number[] = [];
      for (let run = 0; run < 5; run++) {
        const m = await capped(pool, `SELECT TOP ${1000 + left} * FROM Events ORDER BY EventID`, 1000);
        firstRow.push(m.firstRowMs);
        stop.push(m.stopMs);
      }
      const label = left === 999_000 ? '1e6' : left === 100_000 ? '1e5' : '1e3';
      results[`capped_first_row_ms_${label}_left`] = round(quantile(firstRow, 0.5), 1);
      results[`capped_stop_ms_${label}_left`] = round(quantile(stop, 0.5), 1);
    }
    await pool.close();
  } finally {
    await tds.stop();
  }

  // 6. The headless core in its own process: idle memory and its swing under 200 queries of 1,000 rows.
  Object.assign(results, await coreMemory());

  // 7. Team mode: PostgreSQL against SQLite, and one against three instances behind nginx.
  Object.assign(results, await teamBench());

  // 8. The peers: dbhub and the MCP Toolbox beside the bridge as it ships, on one TDS test server.
  const peers = await peerBench();
  Object.assign(results, peers.results);

  const machine = `${os.cpus().length}x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const targets: Record<string, string> = {
    auth_overhead_ratio: '<= 1.05',
    tool_call_p50_ms: '<= 1',
    run_query_vs_raw_ratio: '>= 0.8',
    core_start_p50_ms: '< 1000',
    code_exchange_vs_oidc_provider_c1: '>= 0.8',
    code_exchange_vs_oidc_provider_c8: '>= 0.8',
    refresh_vs_oidc_provider_c1: '>= 0.8',
    refresh_vs_oidc_provider_c8: '>= 0.8',
    result_text_size_ratio: '<= 0.5',
    core_idle_rss_mb: '<= 150',
    core_rss_swing_200_queries_mb: '<= 50',
    team_postgres_vs_sqlite_code_exchanges: '>= 0.7',
    team_postgres_vs_sqlite_refreshes: '>= 0.7',
    bridge_vs_dbhub_10_rows_p50: '<= 1.0',
    bridge_vs_toolbox_10_rows_p50: '<= 1.5',
    bridge_vs_dbhub_10_rows_calls_per_s_c1: '>= 1.0',
    bridge_vs_dbhub_10_rows_calls_per_s_c8: '>= 1.0',
    run_query_vs_raw_mssql_1000_rows: '>= 0.9',
    run_query_vs_raw_mssql_100000_rows: '>= 0.9',
    bridge_idle_rss_mb: '<= 150',
  };
  console.log(`\nMSSQL MCP Bridge benchmark (${machine})\n`);
  console.log(`Beside the peers (same TDS test server, same statements, one run):\n${peers.table}\n`);
  for (const [k, v] of Object.entries(results))
    console.log(`${k.padEnd(40)} ${String(v).padStart(12)}  ${targets[k] ? `target ${targets[k]}` : ''}`);
  console.log(`\n${JSON.stringify({ machine, results }, null, 2)}`);
}

/** One capped streaming read: when its first row came, and how long the cancel at `limit` took to finish. */
function capped(
  pool: sql.ConnectionPool,
  text: string,
  limit: number,
): Promise<{ firstRowMs: number; stopMs: number }> {
  return new Promise((resolve, reject) => {
    const request = pool.request();
    request.stream = true;
    request.arrayRowMode = true;
    const started = performance.now();
    let first = 0;
    let cancelled = 0;
    let n = 0;
    request.on('row', () => {
      if (n === 0) first = performance.now() - started;
      if (++n === limit) {
        cancelled = performance.now();
        request.cancel();
      }
    });
    request.on('error', (err: { code?: string }) => {
      if (err.code !== 'ECANCEL') reject(err);
    });
    request.on('done', () => resolve({ firstRowMs: first, stopMs: performance.now() - cancelled }));
    void request.query(text);
  });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

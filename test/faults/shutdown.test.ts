import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import {
  createLargeTable,
  sampleDatabase,
  SAMPLE_LOGINS,
  startTdsServer,
  type TdsServer,
} from '@mssql-mcp-bridge/tds-test-server';
import { forgeAccessTokenFor } from '../support/forge-token.js';
import { tdsProfile } from '../support/harness.js';
import { mcpClient } from '../support/mcp-client.js';
import { exited, removeSecrets, startServe } from '../support/processes.js';

/**
 * SIGTERM while MCP calls run (issue 13, case 5): `serve` stops taking MCP requests (503 with a sentence), lets
 * running calls finish within `server.shutdown_grace_seconds`, answers the ones still running with a JSON-RPC
 * error saying the bridge is stopping (never an empty 200), and exits 0.
 */
let sql: TdsServer;
beforeAll(async () => {
  sql = await startTdsServer({ logins: SAMPLE_LOGINS, databases: [sampleDatabase()] });
  await createLargeTable(sql, 'Sales', 300_000);
}, 120_000);
afterAll(async () => {
  await sql?.stop();
});

describe('SIGTERM with MCP calls running', () => {
  it('finishes short calls, answers long ones with a JSON-RPC error, refuses new ones, and exits 0', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-stop-'));
    const service = `mssql-mcp-bridge-test-${crypto.randomUUID()}`;
    const configFile = path.join(dataDir, 'config.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        secrets: { service },
        server: { shutdown_grace_seconds: 10 },
        sql: { profiles: [tdsProfile(sql, { row_limit: 1_000_000, query_timeout_seconds: 120 })] },
      }),
    );
    const { child, origin } = await startServe(dataDir, configFile);
    try {
      const bearer = await forgeAccessTokenFor(service, origin, 'bob');
      // A 2026-07-28 call that finishes within the grace (the TDS test server runs one statement at a time, so it
      // is sent first).
      const modern = new Client({ name: 't', version: '1' }, { versionNegotiation: { mode: 'auto' } });
      await modern.connect(
        new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${bearer}` } },
        }),
      );
      const short = modern.callTool({
        name: 'run_query',
        arguments: { sql: 'SELECT TOP 20000 * FROM Events ORDER BY EventID' },
      });
      await new Promise((r) => setTimeout(r, 300));
      // A 2025-era session (its answer streams as SSE) runs a statement that needs far longer than the grace.
      const legacy = await mcpClient(`${origin}/mcp`, bearer);
      const long = legacy
        .callTool(
          { name: 'run_query', arguments: { sql: 'SELECT e.*, r.Name FROM Events e CROSS JOIN Regions r' } },
          undefined,
          {
            timeout: 60_000,
          },
        )
        .then(
          (r) => ({ ok: true as const, r }),
          (err: Error) => ({ ok: false as const, message: err.message }),
        );
      await new Promise((r) => setTimeout(r, 200));
      const stoppedAt = Date.now();
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));

      // New MCP requests are refused with a sentence while the bridge drains.
      const refused = await fetch(`${origin}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list', params: {} }),
      });
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
        'MSSQL MCP Bridge is stopping',
      );

      const finished = (await short) as { isError?: boolean; structuredContent?: { rowCount: number } };
      expect(finished.isError).toBeFalsy();
      expect(finished.structuredContent?.rowCount).toBe(20000);

      const answer = await long;
      expect(answer.ok).toBe(false);
      expect(answer.ok ? '' : answer.message).toContain('MSSQL MCP Bridge is stopping');
      expect(Date.now() - stoppedAt).toBeLessThan(16_000);
      expect(await exited(child)).toBe(0);
      expect(child.output()).toContain('Received SIGTERM, stopping...');
      await legacy.close().catch(() => undefined);
      await modern.close().catch(() => undefined);
    } finally {
      child.kill('SIGKILL');
      await removeSecrets(service);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('a 2026-07-28 call still running at the end of the grace gets the sentence, and the stop is clean (exit 0, no WAL left)', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-stop-'));
    const service = `mssql-mcp-bridge-test-${crypto.randomUUID()}`;
    const configFile = path.join(dataDir, 'config.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        secrets: { service },
        server: { shutdown_grace_seconds: 1 },
        sql: { profiles: [tdsProfile(sql, { row_limit: 1_000_000, query_timeout_seconds: 120 })] },
      }),
    );
    const { child, origin } = await startServe(dataDir, configFile);
    try {
      const bearer = await forgeAccessTokenFor(service, origin, 'bob');
      const modern = new Client({ name: 't', version: '1' }, { versionNegotiation: { mode: 'auto' } });
      await modern.connect(
        new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${bearer}` } },
        }),
      );
      const long = modern
        .callTool(
          { name: 'run_query', arguments: { sql: 'SELECT e.*, r.Name FROM Events e CROSS JOIN Regions r' } },
          { timeout: 60_000 },
        )
        .then(
          (r) => ({ ok: true as const, r }),
          (err: Error) => ({ ok: false as const, message: err.message }),
        );
      await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGTERM');
      const answer = await long;
      expect(answer.ok ? JSON.stringify(answer.r) : answer.message).toContain('MSSQL MCP Bridge is stopping');
      expect(await exited(child)).toBe(0);
      expect(child.output()).not.toContain('ERR_HTTP_HEADERS_SENT');
      // The state database was closed: its WAL checkpointed and removed.
      expect(fs.existsSync(path.join(dataDir, 'state.db-wal'))).toBe(false);
      await modern.close().catch(() => undefined);
    } finally {
      child.kill('SIGKILL');
      await removeSecrets(service);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

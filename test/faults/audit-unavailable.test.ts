/**
 * No call runs unaudited: the audit entry is written (and its commit checked) before a tool call runs, so when
 * the state database cannot take it — here another process holds the database's write lock, as a backup tool or
 * a stuck editor would; a full or read-only disk fails the same commit — the call is refused with a sentence
 * naming the cause and the fix, and no SQL is sent. Once the database takes writes again, calls run and are
 * audited. Real process (`serve`), real SQLite file.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  sampleDatabase,
  SAMPLE_LOGINS,
  startTdsServer,
  type TdsServer,
} from '@mssql-mcp-bridge/tds-test-server';
import { forgeAccessTokenFor } from '../support/forge-token.js';
import { tdsProfile } from '../support/harness.js';
import { mcpClient } from '../support/mcp-client.js';
import { removeSecrets, startServe } from '../support/processes.js';

let sql: TdsServer;
beforeAll(async () => {
  sql = await startTdsServer({ logins: SAMPLE_LOGINS, databases: [sampleDatabase()] });
}, 60_000);
afterAll(async () => {
  await sql?.stop();
});

type Out = {
  isError?: boolean;
  content: Array<{ text?: string }>;
  structuredContent?: { rows?: unknown[][] };
};

describe('the audit log cannot be written', () => {
  it('a tool call is refused with the cause and the fix, nothing runs, and calls resume once it can', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-audit-'));
    const service = `mssql-mcp-bridge-test-${crypto.randomUUID()}`;
    const configFile = path.join(dataDir, 'config.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({ secrets: { service }, sql: { profiles: [tdsProfile(sql)] } }),
    );
    const { child, origin } = await startServe(dataDir, configFile);
    const locker = new Database(path.join(dataDir, 'state.db'));
    try {
      const client = await mcpClient(`${origin}/mcp`, await forgeAccessTokenFor(service, origin, 'bob'));
      const query = (text: string) =>
        client.callTool({ name: 'run_query', arguments: { sql: text } }) as Promise<Out>;
      expect((await query('SELECT 1 AS one')).structuredContent?.rows).toEqual([[1]]);
      const before = (locker.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n;

      locker.exec('BEGIN EXCLUSIVE');
      const refused = await query('SELECT 2 AS two');
      locker.exec('ROLLBACK');
      expect(refused.isError).toBe(true);
      expect(refused.content[0]!.text).toBe(
        'This call was not run: the audit log could not be written, and no call runs unaudited. ' +
          `The state database ${path.join(dataDir, 'state.db')} cannot be used (SQLITE_BUSY: database is locked): another program holds its lock. ` +
          'End the other program (a database browser, a backup, a second bridge on the same data directory), then retry.',
      );
      expect(refused.structuredContent).toBeUndefined();

      const again = await query('SELECT 3 AS three');
      expect(again.structuredContent?.rows).toEqual([[3]]);
      const rows = locker
        .prepare(
          'SELECT statement, outcome FROM audit WHERE id > (SELECT MAX(id) FROM audit) - 10 ORDER BY id',
        )
        .all() as Array<{ statement: string; outcome: string }>;
      // Every call that ran is in the audit; the refused one never ran.
      expect(rows.map((r) => r.statement)).toContain('SELECT 3 AS three');
      expect(rows.map((r) => r.statement)).not.toContain('SELECT 2 AS two');
      expect((locker.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n).toBe(before + 1);
      expect(rows.find((r) => r.statement === 'SELECT 3 AS three')!.outcome).toBe('ok');
      await client.close();
    } finally {
      locker.close();
      child.kill('SIGKILL');
      await removeSecrets(service);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

/**
 * The read-only path measured on the published corpus (corpus/reads.sql, corpus/reads-2022.sql,
 * corpus/escapes.sql), as `npm run corpus` prints it. Targets: every escape refused, every read accepted by the
 * guard, >= 97% of all reads executed on the TDS test server.
 */
import { describe, expect, it } from 'vitest';
import sql from 'mssql';
import {
  sampleConnection,
  sampleDatabase,
  SAMPLE_LOGINS,
  startTdsServer,
} from '@mssql-mcp-bridge/tds-test-server';
import { runCorpus, summary } from '../../corpus/run.js';

describe('read-only corpus', () => {
  it('meets its targets: escapes refused 100%, reads accepted 100%, reads executed >= 97%', async () => {
    const r = await runCorpus();
    console.log(summary(r).join('\n'));
    expect(r.reads.total).toBeGreaterThanOrEqual(300);
    expect(r.recent.total).toBeGreaterThanOrEqual(150);
    expect(r.escapes.total).toBeGreaterThanOrEqual(150);
    expect(r.escapes.accepted.map((e) => e.entry.sql)).toEqual([]);
    // No read refused by the guard, SQL Server 2017-2022 constructs included.
    expect(r.reads.refused.map((x) => `${x.entry.line}: ${x.detail}`)).toEqual([]);
    expect(r.recent.refused.map((x) => `${x.entry.line}: ${x.detail}`)).toEqual([]);
    const executed = r.reads.executed.length + r.recent.executed.length;
    expect(executed / (r.reads.total + r.recent.total)).toBeGreaterThanOrEqual(0.97);
    expect(r.reads.executed.length / r.reads.total).toBeGreaterThanOrEqual(0.97);
    expect(r.recent.executed.length / r.recent.total).toBeGreaterThanOrEqual(0.97);
  }, 120_000);

  it('with a SQL Server to compare (MSSQL_TEST_URL), lists every read whose answer differs from the test server', async () => {
    // A second test server stands in for SQL Server, one region renamed so that reads of it answer differently.
    const other = await startTdsServer({ logins: SAMPLE_LOGINS, databases: [sampleDatabase()] });
    try {
      const sa = sampleConnection(other, 'sa');
      const pool = await new sql.ConnectionPool(sa).connect();
      await pool.request().batch("UPDATE dbo.Regions SET Name = N'Nord' WHERE RegionID = 1");
      await pool.close();
      const url = `Server=${sa.server},${sa.port};Database=Sales;User Id=${sa.user};Password=${sa.password};Encrypt=false;TrustServerCertificate=true`;
      const r = await runCorpus({ url });
      expect(r.target).toBe('SQL Server (MSSQL_TEST_URL)');
      const regions = r.differences.find((d) => d.entry.sql.trim() === 'SELECT * FROM dbo.Regions');
      expect(regions?.sqlServer).toContain('Nord');
      expect(regions?.testServer).toContain('North');
      // Reads that do not touch the region's name answer alike.
      expect(r.differences.map((d) => d.entry.sql)).not.toContain(
        'SELECT COUNT(*) AS CustomerCount FROM dbo.Customers',
      );
    } finally {
      await other.stop();
    }
  }, 180_000);
});

/**
 * Measures the read-only path on the published corpus: how many reads the guard accepts, how many of those
 * run (through the real mssql driver, impersonating the sample DBA as the bridge does, in a transaction
 * that is rolled back), and how many escapes the guard refuses. Against the TDS test server by default;
 * against a real SQL Server holding the sample database when MSSQL_TEST_URL is set.
 */
import fs from 'node:fs';
import path from 'node:path';
import sql from 'mssql';
import {
  grantImpersonation,
  sampleConnection,
  sampleDatabase,
  SAMPLE_LOGINS,
  startTdsServer,
} from '@mssql-mcp-bridge/tds-test-server';
import { checkStatement, type GuardPolicy } from '../app/main/sql/guard.js';
import { streamRows } from '../app/main/sql/runner.js';

export interface CorpusEntry {
  category: string;
  sql: string;
  /** Line of the entry's first statement text in its file. */
  line: number;
}

export interface Outcome {
  entry: CorpusEntry;
  ok: boolean;
  detail?: string;
  rows?: number;
  /** The first result set's columns and rows (compared between servers). */
  result?: { columns: string[]; rows: unknown[][] };
}

export interface ReadsReport {
  file: string;
  total: number;
  accepted: Outcome[];
  refused: Outcome[];
  executed: Outcome[];
  failed: Outcome[];
}

export interface CorpusReport {
  target: string;
  /** reads.sql: what analysts and LLMs write. */
  reads: ReadsReport;
  /** reads-2022.sql: the constructs SQL Server 2017-2022 added, measured apart. */
  recent: ReadsReport;
  escapes: { total: number; refused: Outcome[]; accepted: Outcome[] };
}

const DIR = import.meta.dirname;
/** The demo's connection policy: system databases blocked. */
export const POLICY: GuardPolicy = {
  mode: 'read',
  blockedDatabases: ['master', 'msdb', 'tempdb', 'model'],
  allowedDatabases: [],
};

/** Batches separated by lines holding only GO; `-- @category NAME` names the batches that follow. */
export function loadCorpus(file: 'reads' | 'reads-2022' | 'escapes'): CorpusEntry[] {
  const lines = fs.readFileSync(path.join(DIR, `${file}.sql`), 'utf8').split('\n');
  const entries: CorpusEntry[] = [];
  let category = 'uncategorised';
  let buf: string[] = [];
  let start = 0;
  const flush = () => {
    const text = buf.join('\n').trim();
    if (buf.length && (text || file === 'escapes'))
      entries.push({ category, sql: buf.join('\n'), line: start });
    buf = [];
  };
  lines.forEach((raw, i) => {
    const line = raw.trimEnd();
    const cat = /^-- @category (\S+)/.exec(line);
    if (cat) {
      category = cat[1]!;
      return;
    }
    if (line.trim().toUpperCase() === 'GO') {
      flush();
      return;
    }
    // Line comments and blank lines before an entry's first statement belong to the file, not the entry.
    if (!buf.length && (line === '' || line.startsWith('--'))) return;
    if (!buf.length) start = i + 1;
    buf.push(raw);
  });
  flush();
  return entries;
}

/** The guard's verdict on each read of a file, before anything runs. */
function guardReads(file: 'reads' | 'reads-2022'): ReadsReport {
  const reads = loadCorpus(file);
  const verdicts = reads.map((entry) => ({ entry, verdict: checkStatement(entry.sql, POLICY) }));
  return {
    file: `${file}.sql`,
    total: reads.length,
    accepted: verdicts.filter((v) => v.verdict.ok).map((v) => ({ entry: v.entry, ok: true })),
    refused: verdicts
      .filter((v) => !v.verdict.ok)
      .map((v) => ({ entry: v.entry, ok: false, detail: (v.verdict as { reason: string }).reason })),
    executed: [],
    failed: [],
  };
}

/** A read whose answer on SQL Server is not the test server's (only measured with a SQL Server to compare). */
export interface Difference {
  file: string;
  entry: CorpusEntry;
  sqlServer: string;
  testServer: string;
}

/**
 * Runs the corpus. With a SQL Server (`url`, by default MSSQL_TEST_URL) the reads run there and, for comparison,
 * on the TDS test server too: every read whose rows or outcome differ is listed in `differences`.
 */
export async function runCorpus(
  opts: { log?: (s: string) => void; url?: string } = {},
): Promise<CorpusReport & { differences: Difference[] }> {
  const sets = [guardReads('reads'), guardReads('reads-2022')];
  const escapes = loadCorpus('escapes');
  const escapeVerdicts = escapes.map((entry) => ({ entry, verdict: checkStatement(entry.sql, POLICY) }));

  const url = opts.url ?? process.env.MSSQL_TEST_URL;
  const tds = await startTdsServer({ logins: SAMPLE_LOGINS, databases: [sampleDatabase()] });
  const differences: Difference[] = [];
  try {
    await grantImpersonation(tds, 'bridge_svc', ['alice', 'bob']);
    const testPool = await new sql.ConnectionPool(
      sampleConnection(tds, 'bridge_svc', { pool: { max: 1 } }),
    ).connect();
    const realPool = url ? await new sql.ConnectionPool(url).connect() : undefined;
    try {
      if (realPool) await ensureSampleSchema(realPool);
      for (const set of sets)
        for (const a of set.accepted) {
          const onTest = await execute(testPool, a.entry, true);
          const outcome = realPool ? await execute(realPool, a.entry, false) : onTest;
          (outcome.ok ? set.executed : set.failed).push(outcome);
          if (!outcome.ok)
            opts.log?.(
              `not executed: ${set.file} ${a.entry.category} line ${a.entry.line}: ${outcome.detail}`,
            );
          if (realPool && answer(outcome) !== answer(onTest))
            differences.push({
              file: set.file,
              entry: a.entry,
              sqlServer: answer(outcome).slice(0, 300),
              testServer: answer(onTest).slice(0, 300),
            });
        }
    } finally {
      await testPool.close();
      await realPool?.close();
    }
  } finally {
    await tds.stop();
  }
  return {
    target: url ? 'SQL Server (MSSQL_TEST_URL)' : 'TDS test server',
    reads: sets[0]!,
    recent: sets[1]!,
    escapes: {
      total: escapes.length,
      refused: escapeVerdicts.filter((v) => !v.verdict.ok).map((v) => ({ entry: v.entry, ok: true })),
      accepted: escapeVerdicts.filter((v) => v.verdict.ok).map((v) => ({ entry: v.entry, ok: false })),
    },
    differences,
  };
}

/** What a read answered, comparable between servers: its rows as JSON, or its error. */
const answer = (o: Outcome): string => (o.ok ? JSON.stringify(o.result) : `error: ${o.detail}`);

/** On a real SQL Server: the sample schema and data, once, in the URL's database. */
async function ensureSampleSchema(pool: sql.ConnectionPool): Promise<void> {
  const exists = await pool.request().query("SELECT OBJECT_ID('dbo.Orders') AS id");
  if (exists.recordset[0]?.id) return;
  const script = fs.readFileSync(path.join(DIR, 'sales-sqlserver.sql'), 'utf8');
  for (const batch of script.split(/^GO\s*$/m)) if (batch.trim()) await pool.request().batch(batch);
}

/** As the bridge runs a read: USE, EXECUTE AS USER (the sample DBA, who may read every table), rollback. */
async function execute(pool: sql.ConnectionPool, entry: CorpusEntry, impersonate: boolean): Promise<Outcome> {
  const tx = new sql.Transaction(pool);
  await tx.begin();
  try {
    if (impersonate) await new sql.Request(tx).batch('USE [Sales]');
    if (impersonate) await new sql.Request(tx).batch("EXECUTE AS USER = N'bob'");
    const r = await streamRows(new sql.Request(tx), entry.sql, { limit: 1000, deadlineMs: 20_000 });
    return {
      entry,
      ok: true,
      rows: r.rowCount,
      result: { columns: r.columns.map((c) => c.name), rows: r.rows },
    };
  } catch (err) {
    return { entry, ok: false, detail: (err as Error).message.split('\n')[0] };
  } finally {
    await tx.rollback().catch(() => undefined);
  }
}

const pct = (n: number, d: number) => `${((100 * n) / Math.max(d, 1)).toFixed(1)}%`;

export function summary(r: CorpusReport): string[] {
  const line = (set: ReadsReport, label: string) =>
    `${label}: accepted by the guard ${set.accepted.length}/${set.total} (${pct(set.accepted.length, set.total)}), executed on ${r.target} ${set.executed.length}/${set.total} (${pct(set.executed.length, set.total)})`;
  return [
    line(r.reads, 'reads (reads.sql)           '),
    line(r.recent, 'SQL Server 2017-2022 reads  '),
    `escapes refused: ${r.escapes.refused.length}/${r.escapes.total} (${pct(r.escapes.refused.length, r.escapes.total)})`,
  ];
}

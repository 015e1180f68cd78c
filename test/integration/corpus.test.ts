/**
 * The read-only path measured on the published corpus (corpus/reads.sql, corpus/reads-2022.sql,
 * corpus/escapes.sql), as `npm run corpus` prints it. Targets: every escape refused, every read accepted by the
 * guard, >= 97% of all reads executed on the TDS test server.
 */
import { describe, expect, it } from 'vitest';
import { runCorpus, summary } from '../../corpus/run.js';

describe('read-only corpus', () => {
  it('meets its targets: escapes refused 100%, reads accepted 100%, reads executed >= 97%', async () => {
    const r = await runCorpus();
    console.log(summary(r).join('\n'));
    expect(r.reads.total).toBeGreaterThanOrEqual(300);
    expect(r.recent.total).toBeGreaterThanOrEqual(100);
    expect(r.escapes.total).toBeGreaterThanOrEqual(150);
    expect(r.escapes.accepted.map((e) => e.entry.sql)).toEqual([]);
    // No read refused by the guard, SQL Server 2017-2022 constructs included.
    expect(r.reads.refused.map((x) => `${x.entry.line}: ${x.detail}`)).toEqual([]);
    expect(r.recent.refused.map((x) => `${x.entry.line}: ${x.detail}`)).toEqual([]);
    const executed = r.reads.executed.length + r.recent.executed.length;
    expect(executed / (r.reads.total + r.recent.total)).toBeGreaterThanOrEqual(0.97);
    expect(r.reads.executed.length / r.reads.total).toBeGreaterThanOrEqual(0.97);
    // The 2022 set alone, as far as the TDS test server has come (README: what it lacks).
    expect(r.recent.executed.length / r.recent.total).toBeGreaterThanOrEqual(0.9);
  }, 120_000);
});

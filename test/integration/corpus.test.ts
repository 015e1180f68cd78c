/**
 * The read-only path measured on the published corpus (corpus/reads.sql, corpus/escapes.sql), as
 * `npm run corpus` prints it. Targets: every escape refused, >= 98% of reads accepted, >= 95% executed.
 */
import { describe, expect, it } from 'vitest';
import { runCorpus, summary } from '../../corpus/run.js';

describe('read-only corpus', () => {
  it('meets its targets: escapes refused 100%, reads accepted >= 98%, reads executed >= 95%', async () => {
    const r = await runCorpus();
    console.log(summary(r).join('\n'));
    expect(r.reads.total).toBeGreaterThanOrEqual(300);
    expect(r.escapes.total).toBeGreaterThanOrEqual(150);
    expect(r.escapes.accepted.map((e) => e.entry.sql)).toEqual([]);
    expect(r.reads.accepted.length / r.reads.total).toBeGreaterThanOrEqual(0.98);
    expect(r.reads.executed.length / r.reads.total).toBeGreaterThanOrEqual(0.95);
    // No refusal of a read shows the parser's internals.
    for (const x of r.reads.refused) expect(x.detail).not.toMatch(/Expected:|sql parser error/);
  }, 120_000);
});

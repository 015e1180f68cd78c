/**
 * `npm run corpus`: the three numbers of the read-only path on corpus/ (reads accepted by the guard, reads
 * executed, escapes refused), then each miss. Targets: escapes 100%, accepted >= 98%, executed >= 95%.
 */
import { runCorpus, summary } from '../corpus/run.js';

const verbose = process.argv.includes('--verbose');
const report = await runCorpus();
for (const line of summary(report)) console.log(line);
if (verbose || report.reads.refused.length + report.reads.failed.length + report.escapes.accepted.length) {
  for (const r of report.reads.refused)
    console.log(`  refused read (${r.entry.category}, reads.sql:${r.entry.line}): ${r.detail}`);
  for (const r of report.reads.failed)
    console.log(`  failed read (${r.entry.category}, reads.sql:${r.entry.line}): ${r.detail}`);
  for (const r of report.escapes.accepted)
    console.log(`  ACCEPTED ESCAPE (${r.entry.category}, escapes.sql:${r.entry.line}): ${r.entry.sql}`);
}

/**
 * `npm run corpus`: the numbers of the read-only path on corpus/ (reads accepted by the guard and reads
 * executed, for reads.sql and reads-2022.sql apart; escapes refused), then each miss. Targets: escapes 100%,
 * accepted 100%, executed >= 97% of all reads.
 */
import { runCorpus, summary } from '../corpus/run.js';

const verbose = process.argv.includes('--verbose');
const report = await runCorpus();
for (const line of summary(report)) console.log(line);
for (const set of [report.reads, report.recent]) {
  for (const r of set.refused)
    console.log(`  refused read (${r.entry.category}, ${set.file}:${r.entry.line}): ${r.detail}`);
  for (const r of set.failed)
    console.log(`  failed read (${r.entry.category}, ${set.file}:${r.entry.line}): ${r.detail}`);
}
for (const d of report.differences)
  console.log(
    `  differs (${d.entry.category}, ${d.file}:${d.entry.line}): SQL Server ${d.sqlServer} | test server ${d.testServer}`,
  );
if (process.env.MSSQL_TEST_URL)
  console.log(`answers that differ from the TDS test server's: ${report.differences.length}`);
if (verbose || report.escapes.accepted.length) {
  for (const r of report.escapes.accepted)
    console.log(`  ACCEPTED ESCAPE (${r.entry.category}, escapes.sql:${r.entry.line}): ${r.entry.sql}`);
}

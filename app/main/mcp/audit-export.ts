import { stringify } from 'csv-stringify/sync';
import type { AuditEntry } from '../../shared/types.js';

/** The columns a DBA gets, in order: who, what, where, how it ended, who confirmed it. */
const COLUMNS: Array<[string, (e: AuditEntry, clientName: (id: string) => string | undefined) => unknown]> = [
  ['id', (e) => e.id],
  ['time_utc', (e) => new Date(e.at).toISOString()],
  ['person', (e) => e.email ?? e.subject],
  ['subject', (e) => e.subject],
  ['db_user', (e) => e.dbUser],
  ['client_id', (e) => e.clientId],
  ['client_name', (e, name) => name(e.clientId)],
  ['tool', (e) => e.tool],
  ['connection', (e) => e.profile],
  ['database', (e) => e.database],
  ['statement', (e) => e.statement],
  ['statement_sha256', (e) => e.statementHash],
  ['rows', (e) => e.rowCount],
  ['duration_ms', (e) => e.durationMs],
  ['outcome', (e) => e.outcome],
  ['error_number', (e) => e.errorNumber],
  ['error_code', (e) => e.errorCode],
  ['error', (e) => e.errorMessage],
  ['policy_rule', (e) => e.rule],
  ['confirmed_by', (e) => e.confirmedBy],
  ['confirmed_via', (e) => e.confirmedVia],
];

/**
 * The audit entries as a file: CSV (RFC 4180, a header row, times in UTC ISO 8601) for a spreadsheet, or JSON
 * lines' worth of objects in one array for tools. The same columns either way.
 */
export function exportAudit(
  entries: AuditEntry[],
  format: 'csv' | 'json',
  clientName: (id: string) => string | undefined,
  now = new Date(),
): { filename: string; mime: string; content: string; count: number } {
  const stamp = now.toISOString().slice(0, 19).replace(/[:T]/g, '-');
  const rows = entries.map((e) => COLUMNS.map(([, get]) => get(e, clientName) ?? null));
  if (format === 'json')
    return {
      filename: `mssql-mcp-bridge-audit-${stamp}.json`,
      mime: 'application/json',
      content: JSON.stringify(
        rows.map((r) => Object.fromEntries(COLUMNS.map(([name], i) => [name, r[i]]))),
        null,
        2,
      ),
      count: entries.length,
    };
  return {
    filename: `mssql-mcp-bridge-audit-${stamp}.csv`,
    mime: 'text/csv',
    content: stringify(rows, { header: true, columns: COLUMNS.map(([name]) => name) }),
    count: entries.length,
  };
}

import { z } from 'zod';
import { checkStatement, connectionPolicy } from '../../sql/guard.js';
import { streamRows, type QueryResult, type StreamOptions } from '../../sql/runner.js';
import { resultText } from '../result-text.js';
import { ToolRefusal, type Call, type CallRequest } from '../tool-call.js';

/** Arguments, result shapes and checks the SQL tools share. */
export const where = {
  connection: z
    .string()
    .optional()
    .describe('Connection profile id. Default: the configured default connection.'),
  database: z.string().optional().describe("Database name. Default: the connection's database."),
};
const columns = z.array(z.object({ name: z.string(), type: z.string(), nullable: z.boolean() }));
export const resultShape = z.object({
  database: z.string(),
  columns,
  rows: z.array(z.array(z.unknown())),
  rowCount: z.number(),
  truncated: z.boolean(),
  elapsedMs: z.number(),
  runsAs: z.string().optional().describe('Who the statement ran as.'),
  moreResultSets: z
    .array(z.object({ columns, rows: z.array(z.array(z.unknown())) }))
    .optional()
    .describe('Result sets after the first (sp_help returns several).'),
});
export const readOnly = { readOnlyHint: true, openWorldHint: false } as const;

export function guard(sqlText: string, call: Call, mode: 'read' | 'write'): void {
  const verdict = checkStatement(sqlText, {
    mode,
    ...connectionPolicy(call.profile, call.access),
    database: call.database,
  });
  if (!verdict.ok) throw new ToolRefusal(verdict.reason);
}

/** A table argument, refused before any SQL when the person's policy does not open it. */
export function tableOf(name: string, call: Call): { schema: string; table: string } {
  const t = splitTable(name);
  const refusal = call.access.tableRefusal(call.database, t.schema, t.table);
  if (refusal) throw new ToolRefusal(refusal);
  return t;
}

function splitTable(name: string): { schema: string; table: string } {
  const parts = name.split('.').map((p) => p.trim().replace(/^\[(.*)\]$/, '$1'));
  if (parts.length === 1) return { schema: 'dbo', table: parts[0]! };
  if (parts.length === 2) return { schema: parts[0]!, table: parts[1]! };
  throw new ToolRefusal(
    'Give the table as "schema.table" or "table"; use the "database" argument for another database.',
  );
}

/**
 * A read statement streamed in the call's rolled-back session: at most `limit` rows, within the connection's
 * timeout, cancelled with the call, progress to a client that asked for it.
 */
export function streamRead(
  call: Call,
  req: CallRequest,
  statement: string,
  o: { limit: number; params?: StreamOptions['params'] },
): Promise<QueryResult> {
  return req.session('rollback', (r) =>
    streamRows(r(), statement, {
      ...o,
      signal: req.signal,
      deadlineMs: call.profile.query_timeout_seconds * 1000,
      onProgress: req.progress,
    }),
  );
}

/** Rows as the result tools answer them: the database and who it ran as beside the rows, and the CSV text. */
export function rowsOutput(call: Call, result: QueryResult, limit: number) {
  const structured = { database: call.database, ...result, runsAs: call.runsAs };
  return { structured, text: resultText(structured, limit), rows: result.rowCount };
}

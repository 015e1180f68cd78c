import { z } from 'zod';
import { defineTool, type ToolEnv } from '../tool-call.js';
import { resultShape, readOnly, guard, rowsOutput, streamRead, where } from './tool-shapes.js';

const input = z.object({
  ...where,
  sql: z
    .string()
    .min(1)
    .max(100_000)
    .describe('T-SQL: SELECT, optionally with DECLARE/SET @variables first.'),
  maxRows: z.number().int().min(1).optional().describe('Fewer rows than the row limit.'),
});

export function runQueryTool(_env: ToolEnv) {
  return defineTool({
    name: 'run_query',
    title: 'Run a read-only query',
    description:
      "Runs a read-only T-SQL batch as the signed-in user and returns its rows, up to the connection's row limit (the result says when it was truncated). " +
      'Accepted: SELECT (CTEs, APPLY, PIVOT, window functions, FOR JSON/XML, hints), DECLARE, SET @variable, SET NOCOUNT and the catalog procedures sp_help, sp_columns, sp_tables, sp_pkeys, sp_fkeys, sp_helpindex, sp_helptext, sp_spaceused, sp_describe_first_result_set. ' +
      'It runs inside a transaction that is always rolled back, within the query timeout. ' +
      'The text is CSV under a header line with the row count and the column types (NULL is an empty field, an empty string is "").',
    input,
    output: resultShape,
    annotations: readOnly,
    view: 'results',
    capability: 'read',
    run: async (args, call, req) => {
      guard(args.sql, call, 'read');
      const limit = Math.min(args.maxRows ?? call.profile.row_limit, call.profile.row_limit);
      const result = await streamRead(call, req, args.sql, { limit });
      return { ...rowsOutput(call, result, limit), statement: args.sql };
    },
  });
}

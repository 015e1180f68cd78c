import { z } from 'zod';
import { defineTool, ToolRefusal, type ToolEnv } from '../tool-call.js';
import { guard, readOnly, resultShape, streamRead, where } from './tool-shapes.js';

const input = z.object({
  ...where,
  sql: z.string().min(1).max(100_000).describe('The statement whose result the view shows.'),
  offset: z.number().int().min(0).describe('Rows already shown: the page starts after them.'),
  count: z.number().int().min(1).max(1000).describe('Rows wanted.'),
});

const output = resultShape.extend({ offset: z.number() });

/**
 * The result grid's "more rows" (app-only): the statement again, under the same guard, policy, identity and
 * rolled-back session as run_query, returning rows offset..offset+count. Never past the connection's row limit:
 * the view can show at most what run_query could have returned.
 */
export function fetchRowsTool(_env: ToolEnv) {
  return defineTool({
    name: 'fetch_rows',
    title: 'More rows for the result grid',
    description:
      "Rows after the ones the result grid shows, for the grid itself (hidden from the model). Bounded by the connection's row limit.",
    input,
    output,
    annotations: readOnly,
    capability: 'read',
    appOnly: true,
    run: async (args, call, req) => {
      guard(args.sql, call, 'read');
      const limit = call.profile.row_limit;
      if (args.offset >= limit)
        throw new ToolRefusal(
          `The grid already shows the ${limit} rows the connection's row limit allows; narrow the query or aggregate.`,
        );
      const until = Math.min(args.offset + args.count, limit);
      const result = await streamRead(call, req, args.sql, { limit: until });
      const rows = result.rows.slice(args.offset);
      const structured = {
        ...result,
        database: call.database,
        rows,
        rowCount: rows.length,
        offset: args.offset,
        runsAs: call.runsAs,
      };
      return {
        structured,
        text: `${rows.length} more rows (${args.offset + 1}-${args.offset + rows.length})${result.truncated ? ', more after them' : ''}.`,
        rows: rows.length,
        statement: args.sql,
      };
    },
  });
}

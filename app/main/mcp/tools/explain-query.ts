import { summarizeShowplan } from '../../sql/plan.js';
import { z } from 'zod';
import { SCOPES } from '../../../shared/config-schema.js';
import { defineTool, type ToolEnv } from '../tool-call.js';
import { readOnly, guard, where } from './tool-shapes.js';

const input = z.object({ ...where, sql: z.string().min(1).max(100_000).describe('One T-SQL statement.') });

export function explainQueryTool({ ctx }: ToolEnv) {
  return defineTool({
    name: 'explain_query',
    title: 'Explain a query',
    description:
      'Shows the estimated execution plan of one statement (operators, estimated rows and costs, missing-index hints) without running it.',
    input,
    annotations: readOnly,
    capability: 'explain',
    run: async (args, call, req) => {
      // call.profile.allow_writes is already off when the policy gives no write permission.
      guard(
        args.sql,
        call,
        call.profile.allow_writes && ctx.scopes.includes(SCOPES.write) ? 'write' : 'read',
      );
      const xml = await req.session('rollback', async (r) => {
        // SHOWPLAN_XML must be alone in its batch, and shares the connection with the statement: the
        // statement is compiled, never executed.
        await r().batch('SET SHOWPLAN_XML ON');
        try {
          const res = await r().batch(args.sql);
          const first = Object.values((res.recordset?.[0] ?? {}) as Record<string, unknown>)[0];
          return typeof first === 'string' ? first : '';
        } finally {
          await r().batch('SET SHOWPLAN_XML OFF');
        }
      });
      return { structured: { database: call.database, ...summarizeShowplan(xml) }, statement: args.sql };
    },
  });
}

import { z } from 'zod';
import { confirmedWrite } from '../write-tool.js';
import { defineTool, type ToolEnv, ToolRefusal } from '../tool-call.js';
import { guard, where } from './tool-shapes.js';

const input = z.object({
  ...where,
  sql: z.string().min(1).max(100_000).describe('One T-SQL INSERT, UPDATE or DELETE statement.'),
  pending_write_id: z
    .string()
    .uuid()
    .optional()
    .describe('The id of a write the person approved at its link (from the previous answer); commits it.'),
});

const output = z.object({
  database: z.string(),
  rowsAffected: z.number(),
  elapsedMs: z.number(),
  committed: z.boolean(),
  pendingWriteId: z
    .string()
    .optional()
    .describe('Set while the change waits for the approval at approvalUrl.'),
  approvalUrl: z.string().optional(),
  expiresAt: z.string().optional(),
});

export function executeStatementTool({ server, d, ctx }: ToolEnv) {
  return defineTool({
    name: 'execute_statement',
    title: 'Execute a write statement',
    description:
      'Runs one INSERT, UPDATE or DELETE (T-SQL) as the signed-in user. The bridge first previews its effect (rows affected, rolled back) and asks the person to confirm; ' +
      'it commits only on their acceptance and only if the effect is still the same. Only on connections that allow writes. ' +
      'When the answer says the person must approve at a link, give them the link, wait until they say they approved, then call again with the same arguments and the pending_write_id it names.',
    input,
    output,
    annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false },
    view: 'write',
    capability: 'write',
    run: async (args, call, req) => {
      if (!call.profile.allow_writes)
        throw new ToolRefusal(
          `The connection "${call.profile.id}" does not allow writes (allow_writes is off).`,
        );
      guard(args.sql, call, 'write');
      return confirmedWrite({
        server,
        d,
        ctx,
        call,
        req,
        sql: args.sql,
        pendingWriteId: args.pending_write_id,
      });
    },
  });
}

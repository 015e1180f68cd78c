import { z } from 'zod';
import { SCOPES } from '../../../shared/config-schema.js';
import { decideOnCard } from '../write-tool.js';
import { defineTool, type ToolEnv } from '../tool-call.js';
import { where } from './tool-shapes.js';

const input = z.object({
  connection: where.connection,
  database: where.database,
  approval: z
    .string()
    .min(1)
    .max(4000)
    .describe("The card's single-use approval (from the write's result _meta)."),
  approve: z.boolean().describe('true to approve the change, false to decline it.'),
});

const output = z.object({ pendingWriteId: z.string(), status: z.enum(['approved', 'declined']) });

/** The write card's Approve / Decline (app-only): spends the card's approval; see decideOnCard. */
export function decideWriteTool({ d, ctx }: ToolEnv) {
  return defineTool({
    name: 'decide_write',
    title: 'Approve or decline a change (write card)',
    description:
      "The person's decision on a pending write, given on its card (hidden from the model; needs the card's single-use approval).",
    input,
    output,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    capability: 'write',
    scope: SCOPES.write,
    appOnly: true,
    run: (args, call, req) => decideOnCard(d, ctx, call, req.ctx, args.approval, args.approve),
  });
}

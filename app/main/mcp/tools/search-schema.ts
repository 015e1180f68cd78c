import { z } from 'zod';
import { connectionPolicy } from '../../sql/guard.js';
import { searchSchema } from '../schema-search.js';
import { defineTool, type ToolEnv } from '../tool-call.js';
import { where, readOnly } from './tool-shapes.js';

const input = z.object({
  connection: where.connection,
  query: z.string().min(1).max(200).describe('Words to look for, e.g. "customer email".'),
  database: z.string().optional().describe('Only this database. Default: every database you may read.'),
  limit: z.number().int().min(1).max(100).optional().describe('Most matches to return (default 20).'),
});

const output = z.object({
  matches: z.array(
    z.object({
      database: z.string(),
      schema: z.string(),
      table: z.string(),
      column: z.string().optional(),
      kind: z.enum(['table', 'view', 'column']),
      description: z.string().optional(),
      score: z.number(),
    }),
  ),
});

export function searchSchemaTool(_env: ToolEnv) {
  return defineTool({
    name: 'search_schema',
    title: 'Search tables and columns',
    description:
      'Finds tables, views and columns by name or description (MS_Description) across the databases you may read, best matches first. ' +
      'Use it to find "the table with the customer e-mail" without listing every table.',
    input,
    output,
    annotations: readOnly,
    view: 'schema',
    capability: 'read',
    run: async (args, call, req) => {
      const matches = await req.session('rollback', (r) =>
        searchSchema(r, {
          query: args.query,
          databases: args.database ? [call.database] : undefined,
          policy: connectionPolicy(call.profile, call.access),
          limit: args.limit ?? 20,
        }),
      );
      return { structured: { matches }, rows: matches.length };
    },
  });
}

import { z } from 'zod';
import { listTables } from '../../sql/catalog.js';
import { defineTool, type ToolEnv } from '../tool-call.js';
import { where, readOnly } from './tool-shapes.js';

const input = z.object({ ...where, schema: z.string().optional().describe('Only this schema, e.g. dbo.') });

const output = z.object({
  database: z.string(),
  tables: z.array(
    z.object({
      schema: z.string(),
      name: z.string(),
      kind: z.enum(['table', 'view']),
      rowEstimate: z.number().nullable(),
      description: z.string().optional(),
    }),
  ),
});

export function listTablesTool(_env: ToolEnv) {
  return defineTool({
    name: 'list_tables',
    title: 'List tables and views',
    description:
      'Lists the tables and views of a database with their schema, an estimated row count and their description (MS_Description) where one is set.',
    input,
    output,
    annotations: readOnly,
    view: 'schema',
    capability: 'read',
    run: async (args, call, req) => {
      const all = await req.session('rollback', (r) => listTables(r, call.database, args.schema));
      const tables = all.filter((t) => !call.access.tableRefusal(call.database, t.schema, t.name));
      return { structured: { database: call.database, tables }, rows: tables.length };
    },
  });
}

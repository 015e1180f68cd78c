import { z } from 'zod';
import { describeTable } from '../../sql/catalog.js';
import { defineTool, type ToolEnv, ToolRefusal } from '../tool-call.js';
import { readOnly, tableOf, where } from './tool-shapes.js';

const input = z.object({
  ...where,
  table: z.string().describe('Table name, optionally schema-qualified: "dbo.Orders" or "Orders".'),
});

export function describeTableTool(_env: ToolEnv) {
  return defineTool({
    name: 'describe_table',
    title: 'Describe a table',
    description:
      'Columns (type, nullability, default, description), primary key, foreign keys in both directions and indexes of one table or view, with its description (MS_Description).',
    input,
    annotations: readOnly,
    view: 'schema',
    capability: 'read',
    run: async (args, call, req) => {
      const { schema, table } = tableOf(args.table, call);
      const described = await req.session('rollback', (r) => describeTable(r, call.database, schema, table));
      if (!described)
        throw new ToolRefusal(
          `No table or view ${schema}.${table} in database ${call.database} (or the user may not see it).`,
        );
      return { structured: described, rows: described.columns.length };
    },
  });
}

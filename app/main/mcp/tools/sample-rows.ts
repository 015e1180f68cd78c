import { z } from 'zod';
import { sampleRows } from '../../sql/catalog.js';
import { defineTool, type ToolEnv } from '../tool-call.js';
import { resultShape, readOnly, rowsOutput, tableOf, where } from './tool-shapes.js';

const input = z.object({
  ...where,
  table: z.string().describe('Table name, optionally schema-qualified.'),
  rows: z.number().int().min(1).max(100).optional().describe('How many rows (default 10).'),
});

export function sampleRowsTool(_env: ToolEnv) {
  return defineTool({
    name: 'sample_rows',
    title: 'Sample rows',
    description:
      'Returns the first rows of a table or view (up to 100), to see what its data looks like. The text is CSV under a header line.',
    input,
    output: resultShape,
    annotations: readOnly,
    view: 'results',
    capability: 'read',
    run: async (args, call, req) => {
      const { schema, table } = tableOf(args.table, call);
      const limit = Math.min(args.rows ?? 10, call.profile.row_limit);
      const result = await req.session('rollback', (r) =>
        sampleRows(r, call.database, schema, table, limit, {
          signal: req.signal,
          onProgress: req.progress,
        }),
      );
      return rowsOutput(call, { ...result, truncated: false }, limit);
    },
  });
}

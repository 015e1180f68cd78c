import { z } from 'zod';
import { listDatabases } from '../../sql/catalog.js';
import { connectionPolicy, databaseRefusal } from '../../sql/guard.js';
import { defineTool, type ToolEnv } from '../tool-call.js';
import { where, readOnly } from './tool-shapes.js';

const input = z.object({ connection: where.connection });

const output = z.object({ databases: z.array(z.object({ name: z.string(), state: z.string() })) });

export function listDatabasesTool(_env: ToolEnv) {
  return defineTool({
    name: 'list_databases',
    title: 'List databases',
    description:
      'Lists the databases on the SQL Server connection that this bridge lets you query (blocked databases are hidden).',
    input,
    output,
    annotations: readOnly,
    view: 'schema',
    capability: 'read',
    run: async (_args, call, req) => {
      const all = await req.session('rollback', (r) => listDatabases(r));
      const policy = connectionPolicy(call.profile, call.access);
      const databases = all.filter((db) => !databaseRefusal(db.name, policy));
      return { structured: { databases }, rows: databases.length };
    },
  });
}

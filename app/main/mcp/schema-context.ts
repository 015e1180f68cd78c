import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { listColumns, listDatabases, listTables } from '../sql/catalog.js';
import { connectionPolicy, databaseRefusal } from '../sql/guard.js';
import type { ConnectionProfile } from '../sql/profiles.js';
import { bracket, type SessionRequest } from '../sql/runner.js';
import { resolveCall, type SqlToolDeps } from './tool-call.js';
import { sqlIdentity } from '../policy/access-policy.js';
import type { ToolContext, ToolSet } from './tools.js';

const TEMPLATE = 'mssql://{connection}/{database}/schema';

/**
 * What the model reads before it writes a query: one resource per database the person may read, with a compact
 * text schema (tables, columns, keys, relationships and descriptions), and prompts that start common work.
 */
export function schemaContext(d: SqlToolDeps): ToolSet {
  return (server: McpServer, ctx: ToolContext) => {
    const session = <T>(
      profile: ConnectionProfile,
      database: string,
      body: (r: SessionRequest) => Promise<T>,
    ) =>
      d.runner.session(
        { profile, database, identity: sqlIdentity(ctx.caller.identity, ctx.access()), end: 'rollback' },
        body,
      );

    server.registerResource(
      'database-schema',
      new ResourceTemplate(TEMPLATE, {
        list: async () => {
          const resources: Array<{ uri: string; name: string; title: string; mimeType: string }> = [];
          const access = ctx.access();
          if (!access.can('read')) return { resources };
          for (const stored of await d.connections.list()) {
            if (access.connectionRefusal(stored.id)) continue;
            const profile = access.capped(stored);
            const names = await session(profile, profile.database, (r) => listDatabases(r)).catch(() => []);
            for (const { name } of names) {
              if (databaseRefusal(name, connectionPolicy(profile, access))) continue;
              resources.push({
                uri: `mssql://${encodeURIComponent(profile.id)}/${encodeURIComponent(name)}/schema`,
                name: `${profile.id}/${name}`,
                title: `Schema of ${name} (${profile.id})`,
                mimeType: 'text/plain',
              });
            }
          }
          return { resources };
        },
      }),
      {
        title: 'Database schema',
        description:
          'Tables, columns, keys, relationships and descriptions of one database, as compact text.',
        mimeType: 'text/plain',
      },
      async (uri, vars) => {
        const access = ctx.access();
        if (!access.can('read'))
          throw new Error(access.refusal ?? `Policy rule "${access.rule}" does not let you read schemas.`);
        const { profile, database } = await resolveCall(
          d.connections,
          access,
          one(vars.connection),
          one(vars.database),
        );
        const text = await session(profile, database, (r) =>
          schemaSummary(r, database, (schema, table) => !access.tableRefusal(database, schema, table)),
        );
        return { contents: [{ uri: uri.href, mimeType: 'text/plain', text }] };
      },
    );

    server.registerPrompt(
      'explore_database',
      {
        title: 'Explore a database',
        description: 'Find out what a database holds and how its tables relate, before writing queries.',
        argsSchema: z.object({
          database: z.string().optional().describe('Database name (default: the connection default).'),
          topic: z.string().optional().describe('What you are interested in, e.g. "customer orders".'),
        }),
      },
      ({ database, topic }) => ({
        messages: [
          {
            role: 'user',
            content: {
              type: 'text',
              text:
                `Explore the SQL Server database ${database ?? '(the default one)'} through the MSSQL MCP Bridge tools` +
                `${topic ? `, focusing on ${topic}` : ''}. ` +
                'Use search_schema to find the relevant tables by name or description, describe_table for their keys and relationships, ' +
                'and sample_rows to see real values. Then summarise the main tables, how they join, and three questions the data can answer, each with a read-only T-SQL query.',
            },
          },
        ],
      }),
    );

    server.registerPrompt(
      'explain_query_plan',
      {
        title: "Explain a query's plan",
        description: 'Read the estimated plan of a query and suggest how to make it cheaper.',
        argsSchema: z.object({ sql: z.string().describe('The T-SQL statement.') }),
      },
      ({ sql }) => ({
        messages: [
          {
            role: 'user',
            content: {
              type: 'text',
              text:
                'Call explain_query with the statement below. Explain its most expensive operators, the estimated rows, ' +
                'and any missing-index hint, then suggest a cheaper formulation or index (without creating it).\n\n' +
                sql,
            },
          },
        ],
      }),
    );
  };
}

const one = (v: string | string[] | undefined) =>
  decodeURIComponent(Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));

/** One line per table, then one per column: `  Name type [PK] [-> schema.Table.Column] -- description`. */
export async function schemaSummary(
  request: SessionRequest,
  database: string,
  /** Tables the person may see; the others are left out of the summary. */
  visible: (schema: string, table: string) => boolean = () => true,
): Promise<string> {
  const db = bracket(database);
  const tables = (await listTables(request, database)).filter((t) => visible(t.schema, t.name));
  const columns = (await listColumns(request, database)).filter((c) => visible(c.schema, c.table));
  const keys = await request().query(`
    SELECT tc.TABLE_SCHEMA, tc.TABLE_NAME, k.COLUMN_NAME
    FROM ${db}.INFORMATION_SCHEMA.TABLE_CONSTRAINTS tc
    JOIN ${db}.INFORMATION_SCHEMA.KEY_COLUMN_USAGE k ON k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
      AND k.TABLE_SCHEMA = tc.TABLE_SCHEMA AND k.TABLE_NAME = tc.TABLE_NAME
    WHERE tc.CONSTRAINT_TYPE = 'PRIMARY KEY'`);
  const fks = await request().query(`
    SELECT ps.name AS from_schema, po.name AS from_table, pc.name AS from_column,
      rs.name AS to_schema, ro.name AS to_table, rc.name AS to_column
    FROM ${db}.sys.foreign_key_columns fkc
    JOIN ${db}.sys.objects po ON po.object_id = fkc.parent_object_id JOIN ${db}.sys.schemas ps ON ps.schema_id = po.schema_id
    JOIN ${db}.sys.objects ro ON ro.object_id = fkc.referenced_object_id JOIN ${db}.sys.schemas rs ON rs.schema_id = ro.schema_id
    JOIN ${db}.sys.columns pc ON pc.object_id = fkc.parent_object_id AND pc.column_id = fkc.parent_column_id
    JOIN ${db}.sys.columns rc ON rc.object_id = fkc.referenced_object_id AND rc.column_id = fkc.referenced_column_id`);
  const at = (schema: string, table: string, column: string) => `${schema}.${table}.${column}`;
  const pk = new Set(
    (keys.recordset as Array<Record<string, string>>).map((k) =>
      at(k.TABLE_SCHEMA!, k.TABLE_NAME!, k.COLUMN_NAME!),
    ),
  );
  const refs = new Map(
    (fks.recordset as Array<Record<string, string>>)
      .filter((f) => visible(f.to_schema!, f.to_table!))
      .map((f) => [
        at(f.from_schema!, f.from_table!, f.from_column!),
        at(f.to_schema!, f.to_table!, f.to_column!),
      ]),
  );
  const byTable = new Map<string, string[]>();
  for (const c of columns) {
    const full = at(c.schema, c.table, c.column);
    const parts = [`  ${c.column} ${c.type}${c.nullable ? '' : ' not null'}`];
    if (pk.has(full)) parts.push('PK');
    if (refs.has(full)) parts.push(`-> ${refs.get(full)}`);
    const key = `${c.schema}.${c.table}`;
    let lines = byTable.get(key);
    if (!lines) byTable.set(key, (lines = []));
    lines.push(parts.join(' ') + (c.description ? ` -- ${c.description}` : ''));
  }
  const out = [`Database ${database}: ${tables.length} tables and views.`];
  for (const t of tables) {
    const rows = t.rowEstimate === null ? '' : `, ~${t.rowEstimate} rows`;
    out.push(`${t.schema}.${t.name} (${t.kind}${rows})${t.description ? ` -- ${t.description}` : ''}`);
    out.push(...(byTable.get(`${t.schema}.${t.name}`) ?? []));
  }
  return out.join('\n');
}

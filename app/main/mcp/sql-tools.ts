import { z } from 'zod';
import { SCOPES } from '../../shared/config-schema.js';
import { describeTable, listDatabases, listTables, sampleRows } from '../sql/catalog.js';
import { checkStatement, connectionPolicy, databaseRefusal } from '../sql/guard.js';
import { summarizeShowplan } from '../sql/plan.js';
import { streamRows } from '../sql/runner.js';
import type { ConfirmationCodec } from './confirmations.js';
import { resultText } from './result-text.js';
import { searchSchema } from './schema-search.js';
import { registerSqlTool, ToolRefusal, type Call, type SqlToolDeps } from './tool-call.js';
import type { ToolSet } from './tools.js';
import { confirmedWrite } from './write-tool.js';

export type { SqlToolDeps } from './tool-call.js';

/** Tools that need the write scope; the endpoint answers 403 insufficient_scope for them. */
export const WRITE_TOOLS = new Set(['execute_statement']);

const where = {
  connection: z
    .string()
    .optional()
    .describe('Connection profile id. Default: the configured default connection.'),
  database: z.string().optional().describe("Database name. Default: the connection's database."),
};
const columns = z.array(z.object({ name: z.string(), type: z.string(), nullable: z.boolean() }));
const resultShape = z.object({
  database: z.string(),
  columns,
  rows: z.array(z.array(z.unknown())),
  rowCount: z.number(),
  truncated: z.boolean(),
  elapsedMs: z.number(),
  moreResultSets: z
    .array(z.object({ columns, rows: z.array(z.array(z.unknown())) }))
    .optional()
    .describe('Result sets after the first (sp_help returns several).'),
});
const readOnly = { readOnlyHint: true, openWorldHint: false } as const;

export function sqlTools(d: SqlToolDeps & { confirmations: ConfirmationCodec }): ToolSet {
  return (server, ctx) => {
    registerSqlTool(server, d, ctx, {
      name: 'list_databases',
      title: 'List databases',
      description:
        'Lists the databases on the SQL Server connection that this bridge lets you query (blocked databases are hidden).',
      input: z.object({ connection: where.connection }),
      output: z.object({ databases: z.array(z.object({ name: z.string(), state: z.string() })) }),
      annotations: readOnly,
      capability: 'read',
      run: async (_args, call, req) => {
        const all = await req.session('rollback', (r) => listDatabases(r));
        const policy = connectionPolicy(call.profile, call.access);
        const databases = all.filter((db) => !databaseRefusal(db.name, policy));
        return { structured: { databases }, rows: databases.length };
      },
    });

    registerSqlTool(server, d, ctx, {
      name: 'list_tables',
      title: 'List tables and views',
      description:
        'Lists the tables and views of a database with their schema, an estimated row count and their description (MS_Description) where one is set.',
      input: z.object({ ...where, schema: z.string().optional().describe('Only this schema, e.g. dbo.') }),
      output: z.object({
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
      }),
      annotations: readOnly,
      capability: 'read',
      run: async (args, call, req) => {
        const all = await req.session('rollback', (r) => listTables(r, call.database, args.schema));
        const tables = all.filter((t) => !call.access.tableRefusal(call.database, t.schema, t.name));
        return { structured: { database: call.database, tables }, rows: tables.length };
      },
    });

    registerSqlTool(server, d, ctx, {
      name: 'describe_table',
      title: 'Describe a table',
      description:
        'Columns (type, nullability, default, description), primary key, foreign keys in both directions and indexes of one table or view, with its description (MS_Description).',
      input: z.object({
        ...where,
        table: z.string().describe('Table name, optionally schema-qualified: "dbo.Orders" or "Orders".'),
      }),
      annotations: readOnly,
      capability: 'read',
      run: async (args, call, req) => {
        const { schema, table } = tableOf(args.table, call);
        const described = await req.session('rollback', (r) =>
          describeTable(r, call.database, schema, table),
        );
        if (!described)
          throw new ToolRefusal(
            `No table or view ${schema}.${table} in database ${call.database} (or the user may not see it).`,
          );
        return { structured: described, rows: described.columns.length };
      },
    });

    registerSqlTool(server, d, ctx, {
      name: 'search_schema',
      title: 'Search tables and columns',
      description:
        'Finds tables, views and columns by name or description (MS_Description) across the databases you may read, best matches first. ' +
        'Use it to find "the table with the customer e-mail" without listing every table.',
      input: z.object({
        connection: where.connection,
        query: z.string().min(1).max(200).describe('Words to look for, e.g. "customer email".'),
        database: z.string().optional().describe('Only this database. Default: every database you may read.'),
        limit: z.number().int().min(1).max(100).optional().describe('Most matches to return (default 20).'),
      }),
      output: z.object({
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
      }),
      annotations: readOnly,
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

    registerSqlTool(server, d, ctx, {
      name: 'sample_rows',
      title: 'Sample rows',
      description:
        'Returns the first rows of a table or view (up to 100), to see what its data looks like. The text is CSV under a header line.',
      input: z.object({
        ...where,
        table: z.string().describe('Table name, optionally schema-qualified.'),
        rows: z.number().int().min(1).max(100).optional().describe('How many rows (default 10).'),
      }),
      output: resultShape,
      annotations: readOnly,
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
        const structured = { database: call.database, ...result, truncated: false };
        return { structured, text: resultText(structured, limit), rows: result.rowCount };
      },
    });

    registerSqlTool(server, d, ctx, {
      name: 'run_query',
      title: 'Run a read-only query',
      description:
        "Runs a read-only T-SQL batch as the signed-in user and returns its rows, up to the connection's row limit (the result says when it was truncated). " +
        'Accepted: SELECT (CTEs, APPLY, PIVOT, window functions, FOR JSON/XML, hints), DECLARE, SET @variable, SET NOCOUNT and the catalog procedures sp_help, sp_columns, sp_tables, sp_pkeys, sp_fkeys, sp_helpindex, sp_helptext, sp_spaceused, sp_describe_first_result_set. ' +
        'It runs inside a transaction that is always rolled back, within the query timeout. ' +
        'The text is CSV under a header line with the row count and the column types (NULL is an empty field, an empty string is "").',
      input: z.object({
        ...where,
        sql: z
          .string()
          .min(1)
          .max(100_000)
          .describe('T-SQL: SELECT, optionally with DECLARE/SET @variables first.'),
        maxRows: z.number().int().min(1).optional().describe('Fewer rows than the row limit.'),
      }),
      output: resultShape,
      annotations: readOnly,
      capability: 'read',
      run: async (args, call, req) => {
        guard(args.sql, call, 'read');
        const limit = Math.min(args.maxRows ?? call.profile.row_limit, call.profile.row_limit);
        const result = await req.session('rollback', (r) =>
          streamRows(r(), args.sql, {
            limit,
            signal: req.signal,
            deadlineMs: call.profile.query_timeout_seconds * 1000,
            onProgress: req.progress,
          }),
        );
        const structured = { database: call.database, ...result };
        return {
          structured,
          text: resultText(structured, limit),
          rows: result.rowCount,
          statement: args.sql,
        };
      },
    });

    registerSqlTool(server, d, ctx, {
      name: 'explain_query',
      title: 'Explain a query',
      description:
        'Shows the estimated execution plan of one statement (operators, estimated rows and costs, missing-index hints) without running it.',
      input: z.object({ ...where, sql: z.string().min(1).max(100_000).describe('One T-SQL statement.') }),
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
            return String(Object.values((res.recordset?.[0] ?? {}) as Record<string, unknown>)[0] ?? '');
          } finally {
            await r().batch('SET SHOWPLAN_XML OFF');
          }
        });
        return { structured: { database: call.database, ...summarizeShowplan(xml) }, statement: args.sql };
      },
    });

    if (ctx.scopes.includes(SCOPES.write) && d.profiles.anyAllowsWrites()) {
      registerSqlTool(server, d, ctx, {
        name: 'execute_statement',
        title: 'Execute a write statement',
        description:
          'Runs one INSERT, UPDATE or DELETE (T-SQL) as the signed-in user. The bridge first previews its effect (rows affected, rolled back) and asks the person to confirm; ' +
          'it commits only on their acceptance and only if the effect is still the same. Only on connections that allow writes.',
        input: z.object({
          ...where,
          sql: z.string().min(1).max(100_000).describe('One T-SQL INSERT, UPDATE or DELETE statement.'),
        }),
        output: z.object({
          database: z.string(),
          rowsAffected: z.number(),
          elapsedMs: z.number(),
          committed: z.boolean(),
        }),
        annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false },
        capability: 'write',
        run: async (args, call, req) => {
          if (!call.profile.allow_writes)
            throw new ToolRefusal(
              `The connection "${call.profile.id}" does not allow writes (allow_writes is off).`,
            );
          guard(args.sql, call, 'write');
          return confirmedWrite({ server, codec: d.confirmations, ctx, call, req, sql: args.sql });
        },
      });
    }
  };
}

function guard(sqlText: string, call: Call, mode: 'read' | 'write'): void {
  const verdict = checkStatement(sqlText, {
    mode,
    ...connectionPolicy(call.profile, call.access),
    database: call.database,
  });
  if (!verdict.ok) throw new ToolRefusal(verdict.reason);
}

/** A table argument, refused before any SQL when the person's policy does not open it. */
function tableOf(name: string, call: Call): { schema: string; table: string } {
  const t = splitTable(name);
  const refusal = call.access.tableRefusal(call.database, t.schema, t.table);
  if (refusal) throw new ToolRefusal(refusal);
  return t;
}

function splitTable(name: string): { schema: string; table: string } {
  const parts = name.split('.').map((p) => p.trim().replace(/^\[(.*)\]$/, '$1'));
  if (parts.length === 1) return { schema: 'dbo', table: parts[0]! };
  if (parts.length === 2) return { schema: parts[0]!, table: parts[1]! };
  throw new ToolRefusal(
    'Give the table as "schema.table" or "table"; use the "database" argument for another database.',
  );
}

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { SCOPES } from '../config/schema.js';
import { describeTable, listDatabases, listTables, sampleRows } from '../sql/catalog.js';
import { explainSqlError } from '../sql/errors.js';
import { checkStatement, databaseRefusal } from '../sql/guard.js';
import { summarizeShowplan } from '../sql/plan.js';
import type { ConnectionProfile, ConnectionProfiles } from '../sql/profiles.js';
import { streamRows, type SessionRequest, type SqlRunner } from '../sql/runner.js';
import type { AuditLog } from './audit.js';
import type { ToolContext, ToolSet } from './tools.js';

export interface SqlToolDeps {
  profiles: ConnectionProfiles;
  runner: SqlRunner;
  audit: AuditLog;
}

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
const resultShape = {
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
};

interface ToolConfig {
  title: string;
  description: string;
  inputSchema: z.ZodRawShape;
  outputSchema?: z.ZodRawShape;
  annotations?: ToolAnnotations;
}

/** A refusal or failure the caller should read, not a crash. */
class ToolRefusal extends Error {}

interface Call {
  profile: ConnectionProfile;
  database: string;
}

export function sqlTools(d: SqlToolDeps): ToolSet {
  return (server: McpServer, ctx: ToolContext) => {
    const tool = <A extends Record<string, unknown>>(
      name: string,
      config: ToolConfig,
      handler: (
        args: A,
        call: Call,
        signal: AbortSignal,
      ) => Promise<{ structured: Record<string, unknown>; rows?: number; statement?: string }>,
    ) => {
      // The SDK's generic signature cannot follow a shared wrapper; the shapes are checked by ToolConfig.
      server.registerTool(
        name,
        config as never,
        (async (args: A, extra: { signal: AbortSignal }) =>
          run(d, ctx, name, args, extra.signal, handler)) as never,
      );
    };

    tool(
      'list_databases',
      {
        title: 'List databases',
        description:
          'Lists the databases on the SQL Server connection that this bridge lets you query (blocked databases are hidden).',
        inputSchema: { connection: where.connection },
        outputSchema: { databases: z.array(z.object({ name: z.string(), state: z.string() })) },
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      async (_args, call) => {
        const all = await session(d, ctx, call, 'rollback', (req) => listDatabases(req));
        const databases = all.filter((db) => !databaseRefusal(db.name, policy(call.profile)));
        return { structured: { databases }, rows: databases.length };
      },
    );

    tool(
      'list_tables',
      {
        title: 'List tables and views',
        description: 'Lists the tables and views of a database with their schema and an estimated row count.',
        inputSchema: { ...where, schema: z.string().optional().describe('Only this schema, e.g. dbo.') },
        outputSchema: {
          database: z.string(),
          tables: z.array(
            z.object({
              schema: z.string(),
              name: z.string(),
              kind: z.enum(['table', 'view']),
              rowEstimate: z.number().nullable(),
            }),
          ),
        },
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      async (args: { schema?: string }, call) => {
        const tables = await session(d, ctx, call, 'rollback', (req) =>
          listTables(req, call.database, args.schema),
        );
        return { structured: { database: call.database, tables }, rows: tables.length };
      },
    );

    tool(
      'describe_table',
      {
        title: 'Describe a table',
        description:
          'Columns (type, nullability, default), primary key, foreign keys in both directions and indexes of one table or view.',
        inputSchema: {
          ...where,
          table: z.string().describe('Table name, optionally schema-qualified: "dbo.Orders" or "Orders".'),
        },
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      async (args: { table: string }, call) => {
        const { schema, table } = splitTable(args.table);
        const described = await session(d, ctx, call, 'rollback', (req) =>
          describeTable(req, call.database, schema, table),
        );
        if (!described)
          throw new ToolRefusal(
            `No table or view ${schema}.${table} in database ${call.database} (or the user may not see it).`,
          );
        return { structured: described, rows: described.columns.length };
      },
    );

    tool(
      'sample_rows',
      {
        title: 'Sample rows',
        description:
          'Returns the first rows of a table or view (up to 100), to see what its data looks like.',
        inputSchema: {
          ...where,
          table: z.string().describe('Table name, optionally schema-qualified.'),
          rows: z.number().int().min(1).max(100).optional().describe('How many rows (default 10).'),
        },
        outputSchema: resultShape,
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      async (args: { table: string; rows?: number }, call, signal) => {
        const { schema, table } = splitTable(args.table);
        const limit = Math.min(args.rows ?? 10, call.profile.row_limit);
        const result = await session(
          d,
          ctx,
          call,
          'rollback',
          (req) => sampleRows(req, call.database, schema, table, limit, signal),
          signal,
        );
        return {
          structured: { database: call.database, ...result, truncated: false },
          rows: result.rowCount,
        };
      },
    );

    tool(
      'run_query',
      {
        title: 'Run a read-only query',
        description:
          "Runs a read-only T-SQL batch as the signed-in user and returns its rows, up to the connection's row limit (the result says when it was truncated). " +
          'Accepted: SELECT (CTEs, APPLY, PIVOT, window functions, FOR JSON/XML, hints), DECLARE, SET @variable, SET NOCOUNT and the catalog procedures sp_help, sp_columns, sp_tables, sp_pkeys, sp_fkeys, sp_helpindex, sp_helptext, sp_spaceused, sp_describe_first_result_set. ' +
          'It runs inside a transaction that is always rolled back, within the query timeout.',
        inputSchema: {
          ...where,
          sql: z
            .string()
            .min(1)
            .max(100_000)
            .describe('T-SQL: SELECT, optionally with DECLARE/SET @variables first.'),
          maxRows: z.number().int().min(1).optional().describe('Fewer rows than the row limit.'),
        },
        outputSchema: resultShape,
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      async (args: { sql: string; maxRows?: number }, call, signal) => {
        guard(args.sql, call, 'read');
        const limit = Math.min(args.maxRows ?? call.profile.row_limit, call.profile.row_limit);
        const result = await session(
          d,
          ctx,
          call,
          'rollback',
          (req) => streamRows(req(), args.sql, limit, signal, {}, call.profile.query_timeout_seconds * 1000),
          signal,
        );
        return {
          structured: { database: call.database, ...result },
          rows: result.rowCount,
          statement: args.sql,
        };
      },
    );

    tool(
      'explain_query',
      {
        title: 'Explain a query',
        description:
          'Shows the estimated execution plan of one statement (operators, estimated rows and costs, missing-index hints) without running it.',
        inputSchema: { ...where, sql: z.string().min(1).max(100_000).describe('One T-SQL statement.') },
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      async (args: { sql: string }, call) => {
        guard(
          args.sql,
          call,
          call.profile.allow_writes && ctx.scopes.includes(SCOPES.write) ? 'write' : 'read',
        );
        const xml = await session(d, ctx, call, 'rollback', async (req) => {
          // SHOWPLAN_XML must be alone in its batch, and shares the connection with the statement: the
          // statement is compiled, never executed.
          await req().batch('SET SHOWPLAN_XML ON');
          try {
            const r = await req().batch(args.sql);
            return String(Object.values((r.recordset?.[0] ?? {}) as Record<string, unknown>)[0] ?? '');
          } finally {
            await req().batch('SET SHOWPLAN_XML OFF');
          }
        });
        return { structured: { database: call.database, ...summarizeShowplan(xml) }, statement: args.sql };
      },
    );

    if (ctx.scopes.includes(SCOPES.write) && d.profiles.anyAllowsWrites()) {
      tool(
        'execute_statement',
        {
          title: 'Execute a write statement',
          description:
            'Runs one INSERT, UPDATE or DELETE (T-SQL) as the signed-in user and commits it. Only on connections that allow writes.',
          inputSchema: {
            ...where,
            sql: z.string().min(1).max(100_000).describe('One T-SQL INSERT, UPDATE or DELETE statement.'),
          },
          outputSchema: { database: z.string(), rowsAffected: z.number(), elapsedMs: z.number() },
          annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false },
        },
        async (args: { sql: string }, call) => {
          if (!call.profile.allow_writes)
            throw new ToolRefusal(
              `The connection "${call.profile.id}" does not allow writes (allow_writes is off).`,
            );
          guard(args.sql, call, 'write');
          const started = performance.now();
          const affected = await session(d, ctx, call, 'commit', async (req) =>
            (await req().query(args.sql)).rowsAffected.reduce((a, b) => a + b, 0),
          );
          return {
            structured: {
              database: call.database,
              rowsAffected: affected,
              elapsedMs: Math.round(performance.now() - started),
            },
            rows: affected,
            statement: args.sql,
          };
        },
      );
    }
  };
}

function policy(p: ConnectionProfile) {
  return {
    blockedDatabases: p.blocked_databases,
    allowedDatabases: p.allowed_databases,
    readOnlyProcedures: p.read_only_procedures ?? [],
  };
}

function guard(sqlText: string, call: Call, mode: 'read' | 'write'): void {
  const verdict = checkStatement(sqlText, { mode, ...policy(call.profile) });
  if (!verdict.ok) throw new ToolRefusal(verdict.reason);
}

function session<T>(
  d: SqlToolDeps,
  ctx: ToolContext,
  call: Call,
  end: 'rollback' | 'commit',
  body: (req: SessionRequest) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  return d.runner.session(
    { profile: call.profile, database: call.database, identity: ctx.caller.identity, end, signal },
    body,
  );
}

function splitTable(name: string): { schema: string; table: string } {
  const parts = name.split('.').map((p) => p.trim().replace(/^\[(.*)\]$/, '$1'));
  if (parts.length === 1) return { schema: 'dbo', table: parts[0]! };
  if (parts.length === 2) return { schema: parts[0]!, table: parts[1]! };
  throw new ToolRefusal(
    'Give the table as "schema.table" or "table"; use the "database" argument for another database.',
  );
}

async function run<A extends Record<string, unknown>>(
  d: SqlToolDeps,
  ctx: ToolContext,
  tool: string,
  args: A,
  signal: AbortSignal,
  handler: (
    args: A,
    call: Call,
    signal: AbortSignal,
  ) => Promise<{ structured: Record<string, unknown>; rows?: number; statement?: string }>,
): Promise<CallToolResult> {
  const started = performance.now();
  const identity = ctx.caller.identity;
  const statement = typeof args.sql === 'string' ? args.sql : undefined;
  const base = {
    subject: identity.subject,
    email: identity.email,
    dbUser: identity.dbUser,
    clientId: ctx.clientId,
    tool,
  };
  let profile: ConnectionProfile | undefined;
  let database: string | undefined;
  try {
    profile = await d.profiles.resolve(typeof args.connection === 'string' ? args.connection : undefined);
    database = typeof args.database === 'string' && args.database ? args.database : profile.database;
    const refusal = databaseRefusal(database, policy(profile));
    if (refusal) throw new ToolRefusal(refusal);
    const out = await handler(args, { profile, database }, signal);
    d.audit.record({
      ...base,
      profile: profile.id,
      database,
      statement: out.statement ?? statement,
      rowCount: out.rows,
      durationMs: Math.round(performance.now() - started),
      outcome: 'ok',
    });
    return {
      content: [{ type: 'text', text: JSON.stringify(out.structured) }],
      structuredContent: out.structured,
    };
  } catch (err) {
    const refused = err instanceof ToolRefusal || (err as Error).name === 'ProfileError';
    const explained = refused
      ? { code: 'refused', message: (err as Error).message }
      : explainSqlError(err, {
          host: profile?.host,
          port: profile?.port,
          database,
          dbUser: identity.dbUser,
          timeoutSeconds: profile?.query_timeout_seconds,
        });
    const outcome = refused ? 'refused' : explained.code === 'cancelled' ? 'cancelled' : 'error';
    d.audit.record({
      ...base,
      profile: profile?.id,
      database,
      statement,
      durationMs: Math.round(performance.now() - started),
      outcome,
      errorNumber: explained.number,
      errorMessage: explained.message,
    });
    const text = [explained.message, 'fix' in explained && explained.fix ? `Fix: ${explained.fix}` : '']
      .filter(Boolean)
      .join(' ');
    return { isError: true, content: [{ type: 'text', text }] };
  }
}

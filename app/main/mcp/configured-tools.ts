import sql from 'mssql';
import type { McpServer } from '@modelcontextprotocol/server';
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import { z } from 'zod';
import { lineOf } from '../config/unknown-keys.js';
import { PARAMETER_TYPE, type ConfiguredParameter, type ConfiguredTool } from '../../shared/config-schema.js';
import { SCOPES } from '../../shared/config-schema.js';
import type { Identity } from '../../shared/types.js';
import { sqlIdentity } from '../policy/access-policy.js';
import { checkStatement, connectionPolicy } from '../sql/guard.js';
import { parameterNames } from '../sql/tsql-lexer.js';
import { capLimits, type ConnectionProfile } from '../sql/profiles.js';
import {
  registerSqlTool,
  ToolRefusal,
  type SqlToolDeps,
  type ToolDefinition,
  type WriteDeps,
} from './tool-call.js';
import type { ToolContext, ToolSet } from './tools.js';
import { resultShape, rowsOutput, streamRead } from './tools/tool-shapes.js';
import { confirmedWrite, statementWithValues } from './write-tool.js';

type SqlParam = { type: sql.ISqlType | (() => sql.ISqlType); value: unknown };

/** A configured tool that cannot be offered, named with where it is defined and what to change. */
export class ConfiguredToolError extends Error {
  override name = 'ConfiguredToolError';
}

/**
 * Checks each configured tool once, at load, against what it will meet at every call: its statement parses and
 * passes the guard in its mode on its connection (blocked databases and tables, read-only connections), its
 * `@parameters` and its declared parameters are the same set, and its connection exists. Returns one sentence
 * per problem, naming the tool and the line of the config file it starts on.
 */
export function checkConfiguredTools(
  tools: ConfiguredTool[],
  profiles: ConnectionProfile[],
  configText?: string,
): string[] {
  const problems: string[] = [];
  const tree = configText === undefined ? undefined : parseTree(configText);
  for (const [i, t] of tools.entries()) {
    // The line of the tool's name in the config file, found as the config loader finds its other problems.
    const node = tree && findNodeAtLocation(tree, ['tools', i, 'name']);
    const at = `Configured tool "${t.name}"${node ? ` (line ${lineOf(configText!, node.offset)} of the config file)` : ''}`;
    const profile = profiles.find((p) => p.id === t.connection);
    if (!profile) {
      problems.push(
        `${at}: there is no connection profile "${t.connection}" (known: ${profiles.map((p) => p.id).join(', ') || 'none'}).`,
      );
      continue;
    }
    if (t.mode === 'write' && !profile.allow_writes)
      problems.push(`${at}: it writes, and connection "${profile.id}" does not allow writes (allow_writes).`);
    for (const p of t.parameters)
      if (p.bind && (p.default !== undefined || p.enum || p.required !== undefined))
        problems.push(
          `${at}: parameter ${p.name} is bound to the person's ${p.bind}; it takes no default, enum or required.`,
        );
    // A procedure's body is SQL Server's to govern (EXECUTE permission); its parameters come from sys.parameters.
    if (t.statement === undefined) continue;
    const verdict = checkStatement(t.statement, {
      mode: t.mode,
      ...connectionPolicy(profile),
      database: t.database ?? profile.database,
    });
    if (!verdict.ok) problems.push(`${at}: its statement is not allowed: ${verdict.reason}`);
    const used = new Set(parameterNames(t.statement).map((n) => n.toLowerCase()));
    const declared = new Set(t.parameters.map((p) => p.name.toLowerCase()));
    const undeclared = [...used].filter((n) => !declared.has(n));
    const unused = [...declared].filter((n) => !used.has(n));
    if (undeclared.length)
      problems.push(
        `${at}: the statement uses ${undeclared.map((n) => `@${n}`).join(', ')}, not declared in parameters.`,
      );
    if (unused.length)
      problems.push(`${at}: parameters ${unused.join(', ')} are declared but the statement never uses them.`);
  }
  return problems;
}

/** The configured tools as MCP tools, each listed to the people a policy rule gives it to. */
export function configuredTools(
  d: SqlToolDeps & WriteDeps,
  tools: () => ConfiguredTool[],
  log: (message: string) => void = () => undefined,
): ToolSet {
  return async (server, ctx) => {
    for (const t of tools()) {
      const shaped = t.procedure && !t.parameters.length ? await described(d, ctx, t, log) : t;
      if (shaped) registerSqlTool(server, d, ctx, configuredDefinition(d, server, ctx, shaped));
    }
  };
}

/** Procedures whose parameters were read from sys.parameters, each once (a failure is tried again later). */
const descriptions = new WeakMap<ConfiguredTool, Promise<ConfiguredTool>>();

/**
 * A procedure tool with the parameters SQL Server declares for it (sys.parameters), read as the first person the
 * policy gives the tool to, since metadata is visible only with a permission on the procedure. Until someone can
 * read it (or while SQL Server cannot be reached) the tool is not listed; the reason is logged.
 */
async function described(
  d: SqlToolDeps,
  ctx: ToolContext,
  t: ConfiguredTool,
  log: (message: string) => void,
): Promise<ConfiguredTool | undefined> {
  const access = ctx.access();
  if (!access.can({ tool: t.name, tags: t.tags, write: t.mode === 'write' })) return undefined;
  let pending = descriptions.get(t);
  if (!pending) {
    pending = (async () => {
      const profile = access.capped(await d.connections.resolve(t.connection));
      const rows = await d.runner.session(
        {
          profile,
          database: t.database ?? profile.database,
          identity: sqlIdentity(ctx.caller.identity, access),
          end: 'rollback',
        },
        async (r) =>
          (
            await r()
              .input('proc', sql.NVarChar(300), t.procedure)
              .query<ProcedureParameter>(
                'SELECT p.name, TYPE_NAME(p.user_type_id) AS type_name, p.max_length, p.precision, p.scale, p.is_output FROM sys.parameters p WHERE p.object_id = OBJECT_ID(@proc) ORDER BY p.parameter_id',
              )
          ).recordset,
      );
      return { ...t, parameters: rows.map((row) => parameterOf(t, row)) };
    })();
    descriptions.set(t, pending);
  }
  try {
    return await pending;
  } catch (err) {
    descriptions.delete(t);
    log(
      `Configured tool "${t.name}": the parameters of ${t.procedure} could not be read (${(err as Error).message}); not listed until they can.`,
    );
    return undefined;
  }
}

interface ProcedureParameter {
  name: string;
  type_name: string;
  max_length: number;
  precision: number;
  scale: number;
  is_output: boolean;
}

/** One of sys.parameters' rows as a configured parameter (output parameters are not supported). */
function parameterOf(t: ConfiguredTool, r: ProcedureParameter): ConfiguredParameter {
  const type = r.type_name.toLowerCase();
  const length = (units: number) => (r.max_length === -1 ? 'max' : String(r.max_length / units));
  const written = ['nvarchar', 'nchar'].includes(type)
    ? `${type}(${length(2)})`
    : ['varchar', 'char'].includes(type)
      ? `${type}(${length(1)})`
      : ['decimal', 'numeric'].includes(type)
        ? `${type}(${r.precision},${r.scale})`
        : type;
  if (r.is_output || !PARAMETER_TYPE.test(written))
    throw new ConfiguredToolError(
      `parameter ${r.name} of ${t.procedure} (${r.is_output ? 'an output parameter' : written}) is not supported`,
    );
  return { name: r.name.replace(/^@/, ''), type: written, description: '' };
}

/** `EXEC [dbo].[usp_Name] @A = @A, …`: the call a procedure tool runs, its values typed parameters. */
function procedureCall(t: ConfiguredTool & { procedure: string }): string {
  const name = t.procedure
    .split('.')
    .map((part) => `[${part}]`)
    .join('.');
  return `EXEC ${name} ${t.parameters.map((p) => `@${p.name} = @${p.name}`).join(', ')}`.trim();
}

/** Input schemas are made once per tool definition (a 2026-07-28 request builds its server anew). */
const inputs = new WeakMap<ConfiguredTool, z.ZodObject>();

function configuredDefinition(
  d: SqlToolDeps & WriteDeps,
  server: McpServer,
  ctx: ToolContext,
  t: ConfiguredTool,
): ToolDefinition<z.ZodObject> {
  let input = inputs.get(t);
  if (!input) {
    const shape: Record<string, z.ZodType> = {};
    for (const p of t.parameters) if (!p.bind) shape[p.name] = argumentSchema(p);
    if (t.mode === 'write')
      shape.pending_write_id = z
        .string()
        .uuid()
        .optional()
        .describe(
          'The id of a write the person approved at its link (from the previous answer); commits it.',
        );
    // Strict: an argument the tool does not declare (a bound parameter, say) is refused, never ignored.
    input = z.strictObject(shape);
    inputs.set(t, input);
  }
  const write = t.mode === 'write';
  return {
    name: t.name,
    title: t.title,
    description: t.description,
    input,
    ...(write ? {} : { output: resultShape }),
    annotations: write
      ? { readOnlyHint: false, destructiveHint: true, openWorldHint: false }
      : { readOnlyHint: true, openWorldHint: false },
    capability: { tool: t.name, tags: t.tags, write },
    ...(write ? { scope: SCOPES.write } : {}),
    where: { connection: t.connection, database: t.database },
    run: async (args, call, req) => {
      const params = bindParameters(t, args, ctx.caller.identity, call.access.dbUser);
      const statement = t.procedure ? procedureCall({ ...t, procedure: t.procedure }) : t.statement!;
      const profile = capLimits(call.profile, t);
      // The person's own table policy, at every call (the load-time check knew only the connection's). A
      // procedure's body is SQL Server's to govern: its EXECUTE permission for the person's database user.
      if (t.statement !== undefined) {
        const verdict = checkStatement(t.statement, {
          mode: t.mode,
          ...connectionPolicy(profile, call.access),
          database: call.database,
        });
        if (!verdict.ok) throw new ToolRefusal(`${t.name} is not open to you: ${verdict.reason}`);
      }
      if (write) {
        if (!profile.allow_writes)
          throw new ToolRefusal(
            `The connection "${profile.id}" does not allow writes for you (allow_writes, or your policy rule).`,
          );
        return confirmedWrite({
          server,
          d,
          ctx,
          call: { ...call, profile },
          req,
          sql: statement,
          params,
          tool: t.name,
          pendingWriteId: typeof args.pending_write_id === 'string' ? args.pending_write_id : undefined,
        });
      }
      const capped = { ...call, profile };
      const result = await streamRead(capped, req, statement, { limit: profile.row_limit, params });
      return {
        ...rowsOutput(capped, result, profile.row_limit),
        statement: statementWithValues(statement, params),
      };
    },
  };
}

/** The values sent: the model's arguments (already checked against the schema) and the person's own facts. */
function bindParameters(
  t: ConfiguredTool,
  args: Record<string, unknown>,
  identity: Identity,
  policyDbUser: string | undefined,
): Record<string, SqlParam> {
  const params: Record<string, SqlParam> = {};
  for (const p of t.parameters) {
    const value = p.bind ? boundValue(p.bind, identity, policyDbUser) : (args[p.name] ?? p.default ?? null);
    if (p.bind && (value === undefined || value === null || value === ''))
      throw new ToolRefusal(
        `${t.name} needs your ${p.bind} from your sign-in, and your identity provider did not send one; nothing was run.`,
      );
    params[p.name] = { type: sqlType(p.type), value };
  }
  return params;
}

function boundValue(
  bind: NonNullable<ConfiguredParameter['bind']>,
  id: Identity,
  policyDbUser?: string,
): unknown {
  switch (bind) {
    case 'email':
      return id.email;
    case 'subject':
      return id.subject;
    case 'name':
      return id.name;
    case 'db_user':
      return policyDbUser ?? id.dbUser;
    case 'groups':
      return id.groups.join(',');
  }
}

const INTEGER_RANGE: Record<string, [number, number]> = {
  tinyint: [0, 255],
  smallint: [-32_768, 32_767],
  int: [-2_147_483_648, 2_147_483_647],
  bigint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** The JSON Schema a model reads for one parameter, with sentences that name it when a value is wrong. */
export function argumentSchema(p: ConfiguredParameter): z.ZodType {
  const t = p.type.toLowerCase().replace(/\s+/g, '');
  const base = t.replace(/\(.*$/, '');
  const named = (what: string) => ({ error: `${p.name} must be ${what}` });
  let s: z.ZodType;
  if (p.enum) {
    const values = p.enum;
    const oneOf = { error: `${p.name} must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}` };
    const texts = values.filter((v): v is string => typeof v === 'string');
    s =
      texts.length === values.length
        ? z.enum(texts as [string, ...string[]], oneOf)
        : z.union(values.map((v) => z.literal(v)) as [z.ZodLiteral, z.ZodLiteral], oneOf);
  } else if (base in INTEGER_RANGE) {
    const [lo, hi] = INTEGER_RANGE[base]!;
    const min = Math.max(lo, p.min ?? lo);
    const max = Math.min(hi, p.max ?? hi);
    const range = `a whole number from ${min} to ${max}`;
    s = z.number(named(range)).int(named(range)).min(min, named(range)).max(max, named(range));
  } else if (['float', 'real', 'money', 'decimal', 'numeric'].includes(base)) {
    const range =
      p.min !== undefined || p.max !== undefined
        ? `a number${p.min !== undefined ? ` from ${p.min}` : ''}${p.max !== undefined ? ` up to ${p.max}` : ''}`
        : 'a number';
    let n = z.number(named(range));
    if (p.min !== undefined) n = n.min(p.min, named(range));
    if (p.max !== undefined) n = n.max(p.max, named(range));
    s = n;
  } else if (base === 'bit') s = z.boolean(named('true or false'));
  else if (base === 'date') s = z.iso.date(named('a date written YYYY-MM-DD'));
  else if (base === 'datetime2' || base === 'datetimeoffset')
    s = z.iso.datetime({ offset: true, local: true, ...named('a date and time, e.g. 2024-05-01T13:30:00') });
  else if (base === 'time') s = z.iso.time(named('a time of day, e.g. 13:30:00'));
  else if (base === 'uniqueidentifier') s = z.uuid(named('a GUID'));
  else {
    const length = /\((\d+)\)/.exec(t)?.[1];
    const most = Math.min(Number(length ?? Infinity), p.max ?? Infinity);
    const least = p.min ?? 0;
    const what = `text${least ? ` of at least ${least}` : ''}${Number.isFinite(most) ? `${least ? ' and' : ''} of at most ${most}` : ''} characters`;
    let str = z.string(named(what.replace(/^text characters$/, 'text')));
    if (least) str = str.min(least, named(what));
    if (Number.isFinite(most)) str = str.max(most, named(what));
    s = str;
  }
  s = s.describe(`${p.description}${p.description ? ' ' : ''}(${p.type})`.trim());
  if (p.default !== undefined) return s.optional();
  return p.required === false ? s.nullable().optional() : s;
}

/** The driver's type for a parameter: values cross as typed RPC parameters (sp_executesql), never as text. */
export function sqlType(type: string): sql.ISqlType | (() => sql.ISqlType) {
  const t = type.toLowerCase().replace(/\s+/g, '');
  const args = /\(([^)]*)\)/.exec(t)?.[1]?.split(',') ?? [];
  const length = args[0] === 'max' ? sql.MAX : Number(args[0]);
  switch (t.replace(/\(.*$/, '')) {
    case 'bit':
      return sql.Bit;
    case 'tinyint':
      return sql.TinyInt;
    case 'smallint':
      return sql.SmallInt;
    case 'int':
      return sql.Int;
    case 'bigint':
      return sql.BigInt;
    case 'float':
      return sql.Float;
    case 'real':
      return sql.Real;
    case 'money':
      return sql.Money;
    case 'decimal':
      return sql.Decimal(Number(args[0]), Number(args[1]));
    case 'numeric':
      return sql.Numeric(Number(args[0]), Number(args[1]));
    case 'date':
      return sql.Date;
    case 'datetime2':
      return sql.DateTime2;
    case 'datetimeoffset':
      return sql.DateTimeOffset;
    case 'time':
      return sql.Time;
    case 'uniqueidentifier':
      return sql.UniqueIdentifier;
    case 'nvarchar':
      return sql.NVarChar(length);
    case 'varchar':
      return sql.VarChar(length);
    case 'nchar':
      return sql.NChar(length);
    case 'char':
      return sql.Char(length);
    default:
      throw new ConfiguredToolError(`Unsupported parameter type ${type}.`);
  }
}

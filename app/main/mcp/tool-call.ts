import {
  fromJsonSchema,
  isInputRequiredResult,
  type CallToolResult,
  type InputRequiredResult,
  type JsonSchemaType,
  type McpServer,
  type RegisteredTool,
  type ServerContext,
  type ToolAnnotations,
} from '@modelcontextprotocol/server';
import { registerAppTool } from '@modelcontextprotocol/ext-apps/server';
import { z } from 'zod';
import type { Capability } from '../../shared/config-schema.js';
import { sqlIdentity, type Access, type ToolGrant } from '../policy/access-policy.js';
import { driverCode, explainSqlError } from '../sql/errors.js';
import { connectionPolicy, databaseRefusal } from '../sql/guard.js';
import { stateStoreFailure } from '../state/state-errors.js';
import { loginOf, type ConnectionProfile, type ConnectionProfiles } from '../sql/profiles.js';
import type { SessionRequest, SqlRunner } from '../sql/runner.js';
import type { AuditEntry, AuditLog, NewAuditEntry } from './audit.js';
import type { ConfirmationCodec } from './confirmations.js';
import type { PendingWrites } from './pending-writes.js';
import type { ToolContext } from './tools.js';
import { VIEWS, type ViewName } from './views.js';
import { BridgeError } from '../../shared/errors.js';

export interface SqlToolDeps {
  connections: ConnectionProfiles;
  runner: SqlRunner;
  audit: AuditLog;
}

/** What the write tool needs beyond the read tools: its confirmation codec and the writes awaiting approval. */
export interface WriteDeps {
  confirmations: ConfirmationCodec;
  pendingWrites: PendingWrites;
  /** The name a client registered or was configured with (a DCR client's id alone says nothing to a person). */
  clientName: (clientId: string) => Promise<string | undefined>;
}

/** What a tool's definition may use: the server (elicitation), the services, and the caller. */
export interface ToolEnv {
  server: McpServer;
  d: SqlToolDeps & WriteDeps;
  ctx: ToolContext;
}

/** Keeps a definition's argument types (the generic is inferred from its input schema). */
export const defineTool = <I extends z.ZodObject>(def: ToolDefinition<I>): ToolDefinition<I> => def;

/** A refusal or failure the caller should read, not a crash. */
export class ToolRefusal extends BridgeError {
  override name = 'ToolRefusal';
  constructor(message: string) {
    super(message, 'refused');
  }
}

/** Where a call runs: the resolved connection profile (with the policy's caps) and database, and who may do what. */
export interface Call {
  profile: ConnectionProfile;
  database: string;
  access: Access;
  /** Who the statement runs as, for people to read (the result grid, the write card). */
  runsAs?: string;
}

/** What a tool's body gets besides its arguments. */
export interface CallRequest {
  ctx: ServerContext;
  signal: AbortSignal;
  /** Reports rows read so far to a client that sent a progressToken; undefined otherwise. */
  progress?: (rows: number, elapsedMs: number) => void;
  session<T>(end: 'rollback' | 'commit', body: (req: SessionRequest) => Promise<T>): Promise<T>;
}

export interface ToolOutput {
  structured: Record<string, unknown>;
  /** The result's `_meta`: for the tool's view only (hosts do not give it to the model). */
  meta?: Record<string, unknown>;
  /** The text content; JSON of `structured` when absent. */
  text?: string;
  rows?: number;
  statement?: string;
  /** How the call ended when it is not plainly 'ok' (a previewed or declined write). */
  outcome?: AuditEntry['outcome'];
  /** A write's confirmation: who answered, through which channel (audited). */
  confirmedBy?: string;
  confirmedVia?: AuditEntry['confirmedVia'];
}

export interface ToolDefinition<I extends z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: I;
  output?: z.ZodObject;
  annotations: ToolAnnotations;
  /** What the access policy must give the caller for this tool to be listed and run. */
  capability: Capability | ToolGrant;
  /** Where a configured tool runs: its connection and database are fixed, never arguments. */
  where?: { connection: string; database?: string };
  /** The OAuth scope the token must carry for the tool to be listed (the endpoint refuses the call without it). */
  scope?: string;
  /** The MCP App view that shows this tool's results, for hosts that render them. */
  view?: ViewName;
  /**
   * Called only by a view through its host (`_meta.ui.visibility: ["app"]`): registered only for hosts that
   * declared the ui extension, which keep such tools from the model.
   */
  appOnly?: boolean;
  /** Tools without a connection argument (whoami-like) skip profile resolution. */
  run(args: z.output<I>, call: Call, req: CallRequest): Promise<ToolOutput | InputRequiredResult>;
}

/**
 * Registers one SQL tool: resolves the connection profile and database, refuses blocked databases before any
 * SQL is sent, wires cancellation and progress, audits every outcome and turns failures into a tool error
 * that names the fix.
 */
export function registerSqlTool<I extends z.ZodObject>(
  server: McpServer,
  d: SqlToolDeps,
  ctx: ToolContext,
  def: ToolDefinition<I>,
): RegisteredTool {
  // Registered through the non-generic schema type (the SDK's conditional callback type cannot follow a generic
  // one); the arguments, already validated by the SDK, are parsed once more into the tool's own type.
  const inputSchema: z.ZodObject = def.input;
  const config = {
    title: def.title,
    description: def.description,
    inputSchema,
    outputSchema: def.output && outputValidator(def.output),
    annotations: { title: def.title, ...def.annotations },
  };
  const handler = (args: unknown, reqCtx: ServerContext) =>
    runTool(d, ctx, def, def.input.parse(args), reqCtx);
  const ui = ctx.ui && (def.view || def.appOnly);
  const tool = ui
    ? registerAppTool(
        server,
        def.name,
        {
          ...config,
          _meta: {
            ui: {
              ...(def.view ? { resourceUri: VIEWS[def.view].uri } : {}),
              ...(def.appOnly ? { visibility: ['app' as const] } : {}),
            },
          },
        },
        handler,
      )
    : server.registerTool(def.name, config, handler);
  ctx.gated.push({ tool, capability: def.capability, scope: def.scope });
  return tool;
}

const outputValidators = new WeakMap<z.ZodObject, ReturnType<typeof fromJsonSchema>>();

/**
 * A tool's output schema as the SDK checks each result against it: a compiled JSON Schema validator (ajv), made
 * once per definition. Zod's own check returns a copy of what it checks: for a 100,000-row result that was
 * 100,000 new arrays and 60-150 ms per call, where ajv only reads the rows.
 */
export function outputValidator(schema: z.ZodObject): ReturnType<typeof fromJsonSchema> {
  let v = outputValidators.get(schema);
  if (!v) {
    v = fromJsonSchema(z.toJSONSchema(schema, { io: 'output', target: 'draft-2020-12' }) as JsonSchemaType);
    outputValidators.set(schema, v);
  }
  return v;
}

/**
 * Where a call may run under the person's access: the connection and database open to them, the profile with
 * the policy's caps. Refusals name the rule; nothing is sent to SQL Server before this passes.
 */
export async function resolveCall(
  profiles: ConnectionProfiles,
  access: Access,
  connection: string | undefined,
  database: string | undefined,
): Promise<Call> {
  if (access.refusal) throw new ToolRefusal(access.refusal);
  const resolved = await profiles.resolve(connection);
  const byPolicy = access.connectionRefusal(resolved.id);
  if (byPolicy) throw new ToolRefusal(byPolicy);
  const profile = access.capped(resolved);
  const db = database || profile.database;
  const refusal = databaseRefusal(db, connectionPolicy(profile, access));
  if (refusal) throw new ToolRefusal(refusal);
  return { profile, database: db, access };
}

async function runTool<I extends z.ZodObject>(
  d: SqlToolDeps,
  ctx: ToolContext,
  def: ToolDefinition<I>,
  args: z.output<I>,
  reqCtx: ServerContext,
): Promise<CallToolResult | InputRequiredResult> {
  const started = performance.now();
  const access = ctx.access();
  const identity = sqlIdentity(ctx.caller.identity, access);
  const a = args as { sql?: unknown; connection?: unknown; database?: unknown };
  const statement = typeof a.sql === 'string' ? a.sql : undefined;
  const base = {
    subject: identity.subject,
    email: identity.email,
    dbUser: identity.dbUser,
    clientId: ctx.clientId,
    tool: def.name,
    rule: access.rule,
  };
  let profile: ConnectionProfile | undefined;
  let database: string | undefined;
  // The entry is written before anything runs: when the audit log cannot be written, nothing runs.
  let begun: { id: number; at: number };
  try {
    begun = await d.audit.begin({ ...base, statement, durationMs: 0, outcome: 'running' });
  } catch (err) {
    return { isError: true, content: [{ type: 'text', text: auditUnavailable(err) }] };
  }
  const finish = (e: Omit<NewAuditEntry, keyof typeof base>) => d.audit.finish(begun, { ...base, ...e });
  try {
    if (!access.can(def.capability))
      throw new ToolRefusal(
        access.refusal ??
          `${def.name} needs ${permissionOf(def.capability)}, which policy rule "${access.rule}" does not give you.`,
      );
    const call = await resolveCall(
      d.connections,
      access,
      def.where?.connection ?? (typeof a.connection === 'string' ? a.connection : undefined),
      def.where ? def.where.database : typeof a.database === 'string' ? a.database : undefined,
    );
    ({ profile, database } = call);
    call.runsAs = runsAsText(call.profile, identity.dbUser);
    const signal = reqCtx.mcpReq.signal;
    const out = await def.run(args, call, {
      ctx: reqCtx,
      signal,
      progress: progressReporter(reqCtx),
      session: (end, body) =>
        d.runner.session({ profile: call.profile, database: call.database, identity, end, signal }, body),
    });
    if (isInputRequiredResult(out)) {
      // Round 1 of a confirmed write: previewed, the person is being asked (round 2 has its own entry).
      await finish({
        profile: profile.id,
        database,
        statement,
        durationMs: Math.round(performance.now() - started),
        outcome: 'pending',
      }).catch(() => undefined);
      return out;
    }
    // The call ran and is audited as begun; an outcome that cannot be written leaves that entry 'running'.
    await finish({
      profile: profile.id,
      database,
      statement: out.statement ?? statement,
      rowCount: out.rows,
      durationMs: Math.round(performance.now() - started),
      outcome: out.outcome ?? 'ok',
      confirmedBy: out.confirmedBy,
      confirmedVia: out.confirmedVia,
    }).catch(() => undefined);
    return {
      content: [{ type: 'text', text: out.text ?? JSON.stringify(out.structured) }],
      structuredContent: out.structured,
      ...(out.meta ? { _meta: out.meta } : {}),
    };
  } catch (err) {
    // Refusals and configuration faults carry their own sentence and fix; SQL errors are explained below.
    const refused = err instanceof BridgeError;
    const explained = refused
      ? { code: 'refused', message: (err as Error).message }
      : explainSqlError(err, {
          host: profile?.host,
          port: profile?.port,
          instance: profile?.instance,
          login: profile && loginOf(profile.auth),
          database,
          dbUser: identity.dbUser,
          timeoutSeconds: profile?.query_timeout_seconds,
        });
    const outcome = refused ? 'refused' : explained.code === 'cancelled' ? 'cancelled' : 'error';
    await finish({
      profile: profile?.id,
      database,
      statement,
      durationMs: Math.round(performance.now() - started),
      outcome,
      errorNumber: explained.number,
      errorCode: refused ? undefined : driverCode(err),
      errorMessage: explained.message,
    }).catch(() => undefined);
    const text = [explained.message, 'fix' in explained && explained.fix ? `Fix: ${explained.fix}` : '']
      .filter(Boolean)
      .join(' ');
    return { isError: true, content: [{ type: 'text', text }] };
  }
}

/** Whom SQL Server runs a call as, in the words the result grid and every write review use. */
export function runsAsText(profile: ConnectionProfile, dbUser: string): string {
  return profile.impersonation === 'execute_as_user'
    ? `database user ${dbUser}`
    : "the connection's own login (no impersonation)";
}

/** The permission a tool needs, as a sentence fragment naming what a policy rule would have to list. */
function permissionOf(c: Capability | ToolGrant): string {
  if (typeof c === 'string') return `the "${c}" tool permission`;
  const given = [`"tool:${c.tool}"`, ...c.tags.map((t) => `"tag:${t}"`)].join(' or ');
  return `a policy rule listing ${given}${c.write ? ' (and "write")' : ''}`;
}

/** Why a call was not run when its audit entry could not be written, and what to do. */
function auditUnavailable(err: unknown): string {
  const store = stateStoreFailure(err);
  if (store)
    return `This call was not run: the audit log could not be written, and no call runs unaudited. ${store.message}`;
  const cause = (err as Error).message ?? String(err);
  return (
    `This call was not run: the audit log could not be written (${cause}), and no call runs unaudited. ` +
    "Fix: free disk space and make the bridge's data directory writable (or, in team mode, bring its PostgreSQL back), then retry."
  );
}

/** Progress notifications for a client that asked for them (a progressToken in the request's _meta). */
function progressReporter(reqCtx: ServerContext): CallRequest['progress'] {
  const progressToken = reqCtx.mcpReq._meta?.progressToken;
  if (progressToken === undefined) return undefined;
  return (rows, elapsedMs) =>
    void reqCtx.mcpReq
      .notify({
        method: 'notifications/progress',
        params: {
          progressToken,
          progress: rows,
          message: `${rows} rows read in ${(elapsedMs / 1000).toFixed(1)} s`,
        },
      })
      .catch(() => undefined);
}

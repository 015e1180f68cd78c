import { SCOPES } from '../../shared/config-schema.js';
import type { ConfirmationCodec } from './confirmations.js';
import { registerSqlTool, type SqlToolDeps, type ToolEnv } from './tool-call.js';
import type { ToolSet } from './tools.js';
import { listDatabasesTool } from './tools/list-databases.js';
import { listTablesTool } from './tools/list-tables.js';
import { describeTableTool } from './tools/describe-table.js';
import { searchSchemaTool } from './tools/search-schema.js';
import { sampleRowsTool } from './tools/sample-rows.js';
import { runQueryTool } from './tools/run-query.js';
import { explainQueryTool } from './tools/explain-query.js';
import { executeStatementTool } from './tools/execute-statement.js';

export type { SqlToolDeps } from './tool-call.js';

/** Tools that need the write scope; the endpoint answers 403 insufficient_scope for them. */
export const WRITE_TOOLS = new Set(['execute_statement']);

/** The SQL tools, one file each under tools/; the write tool only for tokens and connections that allow writes. */
export function sqlTools(d: SqlToolDeps & { confirmations: ConfirmationCodec }): ToolSet {
  return async (server, ctx) => {
    const env: ToolEnv = { server, d, ctx };
    registerSqlTool(server, d, ctx, listDatabasesTool(env));
    registerSqlTool(server, d, ctx, listTablesTool(env));
    registerSqlTool(server, d, ctx, describeTableTool(env));
    registerSqlTool(server, d, ctx, searchSchemaTool(env));
    registerSqlTool(server, d, ctx, sampleRowsTool(env));
    registerSqlTool(server, d, ctx, runQueryTool(env));
    registerSqlTool(server, d, ctx, explainQueryTool(env));
    if (ctx.scopes.includes(SCOPES.write) && (await d.profiles.anyAllowsWrites()))
      registerSqlTool(server, d, ctx, executeStatementTool(env));
  };
}

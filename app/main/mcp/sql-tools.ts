import { SCOPES } from '../../shared/config-schema.js';
import { registerSqlTool, type SqlToolDeps, type ToolEnv, type WriteDeps } from './tool-call.js';
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

/**
 * The SQL tools, one file each under tools/; the write tool where a connection allows writes, listed only for
 * tokens with mssql:write (a 2025-era session whose token gains it later lists it then).
 */
export function sqlTools(d: SqlToolDeps & WriteDeps): ToolSet {
  return async (server, ctx) => {
    const env: ToolEnv = { server, d, ctx };
    registerSqlTool(server, d, ctx, listDatabasesTool(env));
    registerSqlTool(server, d, ctx, listTablesTool(env));
    registerSqlTool(server, d, ctx, describeTableTool(env));
    registerSqlTool(server, d, ctx, searchSchemaTool(env));
    registerSqlTool(server, d, ctx, sampleRowsTool(env));
    registerSqlTool(server, d, ctx, runQueryTool(env));
    registerSqlTool(server, d, ctx, explainQueryTool(env));
    if (await d.connections.anyAllowsWrites())
      registerSqlTool(server, d, ctx, { ...executeStatementTool(env), scope: SCOPES.write });
  };
}

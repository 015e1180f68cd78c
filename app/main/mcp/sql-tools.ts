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
import { fetchRowsTool } from './tools/fetch-rows.js';
import { decideWriteTool } from './tools/decide-write.js';

export type { SqlToolDeps } from './tool-call.js';

/** Tools that need the write scope; the endpoint answers 403 insufficient_scope for them. */
export const WRITE_TOOLS = new Set(['execute_statement', 'decide_write']);

/**
 * The SQL tools, one file each under tools/; the write tool where a connection allows writes, listed only for
 * tokens with mssql:write (a 2025-era session whose token gains it later lists it then). For hosts that render
 * MCP Apps, the tools link their views and the views' own tools are added.
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
    const writes = await d.connections.anyAllowsWrites();
    if (writes) registerSqlTool(server, d, ctx, { ...executeStatementTool(env), scope: SCOPES.write });
    // Called by the views only, through a host that renders them (and keeps app-only tools from the model).
    if (ctx.ui) {
      registerSqlTool(server, d, ctx, fetchRowsTool(env));
      if (writes) registerSqlTool(server, d, ctx, decideWriteTool(env));
    }
  };
}

import type { McpServer, RegisteredTool } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { Capability } from '../../shared/config-schema.js';
import type { CallerInfo } from '../oauth/access-tokens.js';
import type { Access, ToolGrant } from '../policy/access-policy.js';
import type { AuditLog } from './audit.js';

/** Everything a tool may know about its caller; always from the verified access token. */
export interface ToolContext {
  caller: CallerInfo;
  clientId: string;
  /** The token's scopes; a 2025-era session follows its newest token (more scope, more tools). */
  scopes: string[];
  /** The MCP endpoint the token is for (its audience): the approval page of a write is on the same origin. */
  resource?: URL;
  /** The caller's access under the policy as it is now (read per call: a policy change applies at once). */
  access(): Access;
  /**
   * Tools registered for this caller with the capability each needs (and the OAuth scope, for the write tool);
   * listed only while the policy gives the capability and the token carries the scope.
   */
  gated: Array<{ tool: RegisteredTool; capability: Capability | ToolGrant; scope?: string }>;
  /** The client renders MCP Apps (it declared the ui extension): tools link their views, app-only tools exist. */
  ui: boolean;
}

/** A group of tools; each registers only the tools the caller's scopes allow. */
export type ToolSet = (server: McpServer, ctx: ToolContext) => void | Promise<void>;

/** Lists exactly the tools the caller's access and token allow now (a change notifies a 2025-era session). */
export function applyAccess(ctx: ToolContext): void {
  const access = ctx.access();
  for (const { tool, capability, scope } of ctx.gated) {
    const allowed = access.can(capability) && (!scope || ctx.scopes.includes(scope));
    if (allowed && !tool.enabled) tool.enable();
    else if (!allowed && tool.enabled) tool.disable();
  }
}

// Made once: a 2026-07-28 request builds its server anew, and schemas made per server are converted per server.
const whoamiInput = z.object({});
const whoamiOutput = z.object({
  subject: z.string(),
  email: z.string().optional(),
  name: z.string().optional(),
  groups: z.array(z.string()),
  roles: z.array(z.string()),
  databaseUser: z.string(),
  policyRule: z.string().optional().describe('The access-policy rule that decides what you may do.'),
  identityProvider: z.string(),
  client: z.string(),
  scopes: z.array(z.string()),
});

/** `whoami`: the signed-in identity as the bridge sees it (what SQL impersonation will use); audited. */
export const identityTools =
  (audit?: Pick<AuditLog, 'record'>): ToolSet =>
  (server, ctx) => {
    server.registerTool(
      'whoami',
      {
        title: 'Who am I',
        description:
          'Returns the signed-in user as the bridge sees them: identity provider subject, email, groups and the database user queries run as.',
        inputSchema: whoamiInput,
        outputSchema: whoamiOutput,
        annotations: { title: 'Who am I', readOnlyHint: true, openWorldHint: false },
      },
      async () => {
        const id = ctx.caller.identity;
        const access = ctx.access();
        const out = {
          subject: id.subject,
          email: id.email,
          name: id.name,
          groups: id.groups,
          roles: id.roles ?? [],
          databaseUser: access.dbUser ?? id.dbUser,
          policyRule: access.rule,
          identityProvider: id.idp,
          client: ctx.clientId,
          scopes: ctx.scopes,
        };
        await audit?.record({
          subject: id.subject,
          email: id.email,
          dbUser: out.databaseUser,
          clientId: ctx.clientId,
          tool: 'whoami',
          durationMs: 0,
          outcome: 'ok',
          rule: access.rule,
        });
        return { content: [{ type: 'text', text: JSON.stringify(out) }], structuredContent: out };
      },
    );
  };

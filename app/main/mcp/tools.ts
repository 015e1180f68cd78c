import type { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { CallerInfo } from '../oauth/access-tokens.js';

/** Everything a tool may know about its caller; always from the verified access token. */
export interface ToolContext {
  caller: CallerInfo;
  clientId: string;
  scopes: string[];
}

/** A group of tools; each registers only the tools the caller's scopes allow. */
export type ToolSet = (server: McpServer, ctx: ToolContext) => void;

/** `whoami`: the signed-in identity as the bridge sees it (what SQL impersonation will use). */
export const identityTools: ToolSet = (server, ctx) => {
  server.registerTool(
    'whoami',
    {
      title: 'Who am I',
      description:
        'Returns the signed-in user as the bridge sees them: identity provider subject, email, groups and the database user queries run as.',
      inputSchema: z.object({}),
      outputSchema: z.object({
        subject: z.string(),
        email: z.string().optional(),
        name: z.string().optional(),
        groups: z.array(z.string()),
        databaseUser: z.string(),
        identityProvider: z.string(),
        client: z.string(),
        scopes: z.array(z.string()),
      }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async () => {
      const id = ctx.caller.identity;
      const out = {
        subject: id.subject,
        email: id.email,
        name: id.name,
        groups: id.groups,
        databaseUser: id.dbUser,
        identityProvider: id.idp,
        client: ctx.clientId,
        scopes: ctx.scopes,
      };
      return { content: [{ type: 'text', text: JSON.stringify(out) }], structuredContent: out };
    },
  );
};

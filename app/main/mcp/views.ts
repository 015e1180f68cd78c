import fs from 'node:fs';
import path from 'node:path';
import {
  EXTENSION_ID,
  RESOURCE_MIME_TYPE,
  getUiCapability,
  registerAppResource,
} from '@modelcontextprotocol/ext-apps/server';
import type { ClientCapabilities, McpServer } from '@modelcontextprotocol/server';

/**
 * The MCP App views (extension `io.modelcontextprotocol/ui`): one self-contained HTML file each, built from
 * app/views by `npm run build` into dist/views, served as `ui://` resources to hosts that render them.
 */
export const VIEWS = {
  results: {
    uri: 'ui://mssql-mcp-bridge/results.html',
    file: 'results.html',
    title: 'Query results',
    description: 'The rows of a query as a grid you can sort, filter, copy and chart.',
  },
  schema: {
    uri: 'ui://mssql-mcp-bridge/schema.html',
    file: 'schema.html',
    title: 'Schema explorer',
    description: 'Databases, tables, columns, keys and relationships, browsable.',
  },
  write: {
    uri: 'ui://mssql-mcp-bridge/write.html',
    file: 'write.html',
    title: 'Write confirmation',
    description: 'A change waiting for your approval: what it does, where, as whom; approve or decline.',
  },
} as const;
export type ViewName = keyof typeof VIEWS;

/**
 * Nothing is fetched: scripts and styles are inlined at build time, so the views ask the host for no network
 * origin at all (no `connectDomains`, no `resourceDomains`); every datum comes through the host's bridge.
 */
const CSP = { connectDomains: [] as string[], resourceDomains: [] as string[] };

/** Whether a client declared MCP Apps: the ui extension with the HTML profile (2025 initialize, 2026 `_meta`). */
export function declaresUi(capabilities: unknown): boolean {
  const ui = getUiCapability(capabilities as ClientCapabilities | undefined);
  return !!ui && (ui.mimeTypes ?? []).includes(RESOURCE_MIME_TYPE);
}

export { EXTENSION_ID };

/** The built view files, read once. A checkout without `npm run build` has none: the bridge then offers text only. */
export class Views {
  private readonly cache = new Map<ViewName, string>();

  constructor(private readonly dir: string) {}

  /** Whether every view is built (the UI is offered only when all are). */
  available(): boolean {
    return (Object.keys(VIEWS) as ViewName[]).every((name) => this.html(name) !== undefined);
  }

  html(name: ViewName): string | undefined {
    let text = this.cache.get(name);
    if (text === undefined) {
      try {
        text = fs.readFileSync(path.join(this.dir, VIEWS[name].file), 'utf8');
      } catch {
        return undefined;
      }
      this.cache.set(name, text);
    }
    return text;
  }

  /** The `ui://` resources, registered on a server built for a host that declared the extension. */
  register(server: McpServer): void {
    for (const name of Object.keys(VIEWS) as ViewName[]) {
      const view = VIEWS[name];
      registerAppResource(
        server,
        view.title,
        view.uri,
        { description: view.description, _meta: { ui: { csp: CSP, prefersBorder: true } } },
        async () => ({
          contents: [
            {
              uri: view.uri,
              mimeType: RESOURCE_MIME_TYPE,
              text: this.html(name) ?? '',
              _meta: { ui: { csp: CSP, prefersBorder: true } },
            },
          ],
        }),
      );
    }
  }
}

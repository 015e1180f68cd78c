import { useState } from 'react';
import { useApp, type App } from '@modelcontextprotocol/ext-apps/react';
import type { CallToolResult } from '@modelcontextprotocol/client';

export interface ToolState<T> {
  app: App | null;
  /** The arguments the tool was called with (the host sends them before the result). */
  args?: Record<string, unknown>;
  result?: T;
  /** The whole tool result, for `_meta`. */
  raw?: CallToolResult;
  /** The tool's error text, or the host connection's failure. */
  error?: string;
}

/** Connects the view to its host and keeps the tool's arguments and result as they arrive. */
export function useToolResult<T>(name: string): ToolState<T> {
  const [state, setState] = useState<Omit<ToolState<T>, 'app'>>({});
  const { app, error } = useApp({
    appInfo: { name: `mssql-mcp-bridge ${name}`, version: '1' },
    capabilities: {},
    onAppCreated: (created) => {
      created.ontoolinput = (p) => setState((s) => ({ ...s, args: p.arguments }));
      created.ontoolresult = (r) =>
        setState((s) => ({
          ...s,
          raw: r,
          result: r.isError ? undefined : (r.structuredContent as T),
          error: r.isError ? textOf(r) : undefined,
        }));
      created.ontoolcancelled = (p) =>
        setState((s) => ({ ...s, error: p.reason ?? 'The call was cancelled.' }));
    },
  });
  return { app, ...state, error: state.error ?? error?.message };
}

export function textOf(r: CallToolResult): string {
  return r.content
    .map((c) => (c.type === 'text' ? c.text : ''))
    .join('\n')
    .trim();
}

/** Calls a tool of the bridge through the host; a tool error becomes an exception with its sentence. */
export async function callTool<T>(app: App, name: string, args: Record<string, unknown>): Promise<T> {
  const r = await app.callServerTool({ name, arguments: args });
  if (r.isError) throw new Error(textOf(r) || `${name} failed.`);
  return r.structuredContent as T;
}

import fs from 'node:fs';
import { writeAtomically } from './write-atomically.js';

interface Remembered {
  initialize?: { protocolVersion?: unknown; capabilities?: unknown };
  tools?: unknown[];
}

/**
 * What the connector last learned from the bridge (its capabilities and tool list; nothing secret), so that
 * while the bridge is down the MCP client still sees the tools, and calling one says what to do.
 */
export class ConnectorCache {
  private data: Remembered;

  constructor(private readonly file: string) {
    try {
      this.data = JSON.parse(fs.readFileSync(file, 'utf8')) as Remembered;
    } catch {
      this.data = {};
    }
  }

  initialize(): { protocolVersion?: string; capabilities?: Record<string, unknown> } | undefined {
    const init = this.data.initialize;
    if (!init || typeof init !== 'object') return undefined;
    return {
      protocolVersion: typeof init.protocolVersion === 'string' ? init.protocolVersion : undefined,
      capabilities:
        init.capabilities && typeof init.capabilities === 'object'
          ? (init.capabilities as Record<string, unknown>)
          : undefined,
    };
  }

  tools(): unknown[] | undefined {
    return Array.isArray(this.data.tools) && this.data.tools.length ? this.data.tools : undefined;
  }

  rememberInitialize(result: Record<string, unknown>): void {
    this.data.initialize = { protocolVersion: result.protocolVersion, capabilities: result.capabilities };
    this.write();
  }

  rememberTools(tools: unknown): void {
    if (!Array.isArray(tools)) return;
    this.data.tools = tools;
    this.write();
  }

  private write(): void {
    writeAtomically(this.file, JSON.stringify(this.data), 0o600);
  }
}

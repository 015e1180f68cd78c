/**
 * Benchmarks of what an MCP client receives and what the bridge process costs in memory:
 * - result size: characters of text content per 100 rows for the sample queries (compact CSV) against the JSON
 *   text the bridge sent before (JSON.stringify of the structured result), and JSON-RPC result bytes per 1,000 rows;
 * - memory: the headless core in its own process (bundled as it ships, no demo IdP, the TDS test server in
 *   another process): RSS at idle, and its peak during 200 run_query calls of 1,000 rows.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { spawnTdsServer } from '@mssql-mcp-bridge/tds-test-server';
import { rssMb, serveBridge } from './bench-serve.js';

export type ToolResult = {
  isError?: boolean;
  content: Array<{ type: string; text?: string }>;
  structuredContent?: { rowCount: number; rows: unknown[][]; columns: Array<{ name: string }> };
};

export const SAMPLE_QUERIES = [
  'SELECT TOP 100 * FROM Orders ORDER BY OrderID',
  'SELECT TOP 100 CustomerID, Name, Email, RegionID, CreatedAt, Tags FROM Customers ORDER BY CustomerID',
  'SELECT TOP 100 o.OrderID, c.Name AS Customer, p.Name AS Product, ol.Quantity, ol.UnitPrice FROM Orders o JOIN Customers c ON c.CustomerID = o.CustomerID JOIN OrderLines ol ON ol.OrderID = o.OrderID JOIN Products p ON p.ProductID = ol.ProductID ORDER BY o.OrderID',
  'SELECT TOP 100 ProductID, Name, Category, UnitPrice, Attributes FROM Products ORDER BY ProductID',
];

/** Text characters per 100 rows now, and as JSON text (the bridge's text content before), over the sample queries. */
export async function resultSize(
  callTool: (sql: string) => Promise<ToolResult>,
): Promise<Record<string, number>> {
  const call = async (sql: string) => {
    const r = await callTool(sql);
    if (r.isError || !r.structuredContent)
      throw new Error(`run_query failed: ${JSON.stringify(r).slice(0, 400)}`);
    return r;
  };
  let textChars = 0;
  let jsonChars = 0;
  let objectJsonChars = 0;
  let rows = 0;
  for (const q of SAMPLE_QUERIES) {
    const r = await call(q);
    const text = r.content.map((c) => c.text ?? '').join('');
    const structured = r.structuredContent!;
    textChars += text.length;
    jsonChars += JSON.stringify(structured).length;
    // The shape most MCP SQL servers send as text: one object per row, column names repeated.
    objectJsonChars += JSON.stringify({
      ...structured,
      rows: structured.rows.map((row) =>
        Object.fromEntries(structured.columns.map((c, i) => [c.name, row[i]])),
      ),
    }).length;
    rows += structured.rowCount;
  }
  const per100 = (n: number) => Math.round((n / rows) * 100);
  const big = await call('SELECT TOP 1000 * FROM Orders ORDER BY OrderID');
  const text = big.content.map((c) => c.text ?? '').join('');
  const structured = JSON.stringify(big.structuredContent);
  return {
    result_text_chars_per_100_rows: per100(textChars),
    result_text_chars_per_100_rows_json_before: per100(jsonChars),
    result_text_size_ratio: Math.round((textChars / jsonChars) * 1000) / 1000,
    result_text_chars_per_100_rows_object_json: per100(objectJsonChars),
    result_text_size_ratio_vs_object_json: Math.round((textChars / objectJsonChars) * 1000) / 1000,
    // The result as it travels: text content plus structuredContent (before: the JSON twice).
    result_bytes_per_1000_rows: Buffer.byteLength(text) + Buffer.byteLength(structured),
    result_bytes_per_1000_rows_before: 2 * Buffer.byteLength(structured),
  };
}

/** The bridge as it ships, in its own process: RSS at idle and its peak during 200 run_query calls of 1,000 rows. */
export async function coreMemory(): Promise<Record<string, number>> {
  const tds = await spawnTdsServer({});
  const bridge = await serveBridge(tds, { row_limit: 1000 });
  try {
    await new Promise((r) => setTimeout(r, 2000));
    const idle = rssMb(bridge.pid);
    const client = new Client({ name: 'bench', version: '1' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(bridge.mcpUrl), {
        requestInit: { headers: { authorization: `Bearer ${bridge.token}` } },
      }),
    );
    let peak = idle;
    let low = Infinity;
    const sampler = setInterval(() => {
      const now = rssMb(bridge.pid);
      peak = Math.max(peak, now);
      low = Math.min(low, now);
    }, 20);
    for (let i = 0; i < 200; i++) {
      const r = (await client.callTool({
        name: 'run_query',
        arguments: { sql: 'SELECT TOP 1000 * FROM Orders ORDER BY OrderID' },
      })) as ToolResult;
      if (r.structuredContent?.rowCount !== 1000)
        throw new Error(`unexpected result: ${JSON.stringify(r).slice(0, 300)}`);
    }
    clearInterval(sampler);
    await client.close();
    const mb = (x: number) => Math.round(x * 10) / 10;
    return {
      core_idle_rss_mb: mb(idle),
      core_peak_rss_200_queries_mb: mb(peak),
      core_rss_swing_200_queries_mb: mb(peak - Math.min(low, idle)),
    };
  } finally {
    await bridge.stop();
    await tds.stop();
  }
}

export const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
export const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/** The load client in its own process; `block(n)` runs n tools/call round trips and returns their times. */
export function loadClient(url: string, token?: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'bench-client.ts'), url, ...(token ? [token] : [])],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return {
    async block(n: number): Promise<number[]> {
      child.stdin!.write(`${JSON.stringify({ n })}\n`);
      const { value, done } = await lines.next();
      if (done) throw new Error('the load client exited');
      return JSON.parse(value as string) as number[];
    },
    close: () => child.stdin!.end(),
  };
}

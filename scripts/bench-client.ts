/**
 * The benchmark's load client, in its own process so its costs do not share the server's event loop: a lean
 * MCP client over one keep-alive connection (initialize, then tools/call whoami). Reads `{"n":N}` lines on
 * stdin and answers each with one line: the N round-trip times in ms.
 * Usage: bench-client.ts <mcp-url> [bearer-token]
 */
import http from 'node:http';
import readline from 'node:readline';

const [url, token] = process.argv.slice(2) as [string, string | undefined];
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
/** Set once initialize has answered. */
const sessionHeaders: Record<string, string> = {};
let id = 0;

function post(body: unknown): Promise<{ status: number; text: string; session?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...sessionHeaders,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text, session: res.headers['mcp-session-id'] as string }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const init = await post({
  jsonrpc: '2.0',
  id: ++id,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
});
if (init.status !== 200 || !init.session) throw new Error(`initialize failed: ${init.status} ${init.text}`);
Object.assign(sessionHeaders, { 'mcp-session-id': init.session, 'mcp-protocol-version': '2025-06-18' });
await post({ jsonrpc: '2.0', method: 'notifications/initialized' });

const call = async () => {
  const r = await post({
    jsonrpc: '2.0',
    id: ++id,
    method: 'tools/call',
    params: { name: 'whoami', arguments: {} },
  });
  if (r.status !== 200 || !r.text.includes('"result"'))
    throw new Error(`tools/call failed: ${r.status} ${r.text}`);
};
for (let i = 0; i < 200; i++) await call(); // warm-up

for await (const line of readline.createInterface({ input: process.stdin })) {
  const { n } = JSON.parse(line) as { n: number };
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call();
    out.push(performance.now() - t);
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}
agent.destroy();

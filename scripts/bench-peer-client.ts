/**
 * The peer benchmark's load client, in its own process (the servers' event loops carry only the servers): plain
 * MCP over HTTP, as any Streamable HTTP client sends it, against the bridge, dbhub or the MCP Toolbox alike.
 * Initializes once per connection (keeping a session id when the server gives one), then reads one JSON line per
 * job on stdin, `{"n", "concurrency", "tool", "args"}`, runs n tools/call over `concurrency` keep-alive
 * connections and answers one line: each call's time in ms, the wall time, and the first answer's text
 * characters and HTTP body bytes.
 * Usage: bench-peer-client.ts <mcp-url> [bearer-token]
 */
import http from 'node:http';
import readline from 'node:readline';

const [url, token] = process.argv.slice(2) as [string, string | undefined];

interface Job {
  n: number;
  concurrency: number;
  tool: string;
  args: Record<string, unknown>;
}

interface Answer {
  status: number;
  body: string;
  bytes: number;
  session?: string;
}

/** One keep-alive connection with its own MCP session (if the server keeps sessions). */
class Connection {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly headers: Record<string, string> = {};
  private id = 0;

  private post(body: unknown): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...this.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const buf = Buffer.concat(chunks);
            resolve({
              status: res.statusCode ?? 0,
              body: buf.toString('utf8'),
              bytes: buf.length,
              session: res.headers['mcp-session-id'] as string | undefined,
            });
          });
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  }

  async open(): Promise<void> {
    const init = await this.post({
      jsonrpc: '2.0',
      id: ++this.id,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'bench', version: '1' },
      },
    });
    if (init.status !== 200) throw new Error(`initialize failed: ${init.status} ${init.body.slice(0, 300)}`);
    if (init.session) this.headers['mcp-session-id'] = init.session;
    this.headers['mcp-protocol-version'] = '2025-06-18';
    await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
  }

  async call(tool: string, args: Record<string, unknown>): Promise<Answer> {
    const r = await this.post({
      jsonrpc: '2.0',
      id: ++this.id,
      method: 'tools/call',
      params: { name: tool, arguments: args },
    });
    if (r.status !== 200 || !r.body.includes('"result"') || r.body.includes('"isError":true'))
      throw new Error(`tools/call ${tool} failed: ${r.status} ${r.body.slice(0, 400)}`);
    return r;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The characters of text content in one answer (JSON, or the data line of a one-event SSE stream). */
function textChars(body: string): number {
  const json = body.startsWith('{') ? body : (/^data: (.*)$/m.exec(body)?.[1] ?? '{}');
  const parsed = JSON.parse(json) as { result?: { content?: Array<{ text?: string }> } };
  return (parsed.result?.content ?? []).reduce((n, c) => n + (c.text?.length ?? 0), 0);
}

const pool: Connection[] = [];
async function connections(n: number): Promise<Connection[]> {
  while (pool.length < n) {
    const c = new Connection();
    await c.open();
    pool.push(c);
  }
  return pool.slice(0, n);
}

for await (const line of readline.createInterface({ input: process.stdin })) {
  const job = JSON.parse(line) as Job;
  const conns = await connections(job.concurrency);
  const times: number[] = [];
  let first: Answer | undefined;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    conns.map(async (c) => {
      while (next < job.n) {
        next++;
        const t = performance.now();
        const r = await c.call(job.tool, job.args);
        times.push(performance.now() - t);
        first ??= r;
      }
    }),
  );
  const wallMs = performance.now() - started;
  process.stdout.write(
    `${JSON.stringify({ times, wallMs, textChars: first ? textChars(first.body) : 0, bytes: first?.bytes ?? 0 })}\n`,
  );
}
for (const c of pool) c.close();

/**
 * The /token benchmark's load client, in its own process (the servers' event loop carries only the servers).
 * Reads one JSON line per job on stdin: `{"url", "kind": "code"|"refresh", "items": [...], "concurrency"}`;
 * codes are exchanged once each, refresh tokens are rotated along one chain per worker for `n` requests.
 * Answers each job with one line: `{"perSecond": N}`.
 */
import http from 'node:http';
import readline from 'node:readline';

interface Job {
  url: string;
  kind: 'code' | 'refresh';
  items: string[];
  n: number;
  concurrency: number;
  fields: Record<string, string>;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function post(url: string, fields: Record<string, string>): Promise<Record<string, string>> {
  const body = new URLSearchParams(fields).toString();
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`${res.statusCode} ${text}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function run(job: Job): Promise<number> {
  const t = performance.now();
  const chains = [...job.items];
  await Promise.all(
    Array.from({ length: job.concurrency }, async (_, w) => {
      for (let i = w; i < job.n; i += job.concurrency) {
        if (job.kind === 'code') await post(job.url, { ...job.fields, code: job.items[i]! });
        else chains[w] = (await post(job.url, { ...job.fields, refresh_token: chains[w]! })).refresh_token!;
      }
    }),
  );
  return job.n / ((performance.now() - t) / 1000);
}

for await (const line of readline.createInterface({ input: process.stdin })) {
  process.stdout.write(`${JSON.stringify({ perSecond: await run(JSON.parse(line) as Job) })}\n`);
}

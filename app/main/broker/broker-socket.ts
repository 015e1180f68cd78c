import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import type { ConfirmationDesk } from '../mcp/confirmation-desk.js';
import { writeReviewSchema } from '../mcp/write-review.js';
import type { TokenBroker } from '../oauth/token-broker.js';

/**
 * Where the running app listens for connectors: a Unix socket in the data directory (the directory is 0700 and
 * the socket 0600, so only this OS user reaches it); a named pipe per data directory on Windows.
 */
export function brokerSocketPath(dataDir: string): string {
  if (process.platform === 'win32')
    return `\\\\.\\pipe\\mssql-mcp-bridge-${crypto.createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16)}`;
  return path.join(dataDir, 'broker.sock');
}

/** What a connector may ask: a token for its client, or the person's confirmation of a write. */
const request = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('token'),
    clientId: z.string().min(1).max(200),
    label: z.string().max(200).optional(),
  }),
  z.object({
    op: z.literal('confirm'),
    review: writeReviewSchema.omit({ id: true }),
    timeoutMs: z.number().int().min(1000).max(3_600_000),
  }),
]);

/** A line longer than this ends the connection (a review carries a statement of up to 100,000 characters). */
const MAX_LINE = 512 * 1024;

/**
 * One JSON line in, one JSON line out, then the connection ends. Anything else — not JSON, `null`, wrong types,
 * too long — is answered `denied` or ends the connection; nothing a peer sends can end the app.
 */
export async function listenForConnectors(
  dataDir: string,
  broker: TokenBroker,
  desk: ConfirmationDesk,
): Promise<{ close(): Promise<void> }> {
  const where = brokerSocketPath(dataDir);
  // A socket left by a crashed run would refuse the bind; only this user's data directory can hold it.
  if (process.platform !== 'win32') fs.rmSync(where, { force: true });
  const answerTo = async (line: string, socket: net.Socket): Promise<unknown> => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return { status: 'denied', message: 'not JSON' };
    }
    const msg = request.safeParse(parsed);
    if (!msg.success) return { status: 'denied', message: 'unknown request' };
    if (msg.data.op === 'token') return broker.request(msg.data.clientId, msg.data.label ?? 'a connector');
    // The person answers in the app; the connector waits on this connection (it going away withdraws the ask).
    socket.setTimeout(msg.data.timeoutMs + 5000);
    const gone = new AbortController();
    socket.once('close', () => gone.abort());
    const action = await desk.ask(msg.data.review, msg.data.timeoutMs, gone.signal);
    return { status: 'ok', action };
  };
  const server = net.createServer((socket) => {
    socket.setTimeout(5000, () => socket.destroy());
    let buffered = '';
    let answered = false;
    socket.on('data', (chunk) => {
      if (answered) return;
      buffered += chunk.toString('utf8');
      if (buffered.length > MAX_LINE) return socket.destroy();
      const nl = buffered.indexOf('\n');
      if (nl === -1) return;
      answered = true;
      const line = buffered.slice(0, nl);
      buffered = '';
      answerTo(line, socket)
        .catch((err: unknown) => ({ status: 'denied', message: (err as Error).message ?? String(err) }))
        .then((answer) => {
          if (!socket.destroyed) socket.end(`${JSON.stringify(answer)}\n`);
        })
        .catch(() => socket.destroy());
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(where, () => resolve());
  });
  if (process.platform !== 'win32') fs.chmodSync(where, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if (process.platform !== 'win32') fs.rmSync(where, { force: true });
      }),
  };
}

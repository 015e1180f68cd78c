import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { TokenBroker } from './token-broker.js';

/**
 * Where the running app listens for connectors: a Unix socket in the data directory (the directory is 0700 and
 * the socket 0600, so only this OS user reaches it); a named pipe per data directory on Windows.
 */
export function brokerSocketPath(dataDir: string): string {
  if (process.platform === 'win32')
    return `\\\\.\\pipe\\mssql-mcp-bridge-${crypto.createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16)}`;
  return path.join(dataDir, 'broker.sock');
}

/** One JSON line in, one JSON line out, then the connection ends. */
export async function listenForConnectors(
  dataDir: string,
  broker: TokenBroker,
): Promise<{ close(): Promise<void> }> {
  const where = brokerSocketPath(dataDir);
  // A socket left by a crashed run would refuse the bind; only this user's data directory can hold it.
  if (process.platform !== 'win32') fs.rmSync(where, { force: true });
  const server = net.createServer((socket) => {
    socket.setTimeout(5000, () => socket.destroy());
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      if (buffered.length > 4096) return socket.destroy();
      const nl = buffered.indexOf('\n');
      if (nl === -1) return;
      let answer: unknown;
      try {
        const msg = JSON.parse(buffered.slice(0, nl)) as { op?: string; clientId?: string; label?: string };
        answer =
          msg.op === 'token' && typeof msg.clientId === 'string'
            ? broker.request(msg.clientId, String(msg.label ?? 'a connector'))
            : { status: 'denied', message: 'unknown request' };
      } catch {
        answer = { status: 'denied', message: 'not JSON' };
      }
      socket.end(`${JSON.stringify(answer)}\n`);
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

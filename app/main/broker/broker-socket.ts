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
  const answerTo = async (line: string): Promise<unknown> => {
    let msg: { op?: string; clientId?: string; label?: string };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      return { status: 'denied', message: 'not JSON' };
    }
    if (msg.op !== 'token' || typeof msg.clientId !== 'string')
      return { status: 'denied', message: 'unknown request' };
    return broker
      .request(msg.clientId, String(msg.label ?? 'a connector'))
      .catch((err: Error) => ({ status: 'denied', message: err.message }));
  };
  const server = net.createServer((socket) => {
    socket.setTimeout(5000, () => socket.destroy());
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      if (buffered.length > 4096) return socket.destroy();
      const nl = buffered.indexOf('\n');
      if (nl === -1) return;
      const line = buffered.slice(0, nl);
      buffered = '';
      void answerTo(line).then((answer) => socket.end(`${JSON.stringify(answer)}\n`));
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

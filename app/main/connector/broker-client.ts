import net from 'node:net';
import type { StoredOAuthTokens } from '@modelcontextprotocol/client';
import { brokerSocketPath } from '../broker/broker-socket.js';
import { BROKER_GRANT, type BrokerAnswer } from '../oauth/token-broker.js';
import type { DeskAnswer } from '../mcp/confirmation-desk.js';
import type { WriteReview } from '../../shared/types.js';

/** One question to the running app over its local channel; undefined when no app listens there. */
export function askBroker(
  dataDir: string,
  clientId: string,
  label: string,
): Promise<BrokerAnswer | undefined> {
  return askApp<BrokerAnswer>(dataDir, { op: 'token', clientId, label }, 5000);
}

/**
 * The person's answer to a write, asked of the running app (its "Waiting for you" panel); undefined when no app
 * listens on this data directory, so the caller asks another way.
 */
export async function askAppToConfirm(
  dataDir: string,
  review: Omit<WriteReview, 'id'>,
  timeoutMs: number,
): Promise<DeskAnswer | undefined> {
  const answer = await askApp<{ status?: string; action?: DeskAnswer }>(
    dataDir,
    { op: 'confirm', review, timeoutMs },
    timeoutMs + 10_000,
  );
  return answer?.status === 'ok' ? answer.action : undefined;
}

function askApp<T>(dataDir: string, message: object, timeoutMs: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(brokerSocketPath(dataDir));
    let data = '';
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.on('connect', () => socket.write(`${JSON.stringify(message)}\n`));
    socket.on('data', (c) => (data += c.toString('utf8')));
    socket.on('error', () => resolve(undefined));
    socket.on('close', () => {
      try {
        resolve(JSON.parse(data) as T);
      } catch {
        resolve(undefined);
      }
    });
  });
}

/**
 * Tokens from the person's sign-in in the running app, with no browser: asks for a one-time code (waiting, up to
 * `waitMs`, while the person allows the connector in the app), then exchanges it at the bridge's /token.
 * Undefined when the app is not running, no one is signed in there, or the connector was not allowed: the
 * caller then signs in through the browser.
 */
export async function brokeredTokens(o: {
  dataDir: string;
  mcpUrl: URL;
  clientId: string;
  label: string;
  waitMs: number;
  log: (line: string) => void;
}): Promise<StoredOAuthTokens | undefined> {
  const until = Date.now() + o.waitMs;
  let told = false;
  for (;;) {
    const answer = await askBroker(o.dataDir, o.clientId, o.label);
    if (!answer || answer.status === 'signed_out' || answer.status === 'denied') {
      if (answer) o.log(answer.message);
      return undefined;
    }
    if (answer.status === 'ok') {
      const res = await fetch(new URL('/token', o.mcpUrl), {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: BROKER_GRANT,
          code: answer.code,
          client_id: o.clientId,
          resource: o.mcpUrl.href,
        }),
      });
      const body = (await res.json()) as StoredOAuthTokens & { error_description?: string };
      if (!res.ok) {
        o.log(`The app's sign-in could not be used: ${body.error_description ?? res.status}.`);
        return undefined;
      }
      return body;
    }
    if (!told) o.log(answer.message);
    told = true;
    if (Date.now() > until) return undefined;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

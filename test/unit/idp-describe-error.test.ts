/**
 * What the IdP lab and the sign-in pages say when openid-client fails (issue 28, point 6): the HTTP status of a
 * non-2xx answer (was "unexpected HTTP response status code"), "no answer within N s" for a timeout (was
 * "operation timed out: 23", a DOMException code), the network code for a refused connection. Real openid-client
 * against real loopback servers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { afterEach, describe, expect, it } from 'vitest';
import { describeError } from '../../app/main/idp/upstream.js';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function discoveryFailure(issuer: string, timeout = 5): Promise<unknown> {
  try {
    await oidc.discovery(new URL(issuer), 'client', undefined, oidc.None(), {
      timeout,
      execute: [oidc.allowInsecureRequests],
    });
  } catch (err) {
    return err;
  }
  throw new Error('discovery succeeded');
}

describe('openid-client failures as sentences', () => {
  it('a non-2xx answer names the HTTP status', async () => {
    const issuer = await serve((_req, res) => res.writeHead(404).end('no'));
    const err = await discoveryFailure(issuer);
    expect((err as Error).message).toBe('unexpected HTTP response status code');
    expect(describeError(err)).toBe(
      'unexpected HTTP response status code: the server answered HTTP 404 Not Found',
    );
  });

  it('a server that never answers: "no answer within N s", not a DOMException code', async () => {
    const issuer = await serve(() => undefined);
    const err = await discoveryFailure(issuer, 1);
    expect(describeError(err, 1)).toBe('no answer within 1 s');
  });

  it('a refused connection names the network code', async () => {
    const issuer = await serve(() => undefined);
    await new Promise((r) => servers.pop()!.close(r));
    const err = await discoveryFailure(issuer);
    expect(describeError(err)).toMatch(/ECONNREFUSED/);
  });
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackCallback {
  /** http://127.0.0.1:<port>/oauth/callback: pre-registered native clients accept any loopback port (RFC 8252 §7.3). */
  readonly redirectUri: string;
  /** The callback's query once the browser arrives; rejects after `timeoutMs` or on close. */
  readonly result: Promise<URLSearchParams>;
  close(): void;
}

/** A one-shot loopback listener for the authorization response, on a port the OS picks (never a busy one). */
export async function listenForCallback(timeoutMs: number): Promise<LoopbackCallback> {
  let settle!: { resolve: (q: URLSearchParams) => void; reject: (e: Error) => void };
  const result = new Promise<URLSearchParams>((resolve, reject) => (settle = { resolve, reject }));
  result.catch(() => undefined);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/oauth/callback') {
      res.writeHead(404).end();
      return;
    }
    const failed = url.searchParams.get('error');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(
      `<!doctype html><title>MSSQL MCP Bridge</title><p>${
        failed
          ? 'Sign-in did not complete. Return to your MCP client for what to do.'
          : 'Signed in. You can close this tab.'
      }</p>`,
    );
    settle.resolve(url.searchParams);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const timer = setTimeout(
    () => settle.reject(new Error(`no answer from the browser within ${Math.round(timeoutMs / 1000)} s`)),
    timeoutMs,
  );
  const close = () => {
    clearTimeout(timer);
    settle.reject(new Error('sign-in stopped'));
    // close() also ends idle keep-alive connections (Node >= 19), after the page above has been sent.
    server.close();
  };
  void result.finally(close).catch(() => undefined);
  return {
    redirectUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/callback`,
    result,
    close,
  };
}

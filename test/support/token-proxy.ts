import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback proxy that adds a bearer token to every request, for a tool that cannot send one (the MCP
 * conformance suite). Host and Origin naming the proxy become the bridge's, so the bridge's own Host/Origin
 * checks still see whatever else a request claims.
 */
export async function tokenProxy(
  target: URL,
  token: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const own = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const headers = {
      ...req.headers,
      authorization: `Bearer ${token}`,
      host: req.headers.host === own ? target.host : req.headers.host,
      ...(req.headers.origin === `http://${own}` ? { origin: target.origin } : {}),
    };
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    req.pipe(upstream);
    upstream.on('error', () => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${target.pathname}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import crypto from 'node:crypto';
import express, { type RequestHandler } from 'express';
import { ControlError, type ControlApi, type ControlMethod } from './contract.js';

/**
 * The contract over HTTP + Server-Sent Events for headless mode and the browser UI: POST /control/rpc and
 * GET /control/events, both requiring this run's random token. The app-wide guard has already refused foreign
 * Hosts; here only the bridge's own origins may call (not the MCP Inspector's, which /mcp allows).
 */
export function controlHttpRouter(
  control: ControlApi,
  opts: { token: string; isOwnOrigin: (origin: string) => boolean },
): RequestHandler {
  const router = express.Router();
  const expected = Buffer.from(opts.token);
  const authorized = (presented: string | undefined) => {
    const b = Buffer.from(presented ?? '');
    return b.length === expected.length && crypto.timingSafeEqual(b, expected);
  };
  router.use((req, res, next) => {
    const origin = req.headers.origin;
    if (origin !== undefined && !opts.isOwnOrigin(origin)) {
      res
        .status(403)
        .json({ error: 'forbidden', error_description: `Origin "${origin}" may not use the control API.` });
      return;
    }
    // EventSource cannot send headers, so the events stream also accepts the token as a query parameter.
    const header = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const query = req.path === '/events' && typeof req.query.token === 'string' ? req.query.token : undefined;
    if (!authorized(header ?? query)) {
      res.status(401).json({
        error: 'unauthorized',
        error_description: "The control API needs this run's token (printed at start).",
      });
      return;
    }
    next();
  });
  router.post('/rpc', express.json({ limit: '256kb' }), async (req, res) => {
    const { method, params } = (req.body ?? {}) as { method?: string; params?: unknown };
    try {
      const result = await control.request(method as ControlMethod, (params ?? {}) as never);
      res.json({ result });
    } catch (err) {
      const e = err instanceof ControlError ? err : new ControlError((err as Error).message, 'failed');
      res
        .status(e.code === 'bad_request' ? 400 : e.code === 'not_found' ? 404 : 500)
        .json({ error: e.code, error_description: e.message });
    }
  });
  router.get('/events', (req, res) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write(': connected\n\n');
    const off = control.subscribe((event) =>
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`),
    );
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    req.on('close', () => {
      clearInterval(ping);
      off();
    });
  });
  return router;
}

/** A ControlApi that talks to a bridge over HTTP (what the browser UI and tests use). */
export function controlHttpClient(baseUrl: string, token: string): ControlApi {
  return {
    async request(method, params) {
      const res = await fetch(`${baseUrl}/control/rpc`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ method, params }),
      });
      const body = (await res.json()) as { result?: unknown; error?: string; error_description?: string };
      if (!res.ok)
        throw new ControlError(
          body.error_description ?? `HTTP ${res.status}`,
          (body.error as 'bad_request') ?? 'failed',
        );
      return body.result as never;
    },
    subscribe() {
      throw new Error(
        'Use EventSource on /control/events in a browser; Node tests read the stream directly.',
      );
    },
  };
}

import crypto from 'node:crypto';
import express, { type RequestHandler } from 'express';
import { ControlError, type ControlApi, type ControlMethod } from '../../shared/control/contract.js';

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
    // Header only (the UI reads events with fetch): a token in a URL would end up in logs and history.
    if (!authorized(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1])) {
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
      const result = await control.request(method as ControlMethod, params ?? {});
      res.json({ result });
    } catch (err) {
      const e = err instanceof ControlError ? err : new ControlError((err as Error).message, 'failed');
      res
        .status(e.code === 'bad_request' ? 400 : e.code === 'not_found' ? 404 : 500)
        .json({ error: e.code, error_description: e.message, fields: e.fields });
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

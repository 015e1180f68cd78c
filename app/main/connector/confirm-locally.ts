import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WriteReview } from '../../shared/types.js';
import type { DeskAnswer } from '../mcp/confirmation-desk.js';
import { html } from '../pages/html.js';
import { pageHtml, setPageHeaders } from '../pages/render.js';
import { writeReviewPage } from '../pages/write-review-page.js';
import { askAppToConfirm } from './broker-client.js';

export interface LocalAnswer {
  action: DeskAnswer;
  via: 'desktop app' | 'connector page';
}

/**
 * How the connector confirms a write for a client without elicitation (Claude Desktop's chat): the running app
 * first (its window and "Waiting for you" panel), else a page of its own on a loopback port, opened in the
 * person's browser. Either way the person sees the same review and answers Approve or Decline.
 */
export function localConfirmer(o: {
  dataDir: string;
  open: (url: string) => void;
  log: (line: string) => void;
}): (review: WriteReview) => Promise<LocalAnswer> {
  return async (review) => {
    const timeoutMs = Math.max(1000, review.expiresAt - Date.now());
    const { id: _id, ...asked } = review;
    const fromApp = await askAppToConfirm(o.dataDir, asked, timeoutMs);
    if (fromApp) return { action: fromApp, via: 'desktop app' };
    return { action: await confirmInBrowser(review, timeoutMs, o), via: 'connector page' };
  };
}

/**
 * A one-time page on 127.0.0.1 at an unguessable path: GET shows the review, POST (with the page's own token, from
 * this origin) answers. It closes after the answer or at the expiry, which answers 'cancel'.
 */
export function confirmInBrowser(
  review: WriteReview,
  timeoutMs: number,
  o: { open: (url: string) => void; log: (line: string) => void },
): Promise<DeskAnswer> {
  const path = `/confirm/${crypto.randomBytes(24).toString('base64url')}`;
  const csrf = crypto.randomBytes(24).toString('base64url');
  return new Promise((resolve) => {
    let answered = false;
    const finish = (a: DeskAnswer) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      server.close();
      server.closeAllConnections();
      resolve(a);
    };
    const send = (res: http.ServerResponse, status: number, title: string, body: ReturnType<typeof html>) => {
      setPageHeaders(res);
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
      res.end(pageHtml(title, body));
    };
    const server = http.createServer((req, res) => {
      const own = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      if (req.url !== path || req.headers.host !== own.slice('http://'.length))
        return send(res, 404, 'Not found', html`<p>There is nothing here.</p>`);
      if (req.method === 'GET')
        return send(
          res,
          200,
          'Approve this change?',
          writeReviewPage(review, { action: path, hidden: { csrf } }),
        );
      if (req.method !== 'POST' || (req.headers.origin !== undefined && req.headers.origin !== own))
        return send(res, 403, 'Refused', html`<p>This answer did not come from the review page.</p>`);
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
        if (body.length > 4096) req.destroy();
      });
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const token = form.get('csrf') ?? '';
        const decision = form.get('decision');
        if (
          token.length !== csrf.length ||
          !crypto.timingSafeEqual(Buffer.from(token), Buffer.from(csrf)) ||
          (decision !== 'approve' && decision !== 'decline')
        )
          return send(res, 403, 'Refused', html`<p>This answer did not come from the review page.</p>`);
        send(
          res,
          200,
          decision === 'approve' ? 'Approved' : 'Declined',
          html`<p>
            <strong
              >${decision === 'approve' ? 'Approved: the change is committed now, if it still affects the same rows.' : 'Declined: nothing changed.'}</strong
            >
            You can close this tab.
          </p>`,
        );
        finish(decision === 'approve' ? 'accept' : 'decline');
      });
    });
    const timer = setTimeout(() => finish('cancel'), timeoutMs);
    timer.unref();
    server.listen(0, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
      o.log(`A change waits for your approval (the MSSQL MCP Bridge app is not running): ${url}`);
      o.open(url);
    });
  });
}

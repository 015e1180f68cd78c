import type { Response } from 'express';
import { html, type SafeHtml } from './html.js';

/**
 * Security headers for every HTML page the bridge renders, its own and oidc-provider's error pages: no
 * scripts, no framing (clickjacking on consent).
 */
export function setPageHeaders(res: { setHeader(name: string, value: string): unknown }): void {
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'",
  );
  res.setHeader('X-Frame-Options', 'DENY');
  // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on the consent POST, which the
  // Origin guard refuses.
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
}

const STYLE =
  'body{font:15px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1b1f24}' +
  'h1{font-size:1.3rem}code{background:#f2f4f7;padding:.1rem .3rem;border-radius:3px}.err{color:#a4141b}' +
  'button{font:inherit;padding:.4rem 1rem;margin-right:.5rem;border-radius:6px;cursor:pointer}' +
  // The choice that grants is the filled one; the other is plainly the other (they looked alike).
  'button.primary{background:#2456c9;color:#fff;border:1px solid #2456c9;font-weight:600}' +
  'button.secondary{background:#fff;color:#1b1f24;border:1px solid #8d99ab}' +
  'ul.scopes{margin:0;padding-left:1.1rem}' +
  'dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}';

/** A whole page around a template's body. */
export function pageHtml(title: string, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${title} · MSSQL MCP Bridge</title>
        <style>
          ${STYLE}
        </style>
      </head>
      <body>
        <h1>${title}</h1>
        ${body}
      </body>
    </html>`.text;
}

/** The page for a refused browser request (also oidc-provider's error pages): the sentence, then the code. */
export function errorPageHtml(code: string, message: string): string {
  return pageHtml(
    'Sign-in could not continue',
    html`<p class="err">${sentence(message)}</p>
      <p>
        <small>Error: <code>${code}</code></small>
      </p>`,
  );
}

/** oidc-provider's descriptions are fragments without a full stop ("redirect_uri did not match …"). */
function sentence(message: string): string {
  return /[.!?]$/.test(message) ? message : `${message}.`;
}

export function sendPage(res: Response, status: number, title: string, body: SafeHtml): void {
  setPageHeaders(res);
  res.status(status).type('html').send(pageHtml(title, body));
}

/** An error page with a stable machine-readable code (also in the `X-Bridge-Error` header). */
export function sendErrorPage(res: Response, status: number, code: string, message: string): void {
  setPageHeaders(res);
  res.setHeader('X-Bridge-Error', code);
  res.status(status).type('html').send(errorPageHtml(code, message));
}

import fs from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler } from 'express';

/** The renderer's policy, also in its index.html <meta> (which Electron honours); here with frame-ancestors. */
export const UI_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Serves the built renderer (headless `serve --ui`): static files only, strict CSP, never cached, no framing. */
export function uiStatic(uiDir: string): RequestHandler {
  if (!fs.existsSync(path.join(uiDir, 'index.html')))
    throw new Error(
      `The desktop UI is not built (${uiDir}/index.html is missing): run "npm run build:ui" first.`,
    );
  return express.static(uiDir, {
    index: 'index.html',
    fallthrough: true,
    setHeaders: (res) => {
      res.setHeader('Content-Security-Policy', UI_CSP);
      res.setHeader('X-Frame-Options', 'DENY');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      // The control token travels in the URL fragment; no Referer ever carries a page URL elsewhere.
      res.setHeader('Referrer-Policy', 'no-referrer');
      res.setHeader('Cache-Control', 'no-store');
    },
  });
}

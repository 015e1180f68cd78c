import crypto from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import * as jose from 'jose';
import type { WriteReview } from '../../shared/types.js';
import type { PendingWrites } from '../mcp/pending-writes.js';
import type { Interactions } from '../oauth/interactions.js';
import { html } from '../pages/html.js';
import { sendErrorPage, sendPage } from '../pages/render.js';
import { writeReviewPage } from '../pages/write-review-page.js';

export interface WriteApprovalDeps {
  pendingWrites: PendingWrites;
  interactions: Pick<Interactions, 'signInAtIdp' | 'takeOutcome'>;
  /** Signs the approver's browser session and the form's CSRF token (derived from the state key). */
  key: Uint8Array;
  bodyLimit: string;
}

const SESSION = 'mcpb_approver';
const BIND = 'mcpb_approve_bind';
const SESSION_SECONDS = 30 * 60;
const AUDIENCE = 'mssql-mcp-bridge/write-approval';

/**
 * The approval page of a write asked for by a client that cannot show a form (Claude.ai, ChatGPT, a client that
 * lost its session): `/writes/:id`. The person signs in at the IdP in this browser (the bearer token of the MCP
 * client can never approve: it is not a cookie, and the page asks for a fresh sign-in), must be the person who
 * asked for the write, and answers with a deliberate POST carrying a CSRF token bound to their session and the
 * write. The decision is recorded; the client's next call commits it (once).
 */
export function writeApprovalRouter(d: WriteApprovalDeps): Router {
  const r = express.Router();
  const form = express.urlencoded({ extended: false, limit: d.bodyLimit });
  const wrap =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: (err?: unknown) => void) =>
      void fn(req, res).catch(next);

  const approver = async (req: Request) => {
    const token = cookie(req, SESSION);
    if (!token) return undefined;
    try {
      const { payload } = await jose.jwtVerify(token, d.key, { audience: AUDIENCE, algorithms: ['HS256'] });
      const subject = String(payload.sub);
      const label = typeof payload.name === 'string' ? payload.name : subject;
      return { subject, label, jti: String(payload.jti) };
    } catch {
      return undefined;
    }
  };
  const csrf = (jti: string, id: string) =>
    crypto.createHmac('sha256', d.key).update(`${jti} ${id}`).digest('base64url');

  r.get(
    '/writes/:id',
    wrap(async (req, res) => {
      const w = await d.pendingWrites.get(String(req.params.id));
      if (!w) return notFound(res);
      const who = await approver(req);
      const id = w.view.id;
      if (!who)
        return sendPage(
          res,
          200,
          'Sign in to review a change',
          html`<p>
              An MCP client asks to change data in SQL Server on your behalf. Sign in as yourself to see the
              change and approve or decline it.
            </p>
            <p><a href="/writes/${id}/sign-in">Sign in to review</a></p>`,
        );
      if (who.subject !== w.subject)
        return sendErrorPage(
          res,
          403,
          'not_your_write',
          `This change was asked for by ${w.view.requestedBy}; you are signed in as ${who.label}. Only the person who asked can approve it: open the link signed in as them (sign in again at /writes/${id}/sign-in).`,
        );
      if (w.view.status !== 'pending')
        return sendPage(res, 200, statusTitle(w.view.status), statusNote(w.view));
      sendPage(
        res,
        200,
        'Approve this change?',
        writeReviewPage(w.view, { action: `/writes/${id}`, hidden: { csrf: csrf(who.jti, id) } }),
      );
    }),
  );

  r.get(
    '/writes/:id/sign-in',
    wrap(async (req, res) => {
      const w = await d.pendingWrites.get(String(req.params.id));
      if (!w) return notFound(res);
      // Binds the IdP's answer to this browser: a sign-in link passed to someone else ends without a session.
      const bind = crypto.randomBytes(24).toString('base64url');
      res.cookie(BIND, bind, cookieOptions(req, `/writes/${w.view.id}`, 600));
      await d.interactions.signInAtIdp(req, res, {
        uid: bindUid(bind),
        returnTo: `/writes/${w.view.id}/signed-in`,
      });
    }),
  );

  r.get(
    '/writes/:id/signed-in',
    wrap(async (req, res) => {
      const id = String(req.params.id);
      const finish = typeof req.query.finish === 'string' ? req.query.finish : '';
      const outcome = finish ? await d.interactions.takeOutcome(finish) : undefined;
      const bind = cookie(req, BIND);
      if (!outcome || !bind || outcome.uid !== bindUid(bind))
        return sendErrorPage(
          res,
          400,
          'sign_in_not_bound',
          'This sign-in was started in another browser, or it expired. Open the approval link again and sign in from there.',
        );
      if (outcome.error || !outcome.identity)
        return sendErrorPage(
          res,
          403,
          outcome.error?.error ?? 'sign_in_failed',
          outcome.error?.error_description ?? 'The sign-in failed.',
        );
      const identity = outcome.identity;
      const session = await new jose.SignJWT({ name: identity.email ?? identity.subject })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(identity.subject)
        .setAudience(AUDIENCE)
        .setJti(crypto.randomUUID())
        .setIssuedAt()
        .setExpirationTime(`${SESSION_SECONDS}s`)
        .sign(d.key);
      res.clearCookie(BIND, { path: `/writes/${id}` });
      res.cookie(SESSION, session, cookieOptions(req, '/writes', SESSION_SECONDS));
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(303, `/writes/${encodeURIComponent(id)}`);
    }),
  );

  r.post(
    '/writes/:id',
    form,
    wrap(async (req, res) => {
      const w = await d.pendingWrites.get(String(req.params.id));
      if (!w) return notFound(res);
      const who = await approver(req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const token = typeof body.csrf === 'string' ? body.csrf : '';
      if (!who || !safeEqual(token, csrf(who.jti, w.view.id)))
        return sendErrorPage(
          res,
          403,
          'not_signed_in',
          'This answer did not come from your approval page (no sign-in in this browser, or an old page). Open the approval link again.',
        );
      if (body.decision !== 'approve' && body.decision !== 'decline')
        return sendErrorPage(res, 400, 'no_decision', 'Choose Approve or Decline on the approval page.');
      const result = await d.pendingWrites.decide(
        w.view.id,
        body.decision === 'approve',
        { subject: who.subject, label: who.label },
        'approval page',
      );
      if (result === 'not_yours')
        return sendErrorPage(
          res,
          403,
          'not_your_write',
          `Only ${w.view.requestedBy} can approve this change.`,
        );
      const now = (await d.pendingWrites.get(w.view.id))!.view;
      if (result === 'decided') return sendPage(res, 200, statusTitle(now.status), statusNote(now));
      sendPage(res, 409, statusTitle(now.status), statusNote(now));
    }),
  );
  return r;
}

const bindUid = (bind: string) =>
  `write-approval:${crypto.createHash('sha256').update(bind).digest('base64url')}`;

function statusTitle(status: string): string {
  switch (status) {
    case 'approved':
      return 'Approved';
    case 'declined':
      return 'Declined';
    case 'expired':
      return 'This change expired';
    case 'committed':
      return 'Committed';
    case 'committing':
      return 'Being committed';
    default:
      return 'Rolled back';
  }
}

function statusNote(r: WriteReview & { status: string; decidedBy?: string }) {
  const what: Record<string, string> = {
    approved:
      'You approved this change. Tell your assistant to go on: it commits when it calls execute_statement again (only if the statement still affects the same rows).',
    declined: 'You declined this change. Nothing changed.',
    expired:
      'Nobody answered in time, so nothing changed. Ask your assistant to preview it again if it is still wanted.',
    committed: 'This change was committed.',
    committing: 'This change is being committed now.',
    failed:
      'This change was approved but did not commit (its effect had changed, or SQL Server refused it); nothing changed.',
  };
  return writeReviewPage(r, undefined, html`<p><strong>${what[r.status] ?? ''}</strong></p>`);
}

function notFound(res: Response): void {
  sendErrorPage(
    res,
    404,
    'unknown_write',
    'There is no such change waiting for approval (the link is wrong, or it is long gone).',
  );
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function cookieOptions(req: Request, path: string, seconds: number) {
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: req.secure,
    path,
    maxAge: seconds * 1000,
  };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import type { OAuthClientInformationFull } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { AuthorizationParams } from '@modelcontextprotocol/sdk/server/auth/provider.js';
import type { BridgeConfig } from '../config/schema.js';
import { IdentityMappingError, type Identity } from '../idp/identity.js';
import type { IdpProfiles } from '../idp/profiles.js';
import { UpstreamError, type UpstreamChecks, type UpstreamIdp } from '../idp/upstream.js';
import { nowSeconds, type StateDb } from '../state/database.js';
import type { ClientRegistry } from './clients.js';
import type { GrantStore } from './grants.js';
import { escapeHtml, sendErrorPage, sendPage } from './pages.js';

/** An /authorize request waiting for the user to come back from the IdP (and maybe to consent). */
interface PendingAuthorization {
  stage: 'upstream' | 'consent';
  clientId: string;
  redirectUri: string;
  redirectUriExplicit: boolean;
  codeChallenge: string;
  state?: string;
  scopes: string[];
  resource: string;
  issuer: string;
  idpId: string;
  upstream: UpstreamChecks;
  identity?: Identity;
  csrf?: string;
}

const CONSENT_COOKIE = 'mcpb_consent';

/** The user-facing half of the authorization server: upstream sign-in, consent, and the code redirect. */
export class AuthorizationFlow {
  constructor(
    private readonly db: StateDb,
    private readonly config: BridgeConfig,
    private readonly clients: ClientRegistry,
    private readonly grants: GrantStore,
    private readonly profiles: IdpProfiles,
    private readonly upstream: UpstreamIdp,
    /** Where the IdP sends the user back: one fixed URL, registered at the IdP. */
    private readonly upstreamRedirectUri: () => string,
  ) {}

  /** Called by the provider once the SDK has validated client, redirect URI and PKCE parameters. */
  async start(
    client: OAuthClientInformationFull,
    params: Omit<AuthorizationParams, 'scopes' | 'resource'> & { scopes: string[]; resource: string },
    issuer: string,
    req: Request,
    res: Response,
  ): Promise<void> {
    const profile = await this.profiles.active();
    if (!profile) {
      const all = await this.profiles.list();
      sendErrorPage(
        res,
        503,
        'idp_not_configured',
        all.length
          ? `Several identity providers are configured (${all.map((p) => p.id).join(', ')}) but none is active. Set idp.active in the config file (or choose one in the app).`
          : 'No identity provider is configured yet. Add one under idp.profiles in the config file (issuer, client_id, client secret) or in the app, then try again.',
      );
      return;
    }
    const id = crypto.randomBytes(24).toString('base64url');
    let url: URL;
    let checks: UpstreamChecks;
    try {
      ({ url, checks } = await this.upstream.begin(profile, this.upstreamRedirectUri(), id));
    } catch (err) {
      const e = err instanceof UpstreamError ? err : new UpstreamError(String(err), 'upstream_failed');
      sendErrorPage(res, 502, e.code, e.message);
      return;
    }
    const source = req.method === 'POST' ? (req.body as Record<string, unknown>) : req.query;
    const pending: PendingAuthorization = {
      stage: 'upstream',
      clientId: client.client_id,
      redirectUri: params.redirectUri,
      redirectUriExplicit: typeof source.redirect_uri === 'string',
      codeChallenge: params.codeChallenge,
      state: params.state,
      scopes: params.scopes,
      resource: params.resource,
      issuer,
      idpId: profile.id,
      upstream: checks,
    };
    this.savePending(id, pending);
    res.redirect(302, url.href);
  }

  /** GET /idp/callback: the IdP's answer. */
  async upstreamCallback(req: Request, res: Response): Promise<void> {
    const state = typeof req.query.state === 'string' ? req.query.state : undefined;
    const pending = state ? this.loadPending(state) : undefined;
    if (!state || !pending || pending.stage !== 'upstream') {
      sendErrorPage(
        res,
        400,
        'state_mismatch',
        'This sign-in response does not match any sign-in in progress (unknown or expired state). Start again from your MCP client.',
      );
      return;
    }
    // One use: a second arrival of the same callback finds nothing.
    this.deletePending(state);
    if (typeof req.query.error === 'string') {
      const description =
        typeof req.query.error_description === 'string'
          ? req.query.error_description
          : 'The identity provider refused the sign-in.';
      this.redirectToClient(res, pending, {
        error: req.query.error === 'access_denied' ? 'access_denied' : 'server_error',
        error_description: `Identity provider: ${description}`,
      });
      return;
    }
    const profile = await this.profiles.get(pending.idpId);
    if (!profile) {
      sendErrorPage(
        res,
        400,
        'idp_removed',
        `The identity provider profile "${pending.idpId}" was removed during sign-in. Start again.`,
      );
      return;
    }
    const callbackUrl = new URL(this.upstreamRedirectUri());
    callbackUrl.search = new URL(req.originalUrl, 'http://x').search;
    let identity: Identity;
    try {
      ({ identity } = await this.upstream.complete(profile, callbackUrl, pending.upstream));
    } catch (err) {
      if (err instanceof UpstreamError) return sendErrorPage(res, 400, err.code, err.message);
      if (err instanceof IdentityMappingError)
        return sendErrorPage(res, 400, 'identity_mapping_failed', err.message);
      throw err;
    }
    const known = await this.clients.find(pending.clientId);
    if (!known) {
      sendErrorPage(res, 400, 'client_removed', 'The MCP client was removed during sign-in.');
      return;
    }
    if (!known.skipConsent && !this.hasConsent(identity.subject, pending.clientId, pending.scopes)) {
      const csrf = crypto.randomBytes(24).toString('base64url');
      this.savePending(state, { ...pending, stage: 'consent', identity, csrf });
      res.cookie(CONSENT_COOKIE, csrf, {
        httpOnly: true,
        sameSite: 'strict',
        path: '/consent',
        maxAge: this.config.oauth.pending_authorization_ttl_seconds * 1000,
      });
      res.redirect(302, `/consent?request=${encodeURIComponent(state)}`);
      return;
    }
    this.issueCodeAndRedirect(res, pending, identity);
  }

  /** GET /consent: the bridge's own consent page (one upstream client serves every downstream client). */
  async consentPage(req: Request, res: Response): Promise<void> {
    const id = typeof req.query.request === 'string' ? req.query.request : '';
    const pending = this.loadPending(id);
    if (!pending || pending.stage !== 'consent' || !pending.identity) {
      sendErrorPage(
        res,
        400,
        'consent_expired',
        'This consent request is unknown or has expired. Start again from your MCP client.',
      );
      return;
    }
    const client = (await this.clients.find(pending.clientId))?.info;
    const name = client?.client_name ?? pending.clientId;
    sendPage(
      res,
      200,
      'Allow access to SQL Server?',
      `<p><strong>${escapeHtml(name)}</strong> wants to use MSSQL MCP Bridge as <strong>${escapeHtml(pending.identity.email ?? pending.identity.subject)}</strong>.</p>` +
        `<dl><dt>Client id</dt><dd><code>${escapeHtml(pending.clientId)}</code></dd>` +
        `<dt>Redirects to</dt><dd><code>${escapeHtml(pending.redirectUri)}</code></dd>` +
        `<dt>Permissions</dt><dd>${pending.scopes.map((s) => `<code>${escapeHtml(s)}</code>`).join(' ')}</dd>` +
        `<dt>Database user</dt><dd><code>${escapeHtml(pending.identity.dbUser)}</code></dd></dl>` +
        `<p>Only allow clients you started yourself. The client was registered automatically, so its name is not verified.</p>` +
        `<form method="post" action="/consent"><input type="hidden" name="request" value="${escapeHtml(id)}">` +
        `<input type="hidden" name="csrf" value="${escapeHtml(pending.csrf!)}">` +
        `<button type="submit" name="decision" value="allow">Allow</button><button type="submit" name="decision" value="deny">Deny</button></form>`,
    );
  }

  /** POST /consent: CSRF-checked (form token must equal both the stored token and the SameSite cookie). */
  async consentSubmit(req: Request, res: Response): Promise<void> {
    const body = (req.body ?? {}) as Record<string, string>;
    const pending = body.request ? this.loadPending(body.request) : undefined;
    const cookie = parseCookie(req.headers.cookie, CONSENT_COOKIE);
    if (
      !pending ||
      pending.stage !== 'consent' ||
      !pending.identity ||
      !pending.csrf ||
      !safeEqual(body.csrf, pending.csrf) ||
      !safeEqual(cookie, pending.csrf)
    ) {
      sendErrorPage(
        res,
        403,
        'consent_csrf',
        "This consent form is not valid (expired, already used, or not submitted from the bridge's own page). Start again from your MCP client.",
      );
      return;
    }
    this.deletePending(body.request!);
    res.clearCookie(CONSENT_COOKIE, { path: '/consent' });
    if (body.decision !== 'allow') {
      this.redirectToClient(res, pending, {
        error: 'access_denied',
        error_description: 'The user denied access.',
      });
      return;
    }
    this.db
      .prepare(
        'INSERT INTO consents (subject, client_id, scopes, granted_at) VALUES (?, ?, ?, ?) ON CONFLICT(subject, client_id) DO UPDATE SET scopes = excluded.scopes, granted_at = excluded.granted_at',
      )
      .run(pending.identity.subject, pending.clientId, pending.scopes.join(' '), nowSeconds());
    this.issueCodeAndRedirect(res, pending, pending.identity);
  }

  private hasConsent(subject: string, clientId: string, scopes: string[]): boolean {
    const row = this.db
      .prepare('SELECT scopes FROM consents WHERE subject = ? AND client_id = ?')
      .get(subject, clientId) as { scopes: string } | undefined;
    if (!row) return false;
    const granted = new Set(row.scopes.split(' '));
    return scopes.every((s) => granted.has(s));
  }

  private issueCodeAndRedirect(res: Response, pending: PendingAuthorization, identity: Identity): void {
    const code = this.grants.issueCode(
      {
        clientId: pending.clientId,
        redirectUri: pending.redirectUri,
        redirectUriExplicit: pending.redirectUriExplicit,
        codeChallenge: pending.codeChallenge,
        scopes: pending.scopes,
        resource: pending.resource,
        issuer: pending.issuer,
        identity,
      },
      this.config.oauth.code_ttl_seconds,
    );
    this.redirectToClient(res, pending, { code });
  }

  /** Authorization response with RFC 9207 `iss`. */
  private redirectToClient(
    res: Response,
    pending: PendingAuthorization,
    params: Record<string, string>,
  ): void {
    const url = new URL(pending.redirectUri);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    if (pending.state !== undefined) url.searchParams.set('state', pending.state);
    url.searchParams.set('iss', pending.issuer);
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(302, url.href);
  }

  private savePending(id: string, p: PendingAuthorization): void {
    this.db
      .prepare(
        'INSERT INTO pending_authorizations (id, data, expires_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data',
      )
      .run(id, JSON.stringify(p), nowSeconds() + this.config.oauth.pending_authorization_ttl_seconds);
  }

  private loadPending(id: string): PendingAuthorization | undefined {
    const row = this.db
      .prepare('SELECT data FROM pending_authorizations WHERE id = ? AND expires_at >= ?')
      .get(id, nowSeconds()) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as PendingAuthorization) : undefined;
  }

  private deletePending(id: string): void {
    this.db.prepare('DELETE FROM pending_authorizations WHERE id = ?').run(id);
  }
}

function parseCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

function safeEqual(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string' || a.length !== b.length) return false;
  return crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

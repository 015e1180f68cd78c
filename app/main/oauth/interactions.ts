import crypto from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { SCOPES, type BridgeConfig } from '../../shared/config-schema.js';
import { IdentityMappingError, type Identity } from '../idp/identity.js';
import type { IdpProfiles } from '../idp/profiles.js';
import { UpstreamError, type UpstreamIdp } from '../idp/upstream.js';
import type { UpstreamChecks } from '../idp/upstream-checks.js';
import { nowSeconds } from '../state/clock.js';
import type { UpstreamSignInRows } from '../state/sealed-rows.js';
import type { ClientRegistry } from './clients.js';
import type { GrantStore } from './grants.js';
import type { OriginContext } from './origin.js';
import { consentPage } from '../pages/consent-page.js';
import { isLoopbackRedirect } from './redirect-policy.js';
import { sendErrorPage, sendPage } from '../pages/render.js';
import { stateStoreFailure } from '../state/state-errors.js';
import { hashId, type Sealer } from '../secrets/sealer.js';

/** A sign-in at the IdP in progress (sealed at rest: it holds the upstream PKCE verifier and nonce). */
interface UpstreamSignIn {
  uid: string;
  origin: string;
  idpId: string;
  checks: UpstreamChecks;
  /** Where the browser picks up the outcome, when not an authorization's interaction (the write approval page). */
  returnTo?: string;
}

/** What the IdP answered, waiting for the browser that started the sign-in to pick it up. */
export interface SignInOutcome {
  uid: string;
  identity?: Identity;
  error?: { error: string; error_description: string };
}

export interface InteractionDeps {
  signIns: UpstreamSignInRows;
  config: BridgeConfig;
  sealer: Sealer;
  clients: ClientRegistry;
  grants: GrantStore;
  profiles: IdpProfiles;
  upstream: UpstreamIdp;
  /** The authorization server of an origin. */
  providerFor(ctx: OriginContext): Provider;
  /** The origin context of a request (set by the Host guard). */
  originOf(req: Request): OriginContext;
  /** The one callback registered at the IdP, whichever origin the client used. */
  idpCallback(): string;
}

const NOT_THIS_BROWSER =
  'This sign-in was started in another browser or by another program, or it has expired. Start again from your MCP client, in the browser it opens.';

/**
 * The login and consent interactions of the authorization server. The upstream IdP sign-in is the login:
 *
 * 1. `/interaction/:uid` (oidc-provider's interaction cookie proves this is the browser that called
 *    /authorize) sends the user to the IdP with the bridge's own state, nonce and PKCE.
 * 2. `/idp/callback` (one fixed URL, registered at the IdP) validates the answer and hands the result to
 *    step 3 under a fresh one-time secret that only this browser's redirect carries.
 * 3. `/interaction/:uid/signed-in` needs both that secret and the interaction cookie: a sign-in link passed
 *    to someone else ends at their browser, which has no cookie, and the starter never sees the secret.
 */
export class Interactions {
  constructor(private readonly d: InteractionDeps) {}

  router(): Router {
    const r = express.Router();
    const form = express.urlencoded({ extended: false, limit: this.d.config.server.body_limit });
    const wrap =
      (fn: (req: Request, res: Response) => Promise<void>) =>
      (req: Request, res: Response, next: (err?: unknown) => void) =>
        void fn(req, res).catch(next);
    r.get(
      '/interaction/:uid',
      wrap((req, res) => this.start(req, res)),
    );
    r.get(
      '/interaction/:uid/signed-in',
      wrap((req, res) => this.signedIn(req, res)),
    );
    r.post(
      '/interaction/:uid/confirm',
      form,
      wrap((req, res) => this.confirm(req, res)),
    );
    return r;
  }

  /** GET /idp/callback: the IdP's answer (routed here by the app unless it belongs to a Test sign-in). */
  async upstreamCallback(req: Request, res: Response): Promise<void> {
    const state = typeof req.query.state === 'string' ? req.query.state : '';
    const pending = state ? await this.take<UpstreamSignIn>(state) : undefined;
    if (!pending) {
      sendErrorPage(
        res,
        400,
        'state_mismatch',
        'This sign-in response does not match any sign-in in progress (unknown, used or expired state). Start again from your MCP client.',
      );
      return;
    }
    let outcome: SignInOutcome;
    if (typeof req.query.error === 'string') {
      const description =
        typeof req.query.error_description === 'string'
          ? req.query.error_description
          : 'The identity provider refused the sign-in.';
      outcome = {
        uid: pending.uid,
        error: {
          error: req.query.error === 'access_denied' ? 'access_denied' : 'server_error',
          error_description: `Identity provider: ${description}`,
        },
      };
    } else {
      const profile = await this.d.profiles.get(pending.idpId);
      if (!profile) {
        sendErrorPage(
          res,
          400,
          'idp_removed',
          `The identity provider profile "${pending.idpId}" was removed during sign-in. Start again.`,
        );
        return;
      }
      const callbackUrl = new URL(this.d.idpCallback());
      callbackUrl.search = new URL(req.originalUrl, 'http://x').search;
      try {
        const { identity } = await this.d.upstream.complete(profile, callbackUrl, pending.checks);
        outcome = { uid: pending.uid, identity };
      } catch (err) {
        if (err instanceof UpstreamError) return sendErrorPage(res, err.httpStatus, err.code, err.message);
        if (err instanceof IdentityMappingError)
          return sendErrorPage(res, 400, 'identity_mapping_failed', err.message);
        throw err;
      }
    }
    const finish = await this.put(outcome, this.d.config.oauth.pending_authorization_ttl_seconds);
    res.setHeader('Cache-Control', 'no-store');
    const pickUp = pending.returnTo ?? `/interaction/${encodeURIComponent(pending.uid)}/signed-in`;
    res.redirect(303, `${pending.origin}${pickUp}?finish=${finish}`);
  }

  /** GET /interaction/:uid: the login prompt goes to the IdP; the consent prompt shows the consent page. */
  private async start(req: Request, res: Response): Promise<void> {
    const ctx = this.d.originOf(req);
    const provider = this.d.providerFor(ctx);
    const details = await this.details(provider, req, res);
    if (!details) return;
    if (details.prompt.name === 'consent') return this.consentPage(res, details);

    await this.signInAtIdp(req, res, { uid: details.uid });
  }

  /**
   * Sends the browser to the active IdP with the bridge's own state, nonce and PKCE; the outcome comes back under
   * `uid` to `returnTo` (default: the interaction's signed-in step). Also the sign-in of the write approval page.
   */
  async signInAtIdp(req: Request, res: Response, o: { uid: string; returnTo?: string }): Promise<void> {
    const ctx = this.d.originOf(req);
    const profile = await this.d.profiles.active();
    if (!profile) {
      const all = await this.d.profiles.list();
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
    const state = crypto.randomBytes(24).toString('base64url');
    let url: URL;
    let checks: UpstreamChecks;
    try {
      ({ url, checks } = await this.d.upstream.begin(profile, this.d.idpCallback(), state));
    } catch (err) {
      const e = err instanceof UpstreamError ? err : new UpstreamError(String(err), 'upstream_failed');
      sendErrorPage(res, e.httpStatus === 400 ? 502 : e.httpStatus, e.code, e.message);
      return;
    }
    const pending: UpstreamSignIn = {
      uid: o.uid,
      origin: ctx.origin,
      idpId: profile.id,
      checks,
      ...(o.returnTo ? { returnTo: o.returnTo } : {}),
    };
    await this.put(pending, this.d.config.oauth.pending_authorization_ttl_seconds, state);
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(302, url.href);
  }

  /** The IdP's outcome stored under a `finish` key (once: it is deleted as it is read). */
  takeOutcome(finish: string): Promise<SignInOutcome | undefined> {
    return this.take<SignInOutcome>(finish);
  }

  /** GET /interaction/:uid/signed-in?finish=…: the IdP's outcome, taken up by the browser that started. */
  private async signedIn(req: Request, res: Response): Promise<void> {
    const provider = this.d.providerFor(this.d.originOf(req));
    // The finish secret is spent on its first use, whatever follows (RFC 9700 §4.7): a leaked link refused in
    // one browser (no interaction cookie) cannot be replayed later by the browser that started the sign-in.
    const finish = typeof req.query.finish === 'string' ? req.query.finish : '';
    const outcome = finish ? await this.take<SignInOutcome>(finish) : undefined;
    const details = await this.details(provider, req, res);
    if (!details) return;
    if (!outcome || outcome.uid !== details.uid) {
      sendErrorPage(res, 400, 'sign_in_not_bound', NOT_THIS_BROWSER);
      return;
    }
    if (outcome.error || !outcome.identity) {
      await provider.interactionFinished(req, res, outcome.error ?? { error: 'server_error' }, {
        mergeWithLastSubmission: false,
      });
      return;
    }
    const identity = outcome.identity;
    const clientId = String(details.params.client_id);
    const { scopes, resource } = this.requested(details.params);
    const result: InteractionResults = { login: { accountId: identity.subject }, identity };
    // A code sent off this computer (a remote client such as Claude.ai) is always confirmed on the page.
    const remote = !isLoopbackRedirect(String(details.params.redirect_uri));
    if (
      !remote &&
      ((await this.d.clients.skipsConsent(clientId)) ||
        (await this.d.grants.hasConsent(identity.subject, clientId, scopes)))
    ) {
      result.consent = {
        grantId: await this.createGrant(provider, { clientId, identity, scopes, resource }),
      };
    }
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }

  /** POST /interaction/:uid/confirm: the consent form (bound to this browser by the interaction cookie). */
  private async confirm(req: Request, res: Response): Promise<void> {
    const provider = this.d.providerFor(this.d.originOf(req));
    const details = await this.details(provider, req, res, 403);
    if (!details) return;
    const identity = details.lastSubmission?.identity as Identity | undefined;
    const body = (req.body ?? {}) as Record<string, string>;
    if (details.prompt.name !== 'consent' || !identity) {
      sendErrorPage(res, 403, 'consent_not_expected', NOT_THIS_BROWSER);
      return;
    }
    if (body.decision !== 'allow') {
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'The user denied access.' },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const clientId = String(details.params.client_id);
    const { scopes, resource } = this.requested(details.params);
    await this.d.grants.recordConsent(identity.subject, clientId, scopes);
    const grantId = await this.createGrant(provider, { clientId, identity, scopes, resource });
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  private async consentPage(res: Response, details: InteractionDetails): Promise<void> {
    const identity = details.lastSubmission?.identity as Identity | undefined;
    const clientId = String(details.params.client_id);
    const client = await this.d.clients.find(clientId);
    const name = client?.info.client_name ?? clientId;
    const { scopes } = this.requested(details.params);
    if (!identity) {
      sendErrorPage(res, 400, 'consent_expired', NOT_THIS_BROWSER);
      return;
    }
    sendPage(
      res,
      200,
      'Allow access to SQL Server?',
      consentPage({
        clientName: name,
        clientId,
        redirectUri: String(details.params.redirect_uri),
        scopes,
        signedInAs: identity.email ?? identity.subject,
        dbUser: identity.dbUser,
        uid: details.uid,
      }),
    );
  }

  private async details(
    provider: Provider,
    req: Request,
    res: Response,
    status = 400,
  ): Promise<InteractionDetails | undefined> {
    try {
      const details = (await provider.interactionDetails(req, res)) as InteractionDetails;
      if (details.uid !== req.params.uid) throw new Error('uid mismatch');
      return details;
    } catch (err) {
      // Not "another browser" when the state store is down: its sentence, as a 503 page (app.ts).
      if (stateStoreFailure(err)) throw err;
      sendErrorPage(res, status, 'interaction_not_found', NOT_THIS_BROWSER);
      return undefined;
    }
  }

  private requested(params: Record<string, unknown>): { scopes: string[]; resource: string | undefined } {
    const scopes = typeof params.scope === 'string' ? params.scope.split(' ').filter(Boolean) : [];
    return {
      scopes: scopes.length ? [...new Set(scopes)] : [SCOPES.tools],
      resource: typeof params.resource === 'string' ? params.resource : undefined,
    };
  }

  /** The oidc-provider grant and the bridge's record of it (with the identity), under one id. */
  private async createGrant(
    provider: Provider,
    g: { clientId: string; identity: Identity; scopes: string[]; resource: string | undefined },
  ): Promise<string> {
    const resource = g.resource ?? `${new URL(provider.issuer).origin}/mcp`;
    const grant = new provider.Grant({ accountId: g.identity.subject, clientId: g.clientId });
    grant.addResourceScope(resource, g.scopes.join(' '));
    grant.addOIDCScope(g.scopes.join(' '));
    const id = await grant.save();
    await this.d.grants.createGrant({
      id,
      clientId: g.clientId,
      identity: g.identity,
      scopes: g.scopes,
      resource,
      issuer: provider.issuer,
    });
    return id;
  }

  /** Stores a sealed record under the hash of a one-time key (a fresh random one unless given). */
  private async put(
    value: UpstreamSignIn | SignInOutcome,
    ttlSeconds: number,
    key?: string,
  ): Promise<string> {
    const k = key ?? crypto.randomBytes(32).toString('base64url');
    await this.d.signIns.put(hashId(k), this.d.sealer.seal(JSON.stringify(value)), nowSeconds() + ttlSeconds);
    return k;
  }

  /** Reads and deletes a record (one use), or undefined when unknown, expired or not sealed by us. */
  private async take<T>(key: string): Promise<T | undefined> {
    const row = await this.d.signIns.take(hashId(key));
    if (!row || row.expiresAt < nowSeconds()) return undefined;
    const plain = this.d.sealer.open(row.sealed);
    return plain === undefined ? undefined : (JSON.parse(plain) as T);
  }
}

type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>> & {
  lastSubmission?: InteractionResults;
};

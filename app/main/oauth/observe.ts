import type { EventEmitter } from 'node:events';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { stateStoreFailure } from '../state/state-errors.js';
import type { GrantStore } from './grants.js';

interface IssuedAccessToken {
  jti: string;
  grantId?: string;
  iat?: number;
  exp?: number;
  /** Seconds the token lives. */
  expiration: number;
  clientId: string;
  accountId: string;
  scope?: string;
  aud?: string;
}

/**
 * What the bridge learns from its authorization server's events: issued access tokens (claims only, for the
 * Inspector) and grants revoked by oidc-provider itself (code replay, refresh reuse, /revoke), so the resource
 * side refuses their access tokens at once.
 */
export function observeAuthorizationServer(
  provider: Provider,
  grants: GrantStore,
  log: (m: string) => void,
): void {
  // The typings list only some of oidc-provider's events (no `access_token.issued`, emitted for JWT tokens).
  const events = provider as unknown as EventEmitter;
  events.on('access_token.issued', (t: IssuedAccessToken & { resourceServer?: { audience?: string } }) => {
    if (t.grantId) void record(t, t.grantId).catch((err: Error) => log(`token record: ${err.message}`));
  });
  const record = async (
    t: IssuedAccessToken & { resourceServer?: { audience?: string } },
    grantId: string,
  ) => {
    const grant = await grants.getGrant(grantId);
    // For JWT tokens the model carries neither iat nor exp (the format computes them, from this second on).
    const iat = t.iat ?? Math.floor(Date.now() / 1000);
    const exp = t.exp ?? iat + t.expiration;
    grants.recordAccessToken({
      jti: t.jti,
      grantId,
      issuedAt: iat,
      expiresAt: exp,
      claims: {
        iss: provider.issuer,
        sub: t.accountId,
        aud: t.resourceServer?.audience,
        client_id: t.clientId,
        scope: t.scope,
        jti: t.jti,
        iat,
        exp,
        gid: t.grantId,
        identity: grant?.identity,
      },
    });
  };
  events.on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) => {
    void grants
      .revokeGrant(grantId, revocationReason(ctx))
      .catch((err: Error) => log(`grant revocation: ${err.message}`));
  });
  // Kept for the response rewrite in authorization-server.ts (the event fires before the response is sent).
  events.on('grant.error', (ctx: KoaContextWithOIDC, err: { error_detail?: string; cause?: Error }) => {
    ctx.state.grantErrorDetail = err.error_detail ?? err.cause?.message;
  });
  events.on('server_error', (ctx: KoaContextWithOIDC, err: Error) => {
    // The state store's failures are answered 503 with their sentence (authorization-server.ts), not 500.
    const store = stateStoreFailure(err);
    if (store) {
      ctx.state.stateFailure = store;
      log(`authorization server: ${store.message}`);
    } else log(`authorization server error: ${err.stack ?? err.message}`);
  });
}

function revocationReason(ctx: KoaContextWithOIDC): string {
  if (ctx.oidc.route === 'revocation') return 'revoked_by_client';
  const grantType = ctx.oidc.params?.grant_type;
  if (grantType === 'refresh_token') return 'refresh_token_reuse';
  if (grantType === 'authorization_code') return 'authorization_code_replay';
  return `revoked_at_${ctx.oidc.route}`;
}

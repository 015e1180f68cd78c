import type { Response } from 'express';
import type {
  OAuthServerProvider,
  AuthorizationParams,
} from '@modelcontextprotocol/sdk/server/auth/provider.js';
import {
  InvalidGrantError,
  InvalidScopeError,
  InvalidTargetError,
} from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type {
  OAuthClientInformationFull,
  OAuthTokenRevocationRequest,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { SCOPES, SUPPORTED_SCOPES, type BridgeConfig } from '../config/schema.js';
import type { AccessTokens } from './access-tokens.js';
import type { AuthorizationFlow } from './authorization-flow.js';
import type { ClientRegistry } from './clients.js';
import type { Grant, GrantStore } from './grants.js';

export interface OAuthServices {
  config: BridgeConfig;
  clients: ClientRegistry;
  grants: GrantStore;
  tokens: AccessTokens;
  flow: AuthorizationFlow;
  /**
   * In-memory only: the response (possibly still being signed) for refreshes of one token within the grace
   * window, so a client's concurrent refreshes get the same successor instead of tripping reuse detection.
   */
  graceResponses: Map<string, { tokens: Promise<OAuthTokens>; until: number }>;
}

/** One origin the bridge is reached on; metadata, issuer and resource all derive from it. */
export interface OriginContext {
  origin: string;
  /** `${origin}/` — the exact string in metadata, PRM and token `iss`. */
  issuer: string;
  /** `${origin}/mcp` — the protected resource and access-token audience. */
  resource: string;
  /** Where the resource's RFC 9728 metadata is served (the 401/403 `resource_metadata` pointer). */
  resourceMetadata: string;
}

/**
 * The bridge's OAuthServerProvider for the SDK's mcpAuthRouter, one per origin. It owns every check the SDK
 * leaves to providers: scopes, resource (RFC 8707), redirect_uri at /token, code replay, refresh rotation.
 */
export class BridgeOAuthProvider implements OAuthServerProvider {
  constructor(
    private readonly s: OAuthServices,
    private readonly ctx: OriginContext,
  ) {}

  get clientsStore() {
    return this.s.clients;
  }

  async authorize(
    client: OAuthClientInformationFull,
    params: AuthorizationParams,
    res: Response,
  ): Promise<void> {
    const scopes = this.requestedScopes(params.scopes);
    const resource = this.requestedResource(params.resource);
    await this.s.flow.start(client, { ...params, scopes, resource }, this.ctx.issuer, res.req, res);
  }

  async challengeForAuthorizationCode(client: OAuthClientInformationFull, code: string): Promise<string> {
    const found = this.s.grants.lookupCode(code);
    if (found.status === 'replayed') {
      this.s.grants.revokeGrant(found.grantId, 'authorization_code_replay');
      throw new InvalidGrantError(
        'The authorization code was already used; every token issued from it has been revoked.',
      );
    }
    if (found.status !== 'valid') {
      throw new InvalidGrantError(
        found.status === 'expired'
          ? 'The authorization code has expired.'
          : 'The authorization code is not valid.',
      );
    }
    if (found.data.clientId !== client.client_id)
      throw new InvalidGrantError('The authorization code was issued to another client.');
    return found.data.codeChallenge;
  }

  async exchangeAuthorizationCode(
    client: OAuthClientInformationFull,
    code: string,
    _codeVerifier?: string,
    redirectUri?: string,
    resource?: URL,
  ): Promise<OAuthTokens> {
    const found = this.s.grants.lookupCode(code);
    if (found.status !== 'valid' || found.data.clientId !== client.client_id) {
      // challengeForAuthorizationCode already ran; reaching here means a concurrent redemption.
      if (found.status === 'replayed') this.s.grants.revokeGrant(found.grantId, 'authorization_code_replay');
      throw new InvalidGrantError('The authorization code is not valid.');
    }
    const { data, grantId } = found;
    // The SDK hands redirect_uri and resource over unchecked: they must repeat what /authorize settled.
    if (redirectUri === undefined ? data.redirectUriExplicit : redirectUri !== data.redirectUri) {
      throw new InvalidGrantError('redirect_uri does not match the one used in the authorization request.');
    }
    if (resource && resource.href !== data.resource) {
      throw new InvalidTargetError(
        `The resource ${resource.href} is not the one this code was issued for (${data.resource}).`,
      );
    }
    const grant = this.s.grants.redeemCode(code, grantId, data);
    if (!grant) {
      this.s.grants.revokeGrant(grantId, 'authorization_code_replay');
      throw new InvalidGrantError(
        'The authorization code was already used; every token issued from it has been revoked.',
      );
    }
    return this.tokensFor(grant, grant.scopes);
  }

  async exchangeRefreshToken(
    client: OAuthClientInformationFull,
    refreshToken: string,
    scopes?: string[],
    resource?: URL,
  ): Promise<OAuthTokens> {
    const found = this.s.grants.lookupRefreshToken(refreshToken);
    if (found.grant && found.grant.clientId !== client.client_id)
      throw new InvalidGrantError('The refresh token was issued to another client.');
    switch (found.status) {
      case 'unknown':
        throw new InvalidGrantError('The refresh token is not valid.');
      case 'expired':
        throw new InvalidGrantError('The refresh token has expired; sign in again.');
      case 'revoked':
        throw new InvalidGrantError('The refresh token has been revoked; sign in again.');
      case 'rotated': {
        const grace = this.graceResponse(found.tokenHash);
        if (grace) return grace;
        this.s.grants.revokeGrant(found.grant.id, 'refresh_token_reuse');
        throw new InvalidGrantError(
          'The refresh token was already used; the whole session has been revoked as a precaution. Sign in again.',
        );
      }
      case 'active':
        break;
    }
    const { grant, tokenHash } = found;
    const narrowed = scopes?.length ? scopes : grant.scopes;
    const unknown = narrowed.filter((s) => !grant.scopes.includes(s));
    if (unknown.length) throw new InvalidScopeError(`A refresh cannot add scopes: ${unknown.join(' ')}.`);
    if (resource && resource.href !== grant.resource)
      throw new InvalidTargetError(`The refresh token is bound to ${grant.resource}.`);

    const successor = this.s.grants.rotateRefreshToken(
      tokenHash,
      grant.id,
      this.s.config.oauth.refresh_token_ttl_seconds,
    );
    if (!successor) {
      const grace = this.graceResponse(tokenHash);
      if (grace) return grace;
      throw new InvalidGrantError('The refresh token was already used.');
    }
    // Recorded before the first await: a concurrent refresh must find it, not a "rotated" token.
    const tokens = this.tokensFor(grant, narrowed, successor);
    this.rememberGrace(tokenHash, tokens);
    return tokens;
  }

  verifyAccessToken(token: string): Promise<AuthInfo> {
    return this.s.tokens.verify(token);
  }

  async revokeToken(client: OAuthClientInformationFull, request: OAuthTokenRevocationRequest): Promise<void> {
    // RFC 7009: unknown tokens and tokens of other clients are answered 200 without effect.
    const refresh = this.s.grants.lookupRefreshToken(request.token);
    if (refresh.grant) {
      if (refresh.grant.clientId === client.client_id)
        this.s.grants.revokeGrant(refresh.grant.id, 'revoked_by_client');
      return;
    }
    const claims = await this.s.tokens.decodeOwn(request.token);
    if (claims?.jti && claims.client_id === client.client_id)
      this.s.grants.revokeAccessToken(claims.jti, claims.exp ?? 0);
  }

  private async tokensFor(grant: Grant, scopes: string[], refreshToken?: string): Promise<OAuthTokens> {
    const access = await this.s.tokens.issue(grant, scopes);
    return {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      scope: scopes.join(' '),
      refresh_token:
        refreshToken ??
        this.s.grants.issueRefreshToken(grant.id, this.s.config.oauth.refresh_token_ttl_seconds),
    };
  }

  private rememberGrace(tokenHash: string, tokens: Promise<OAuthTokens>): void {
    const graceMs = this.s.config.oauth.refresh_grace_seconds * 1000;
    if (!graceMs) return;
    const map = this.s.graceResponses;
    for (const [k, v] of map) if (v.until <= Date.now()) map.delete(k);
    map.set(tokenHash, { tokens, until: Date.now() + graceMs });
    tokens.catch(() => map.delete(tokenHash));
  }

  private graceResponse(tokenHash: string): Promise<OAuthTokens> | undefined {
    const grace = this.s.graceResponses.get(tokenHash);
    return grace && grace.until > Date.now() ? grace.tokens : undefined;
  }

  private requestedScopes(scopes: string[] | undefined): string[] {
    const asked = (scopes ?? []).filter(Boolean);
    if (!asked.length) return [SCOPES.tools];
    const unknown = asked.filter((s) => !SUPPORTED_SCOPES.includes(s));
    if (unknown.length)
      throw new InvalidScopeError(
        `Unknown scope ${unknown.join(' ')}; this server supports ${SUPPORTED_SCOPES.join(' ')}.`,
      );
    return [...new Set(asked)];
  }

  private requestedResource(resource: URL | undefined): string {
    if (!resource) return this.ctx.resource;
    if (resource.href !== this.ctx.resource) {
      throw new InvalidTargetError(
        `This authorization server issues tokens only for ${this.ctx.resource}, not ${resource.href}.`,
      );
    }
    return this.ctx.resource;
  }
}

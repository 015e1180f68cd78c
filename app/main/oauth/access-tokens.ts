import * as jose from 'jose';
import { OAuthError, OAuthErrorCode, type AuthInfo } from '@modelcontextprotocol/server';
import type { Identity } from '../idp/identity.js';
import { systemClock, type Clock } from '../state/clock.js';
import type { GrantStore } from './grants.js';
import { SIGNING_ALG, type SigningKeys } from './signing-key.js';

export interface AccessTokenClaims extends jose.JWTPayload {
  client_id: string;
  scope: string;
  /** The grant (token family) this token belongs to; revoking it revokes the token. */
  gid: string;
  identity: Identity;
}

/** What /mcp handlers see about the caller (AuthInfo.extra). */
export interface CallerInfo {
  identity: Identity;
  grantId: string;
  jti: string;
}

/** The caller of a request whose token `AccessTokens.verify` accepted (it puts CallerInfo in `extra`). */
export const callerOf = (auth: AuthInfo): CallerInfo => auth.extra as unknown as CallerInfo;

/** Verified tokens remembered (oldest dropped first); a few thousand covers every live session of a desktop. */
const VERIFIED_CACHE_SIZE = 5000;

/**
 * The resource side's check of the access tokens the authorization server (oidc-provider) signs: RFC 9068
 * JWTs, audience-bound per RFC 8707, carrying the grant id (`gid`) and the signed-in identity.
 */
export class AccessTokens {
  private readonly verified = new Map<string, AuthInfo>();
  /** The published keys, chosen by each token's `kid` (a rotation's previous key included). */
  private keys: ReturnType<typeof jose.createLocalJWKSet>;
  private lastReload = 0;

  constructor(
    keys: SigningKeys,
    private readonly grants: Pick<GrantStore, 'isGrantRevoked' | 'isAccessTokenRevoked'>,
    /** Every issuer this bridge signs as (one per origin it is reached on). */
    private readonly issuers: () => string[],
    private readonly clock: Clock = systemClock,
    /**
     * Reads the keys again: a token naming a key this instance does not know yet was signed by an instance
     * restarted after a rotation (at most one reload per 10 s, so unknown kids cannot make it a busy loop).
     */
    private readonly reloadKeys?: () => Promise<SigningKeys>,
  ) {
    this.keys = AccessTokens.keySet(keys);
  }

  private static keySet(keys: SigningKeys) {
    return jose.createLocalJWKSet({ keys: keys.all.map((k) => k.publicJwk) });
  }

  /**
   * Checks signature, issuer, expiry and revocation. The audience is checked by the caller against its own URL.
   * A token whose signature was verified once is remembered until it expires, so the ES256 check is not
   * repeated on every MCP call; expiry and revocation are still checked on every use.
   */
  async verify(token: string): Promise<AuthInfo> {
    const known = this.verified.get(token);
    if (known) {
      if (known.expiresAt! * 1000 <= this.clock.now()) {
        this.verified.delete(token);
        throw invalidToken('The access token has expired');
      }
      const { grantId, jti } = callerOf(known);
      if (this.grants.isGrantRevoked(grantId) || this.grants.isAccessTokenRevoked(jti))
        throw invalidToken('The access token has been revoked');
      return known;
    }
    const info = await this.verifySignedToken(token);
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, info);
    return info;
  }

  private async verifySignedToken(token: string, reloaded = false): Promise<AuthInfo> {
    let payload: AccessTokenClaims;
    try {
      ({ payload } = (await jose.jwtVerify(token, this.keys, {
        algorithms: [SIGNING_ALG],
        issuer: this.issuers(),
        typ: 'at+jwt',
        requiredClaims: ['exp', 'aud', 'jti', 'sub'],
        currentDate: new Date(this.clock.now()),
      })) as { payload: AccessTokenClaims });
    } catch (err) {
      if (err instanceof jose.errors.JWTExpired) throw invalidToken('The access token has expired');
      if (err instanceof jose.errors.JWKSNoMatchingKey && !reloaded && (await this.reloaded()))
        return this.verifySignedToken(token, true);
      throw invalidToken('The access token is invalid');
    }
    if (this.grants.isGrantRevoked(payload.gid) || this.grants.isAccessTokenRevoked(payload.jti!)) {
      throw invalidToken('The access token has been revoked');
    }
    const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
    const extra: CallerInfo & Record<string, unknown> = {
      identity: payload.identity,
      grantId: payload.gid,
      jti: payload.jti!,
    };
    return {
      token,
      clientId: payload.client_id,
      scopes: payload.scope ? payload.scope.split(' ') : [],
      expiresAt: payload.exp,
      resource: aud ? new URL(aud) : undefined,
      extra,
    };
  }

  private async reloaded(): Promise<boolean> {
    if (!this.reloadKeys || this.clock.now() - this.lastReload < 10_000) return false;
    this.lastReload = this.clock.now();
    this.keys = AccessTokens.keySet(await this.reloadKeys());
    return true;
  }

  /** Decodes a token we signed (even if expired), for revocation. */
  async decodeOwn(token: string): Promise<AccessTokenClaims | undefined> {
    try {
      const { payload } = await jose.jwtVerify(token, this.keys, {
        algorithms: [SIGNING_ALG],
        currentDate: new Date(0),
      });
      return payload as AccessTokenClaims;
    } catch {
      return undefined;
    }
  }
}

function invalidToken(message: string): OAuthError {
  return new OAuthError(OAuthErrorCode.InvalidToken, message);
}

import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';
import * as jose from 'jose';
import { SCOPES, SUPPORTED_SCOPES } from '../../shared/config-schema.js';
import { IdentityMappingError, mapClaims } from '../idp/identity.js';
import { effectiveSettings, type IdpProfiles } from '../idp/profiles.js';
import { UpstreamError, type UpstreamIdp } from '../idp/upstream.js';
import type { GrantStore } from './grants.js';
import type { ModelStore } from './model-store.js';
import { issueAccessToken, type ResourceServerInfo } from './issue-access-token.js';
import type { OriginContext } from './origin.js';
import type { Identity } from '../../shared/types.js';

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const ID_JAG_TYP = 'oauth-id-jag+jwt';

export interface IdJagDeps {
  profiles: IdpProfiles;
  upstream: UpstreamIdp;
  grants: GrantStore;
  models: ModelStore;
  resourceServer: (ctx: OriginContext) => ResourceServerInfo;
  /** What the person's access policy gives: the token carries no more, whatever the assertion allows. */
  scopesFor: (identity: Identity) => string[];
}

/**
 * Enterprise-managed authorization (MCP `ext-auth`; draft-ietf-oauth-identity-assertion-authz-grant, Okta's
 * Cross App Access): a client trades an Identity Assertion JWT (ID-JAG) that the configured IdP minted for this
 * bridge for an access token, with no browser. oidc-provider runs the token endpoint and client checks; this
 * grant handler checks the assertion (RFC 7523 §3 and the draft's §4.3) and issues the token.
 */
export function registerIdJagGrant(provider: Provider, origin: OriginContext, d: IdJagDeps): void {
  provider.registerGrantType(
    JWT_BEARER,
    async (ctx) => {
      const refuse = (why: string) => new errors.InvalidGrant(why);
      const { assertion, scope } = ctx.oidc.params as { assertion?: string; scope?: string };
      if (!assertion) throw new errors.InvalidRequest('assertion is missing');
      const profile = await d.profiles.active();
      if (!profile)
        throw refuse('no identity provider is configured, so no identity assertion can be trusted');
      let header: jose.ProtectedHeaderParameters;
      try {
        header = jose.decodeProtectedHeader(assertion);
      } catch {
        throw refuse('the assertion is not a JWT');
      }
      if (header.typ !== ID_JAG_TYP) throw refuse(`the assertion's typ must be ${ID_JAG_TYP}`);
      let claims: jose.JWTPayload;
      try {
        claims = await d.upstream.verifySigned(profile, assertion, {
          audience: origin.issuer,
          typ: ID_JAG_TYP,
          requiredClaims: ['sub', 'jti', 'exp', 'iat', 'client_id', 'resource'],
        });
      } catch (err) {
        if (err instanceof UpstreamError) throw refuse(err.message);
        throw refuse(`the assertion was refused: ${(err as Error).message}`);
      }
      const clientId = ctx.oidc.client.clientId;
      if (claims.client_id !== clientId) throw refuse('the assertion was issued to another client');
      if (claims.resource !== origin.resource)
        throw refuse(`the assertion is for ${String(claims.resource)}, not ${origin.resource}`);
      const requestedResource = (ctx.oidc.params as { resource?: string }).resource;
      if (requestedResource !== undefined && requestedResource !== origin.resource)
        throw new errors.InvalidTarget(`this authorization server issues tokens only for ${origin.resource}`);
      if (!(await d.models.claimOnce('IdJag', `${String(claims.iss)} ${claims.jti}`, claims.exp!)))
        throw refuse('the assertion was already used (jti replay)');

      const allowed = (typeof claims.scope === 'string' ? claims.scope.split(' ') : [SCOPES.tools]).filter(
        (s) => SUPPORTED_SCOPES.includes(s),
      );
      const requested = scope ? scope.split(' ') : allowed;
      const scopes = requested.filter((s) => allowed.includes(s));
      if (!scopes.length)
        throw new errors.InvalidScope(
          'none of the requested scopes is allowed by the assertion',
          scope ?? '',
        );

      let identity;
      try {
        identity = mapClaims(claims, {
          idp: profile.id,
          ...effectiveSettings(profile),
        });
      } catch (err) {
        if (err instanceof IdentityMappingError) throw refuse(err.message);
        throw err;
      }
      const byPolicy = d.scopesFor(identity);
      const granted = scopes.filter((s) => byPolicy.includes(s));
      if (!granted.length)
        throw new errors.InvalidScope(
          "none of the requested scopes is given by this person's access policy",
          scopes.join(' '),
        );
      await issueAccessToken(provider, ctx, {
        origin,
        identity,
        scopes: granted,
        gty: JWT_BEARER,
        grants: d.grants,
        resourceServer: d.resourceServer(origin),
      });
    },
    ['assertion', 'scope', 'resource'],
  );
}

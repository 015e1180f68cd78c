import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Identity } from '../../shared/types.js';
import type { GrantStore } from './grants.js';
import type { OriginContext } from './origin.js';

export interface ResourceServerInfo {
  scope: string;
  audience: string;
  accessTokenTTL: number;
}

/**
 * The end of a custom grant (ID-JAG, the desktop sign-in's code): a grant for `identity`, recorded in the
 * bridge's grant store, and one JWT access token bound to this origin's resource, as the token endpoint's body.
 */
export async function issueAccessToken(
  provider: Provider,
  ctx: KoaContextWithOIDC,
  o: {
    origin: OriginContext;
    identity: Identity;
    scopes: string[];
    gty: string;
    grants: GrantStore;
    resourceServer: ResourceServerInfo;
    via?: 'broker';
  },
): Promise<void> {
  const clientId = ctx.oidc.client!.clientId;
  const grant = new provider.Grant({ accountId: o.identity.subject, clientId });
  grant.addResourceScope(o.origin.resource, o.scopes.join(' '));
  const grantId = await grant.save();
  await o.grants.createGrant({
    id: grantId,
    clientId,
    identity: o.identity,
    scopes: o.scopes,
    resource: o.origin.resource,
    issuer: o.origin.issuer,
    ...(o.via ? { via: o.via } : {}),
  });
  const at = new provider.AccessToken({
    accountId: o.identity.subject,
    client: ctx.oidc.client!,
    grantId,
    gty: o.gty,
    scope: o.scopes.join(' '),
  });
  at.resourceServer = new provider.ResourceServer(o.origin.resource, {
    ...o.resourceServer,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: 'ES256' } },
  });
  ctx.oidc.entity('AccessToken', at);
  const token = await at.save();
  ctx.body = { access_token: token, token_type: 'Bearer', expires_in: at.expiration, scope: at.scope };
}

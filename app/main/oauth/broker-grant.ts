import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';
import { BROKER_GRANT, type TokenBroker } from './token-broker.js';
import type { GrantStore } from './grants.js';
import { issueAccessToken, type ResourceServerInfo } from './issue-access-token.js';
import type { OriginContext } from './origin.js';
import type { Identity } from '../../shared/types.js';

export interface BrokerGrantDeps {
  broker: TokenBroker;
  grants: GrantStore;
  resourceServer: (ctx: OriginContext) => ResourceServerInfo;
  /** What the person's access policy gives (the desktop sign-in grants exactly that). */
  scopesFor: (identity: Identity) => string[];
}

/**
 * A connector redeems the one-time code the running app gave it over the local channel (`broker/`): an
 * ordinary audience-bound access token of its own pre-registered client, for the person signed in on this
 * computer, with the scopes their access policy gives (writes included where their rule allows them), recorded as a brokered session (the Inspector shows it; signing out in the tray revokes it). No
 * refresh token: when it expires the connector asks the app again, which keeps the app's sign-in and the
 * person's allowance the source of truth.
 */
export function registerBrokerGrant(provider: Provider, origin: OriginContext, d: BrokerGrantDeps): void {
  provider.registerGrantType(
    BROKER_GRANT,
    async (ctx) => {
      const { code, resource } = ctx.oidc.params as { code?: string; resource?: string };
      if (!code) throw new errors.InvalidRequest('code is missing');
      if (resource !== undefined && resource !== origin.resource)
        throw new errors.InvalidTarget(`this authorization server issues tokens only for ${origin.resource}`);
      const identity = d.broker.redeem(code, ctx.oidc.client.clientId);
      if (!identity)
        throw new errors.InvalidGrant(
          'the code is unknown, used, expired, for another client, or the sign-in on this computer ended',
        );
      await issueAccessToken(provider, ctx, {
        origin,
        identity,
        scopes: d.scopesFor(identity),
        gty: BROKER_GRANT,
        grants: d.grants,
        resourceServer: d.resourceServer(origin),
        via: 'broker',
      });
    },
    ['code', 'resource'],
  );
}

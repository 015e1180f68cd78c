import type { ControlDeps, Handlers, HandlerShared } from '../control-deps.js';
import { grantInfo, tokenInfo } from '../views.js';

/** The control API's grant and access-token requests: list and revoke. */
export function grantsHandlers(
  deps: ControlDeps,
  { mustExist }: HandlerShared,
): Pick<Handlers, 'grants.list' | 'grants.revoke' | 'tokens.list' | 'tokens.revoke'> {
  return {
    'grants.list': async ({ includeRevoked }) =>
      Promise.all((await deps.grants.listGrants({ includeRevoked })).map((g) => grantInfo(deps, g))),
    'grants.revoke': async ({ id }) => {
      await mustExist(deps.grants.getGrant(id), `grant "${id}"`);
      await deps.grants.revokeGrant(id, 'revoked_in_app');
      return { revoked: true };
    },
    'tokens.list': async ({ includeExpired }) =>
      (await deps.grants.listAccessTokens({ includeExpired })).map((t) => tokenInfo(deps, t)),
    'tokens.revoke': async ({ jti }) => {
      const t = await mustExist(deps.grants.getAccessToken(jti), `access token "${jti}"`);
      await deps.grants.revokeAccessToken(t.jti, t.expiresAt);
      return { revoked: true };
    },
  };
}

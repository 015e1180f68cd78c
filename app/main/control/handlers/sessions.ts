import type { ControlDeps, Handlers, ControlTools } from '../handlers.js';
import { grantInfo, tokenInfo } from '../views.js';

/** The control API's sessions requests. */
export function sessionsHandlers(
  core: ControlDeps,
  { mustExist }: ControlTools,
): Pick<Handlers, 'grants.list' | 'grants.revoke' | 'tokens.list' | 'tokens.revoke' | 'audit.query'> {
  return {
    'grants.list': async ({ includeRevoked }) =>
      Promise.all((await core.grants.listGrants({ includeRevoked })).map((g) => grantInfo(core, g))),
    'grants.revoke': async ({ id }) => {
      await mustExist(core.grants.getGrant(id), `grant "${id}"`);
      await core.grants.revokeGrant(id, 'revoked_in_app');
      return { revoked: true };
    },
    'tokens.list': async ({ includeExpired }) =>
      (await core.grants.listAccessTokens({ includeExpired })).map((t) => tokenInfo(core, t)),
    'tokens.revoke': async ({ jti }) => {
      const t = await mustExist(core.grants.getAccessToken(jti), `access token "${jti}"`);
      await core.grants.revokeAccessToken(t.jti, t.expiresAt);
      return { revoked: true };
    },
    'audit.query': async (p) => core.audit.query(p),
  };
}

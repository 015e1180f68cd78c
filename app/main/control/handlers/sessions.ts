import type { ControlDeps, Handlers, HandlerShared } from '../control-deps.js';
import { AUDIT_EXPORT_MAX } from '../../../shared/control/contract.js';
import { exportAudit } from '../../mcp/audit-export.js';
import { grantInfo, tokenInfo } from '../views.js';

/** The control API's sessions requests. */
export function sessionsHandlers(
  deps: ControlDeps,
  { mustExist }: HandlerShared,
): Pick<
  Handlers,
  | 'grants.list'
  | 'grants.revoke'
  | 'tokens.list'
  | 'tokens.revoke'
  | 'audit.query'
  | 'audit.facets'
  | 'audit.export'
> {
  // Self-registered clients are UUIDs: the log names them as they named themselves.
  const clientNames = async (ids: string[]) => {
    const names = new Map<string, string | undefined>();
    await Promise.all(
      ids.map(async (id) =>
        names.set(id, (await deps.clients.find(id).catch(() => undefined))?.info.client_name),
      ),
    );
    return names;
  };
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
    'audit.query': async (p) => deps.audit.page(p),
    'audit.facets': async () => {
      const f = await deps.audit.facets();
      const names = await clientNames(f.clients);
      return { ...f, clients: f.clients.map((id) => ({ id, name: names.get(id) })) };
    },
    'audit.export': async ({ filter, format }) => {
      const entries = await deps.audit.all(filter, AUDIT_EXPORT_MAX);
      const names = await clientNames([...new Set(entries.map((e) => e.clientId))]);
      return exportAudit(entries, format, (id) => names.get(id));
    },
  };
}

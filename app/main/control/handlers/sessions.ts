import type { ControlDeps, Handlers, ControlTools } from '../handlers.js';
import { AUDIT_EXPORT_MAX } from '../../../shared/control/contract.js';
import { exportAudit } from '../../mcp/audit-export.js';
import { grantInfo, tokenInfo } from '../views.js';

/** The control API's sessions requests. */
export function sessionsHandlers(
  core: ControlDeps,
  { mustExist }: ControlTools,
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
        names.set(id, (await core.clients.find(id).catch(() => undefined))?.info.client_name),
      ),
    );
    return names;
  };
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
    'audit.query': async (p) => core.audit.page(p),
    'audit.facets': async () => {
      const f = await core.audit.facets();
      const names = await clientNames(f.clients);
      return { ...f, clients: f.clients.map((id) => ({ id, name: names.get(id) })) };
    },
    'audit.export': async ({ filter, format }) => {
      const entries = await core.audit.all(filter, AUDIT_EXPORT_MAX);
      const names = await clientNames([...new Set(entries.map((e) => e.clientId))]);
      return exportAudit(entries, format, (id) => names.get(id));
    },
  };
}

import type { BridgeCore } from '../core.js';
import {
  ControlError,
  requestSchemas,
  type ControlApi,
  type ControlEvent,
  type ControlMethod,
  type ControlParams,
  type ControlResults,
} from './contract.js';

type Handlers = { [M in ControlMethod]: (params: ControlParams<M>) => Promise<ControlResults[M]> };

/** The one implementation of the contract, over the core; both transports call `control.request`. */
export function createControl(core: BridgeCore): ControlApi {
  const h: Handlers = {
    'status.get': async () => ({
      running: true,
      mcpUrl: core.urls().mcp,
      issuer: core.urls().issuer,
      port: core.port,
      keychain: 'available',
      activeIdp: (await core.profiles.active())?.id,
      sessions: core.mcp.sessionCount(),
    }),
    'idp.list': () => core.profiles.list(),
    'idp.save': async (p) => {
      const saved = await core.profiles.save(p);
      core.upstream.invalidate(saved.id);
      return saved;
    },
    'idp.remove': async ({ id }) => ({ removed: await core.profiles.remove(id) }),
    'idp.setActive': async ({ id }) => {
      if (!(await core.profiles.get(id)))
        throw new ControlError(`No identity provider profile "${id}".`, 'not_found');
      core.profiles.setActive(id);
      return { active: id };
    },
    'connections.list': () => core.connections.list(),
    'connections.save': async (p) => {
      const saved = await core.connections.save(p);
      await core.pools.discard(saved.id);
      return saved;
    },
    'connections.remove': async ({ id }) => {
      await core.pools.discard(id);
      return { removed: await core.connections.remove(id) };
    },
    'connections.test': ({ id }) => core.testConnection(id),
    'clients.list': async () =>
      core.clients.listRegistered().map((c) => ({
        clientId: c.info.client_id,
        name: c.info.client_name,
        source: c.source,
        redirectUris: c.info.redirect_uris,
      })),
    'clients.remove': async ({ id }) => ({ removed: core.clients.removeRegistered(id) }),
    'grants.list': async ({ includeRevoked }) =>
      core.grants.listGrants({ includeRevoked }).map((g) => ({
        id: g.id,
        clientId: g.clientId,
        subject: g.identity.subject,
        email: g.identity.email,
        dbUser: g.identity.dbUser,
        scopes: g.scopes,
        audience: g.resource,
        createdAt: g.createdAt,
        revokedAt: g.revokedAt,
        revokedReason: g.revokedReason,
      })),
    'grants.revoke': async ({ id }) => {
      if (!core.grants.getGrant(id)) throw new ControlError(`No grant "${id}".`, 'not_found');
      core.grants.revokeGrant(id, 'revoked_in_app');
      return { revoked: true };
    },
    'audit.query': async (p) => core.audit.query(p),
  };

  return {
    async request(method, params) {
      const schema = requestSchemas[method];
      if (!schema) throw new ControlError(`Unknown request "${String(method)}".`, 'bad_request');
      const parsed = schema.safeParse(params ?? {});
      if (!parsed.success)
        throw new ControlError(
          `Invalid parameters for ${method}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`,
          'bad_request',
        );
      return (h[method] as (p: unknown) => Promise<ControlResults[typeof method]>)(parsed.data);
    },
    subscribe(listener: (event: ControlEvent) => void) {
      const onAudit = (data: ControlEvent['data']) => listener({ type: 'audit.entry', data } as ControlEvent);
      core.audit.on('entry', onAudit as never);
      const offRevoked = core.grants.onRevoked(({ grantId, reason }) =>
        listener({ type: 'grant.revoked', data: { grantId, reason } }),
      );
      return () => {
        core.audit.off('entry', onAudit as never);
        offRevoked();
      };
    },
  };
}

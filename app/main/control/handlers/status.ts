import { APP_VERSION } from '../../version.js';
import type { ControlDeps, Handlers, HandlerShared } from '../control-deps.js';
import { problems, defaultConnection } from '../views.js';

/** The control API's status requests. */
export function statusHandlers(
  deps: ControlDeps,
  { startedAt }: HandlerShared,
): Pick<Handlers, 'status.get'> {
  return {
    'status.get': async () => {
      // Each lookup once: profile listings read the keychain (has_secret) for every profile.
      const [idps, conns, activeIdp, defaultConn, ready] = await Promise.all([
        deps.idpProfiles.list(),
        deps.connections.list(),
        deps.idpProfiles.active().then((p) => p?.id),
        defaultConnection(deps),
        deps.readiness(),
      ]);
      return {
        running: true,
        version: APP_VERSION,
        mcpUrl: deps.urls().mcp,
        issuer: deps.urls().issuer,
        idpCallback: deps.urls().idpCallback,
        port: deps.port,
        keychain: 'available',
        activeIdp,
        defaultConnection: defaultConn,
        mcpSessions: deps.mcp.sessionCount(),
        activeGrants: (await deps.grants.listGrants()).length,
        startedAt,
        readiness: ready,
        problems: problems({ idps, conns, activeIdp, defaultConnection: defaultConn, readiness: ready }),
      };
    },
  };
}

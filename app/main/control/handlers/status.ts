import { APP_VERSION } from '../../version.js';
import type { ControlDeps, Handlers, ControlTools } from '../handlers.js';
import { problems, defaultConnection } from '../views.js';

/** The control API's status requests. */
export function statusHandlers(core: ControlDeps, { startedAt }: ControlTools): Pick<Handlers, 'status.get'> {
  return {
    'status.get': async () => {
      // Each lookup once: profile listings read the keychain (has_secret) for every profile.
      const [idps, conns, activeIdp, defaultConn, ready] = await Promise.all([
        core.profiles.list(),
        core.connections.list(),
        core.profiles.active().then((p) => p?.id),
        defaultConnection(core),
        core.readiness(),
      ]);
      return {
        running: true,
        version: APP_VERSION,
        mcpUrl: core.urls().mcp,
        issuer: core.urls().issuer,
        idpCallback: core.urls().idpCallback,
        port: core.port,
        keychain: 'available',
        activeIdp,
        defaultConnection: defaultConn,
        mcpSessions: core.mcp.sessionCount(),
        activeGrants: (await core.grants.listGrants()).length,
        startedAt,
        readiness: ready,
        problems: problems({ idps, conns, activeIdp, defaultConnection: defaultConn, readiness: ready }),
      };
    },
  };
}

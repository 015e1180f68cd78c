import type { BridgeConfig } from '../../shared/config-schema.js';
import type {
  ControlMethod,
  ControlParams,
  ControlResults,
  StatusInfo,
} from '../../shared/control/contract.js';
import type { AuditLog } from '../mcp/audit.js';
import type { McpEndpoint } from '../mcp/endpoint.js';
import type { ClientRegistry } from '../oauth/clients.js';
import type { GrantStore } from '../oauth/grants.js';
import type { IdpProfiles } from '../idp/profiles.js';
import type { IdpTester } from '../idp/test-sign-in.js';
import type { UpstreamIdp } from '../idp/upstream.js';
import type { Pools } from '../sql/pools.js';
import type { PolicyStore } from '../policy/policy-store.js';
import type { ConfiguredToolStore } from '../mcp/configured-tool-store.js';
import type { TokenBroker } from '../oauth/token-broker.js';
import type { ConnectionProfiles } from '../sql/profiles.js';
import type { ConnectionTester } from '../sql/test-connection.js';
import type { LivePermissionsCheck } from '../policy/live-permissions.js';
import type { PendingWrites } from '../mcp/pending-writes.js';
import type { ConfirmationDesk } from '../mcp/confirmation-desk.js';

export type Handlers = { [M in ControlMethod]: (params: ControlParams<M>) => Promise<ControlResults[M]> };

/**
 * What the control API works on: the services it uses, named, rather than the whole core (which composes
 * them and hands itself over as this). Keeps the handlers from reaching anything else, and core.ts from being
 * imported back by the module it composes.
 */
export interface ControlDeps {
  readonly config: BridgeConfig;
  readonly idpProfiles: IdpProfiles;
  readonly upstream: Pick<UpstreamIdp, 'invalidate'>;
  readonly tester: Pick<IdpTester, 'begin' | 'cancel' | 'onResult' | 'revealIdToken'>;
  readonly connections: ConnectionProfiles;
  readonly pools: Pick<Pools, 'discard'>;
  readonly clients: ClientRegistry;
  readonly grants: GrantStore;
  readonly audit: AuditLog;
  readonly policy: PolicyStore;
  readonly configuredTools: ConfiguredToolStore;
  readonly broker: TokenBroker;
  readonly pendingWrites: PendingWrites;
  readonly desk: ConfirmationDesk;
  readonly mcp: Pick<McpEndpoint, 'sessionCount'>;
  readonly port: number;
  readiness(): Promise<StatusInfo['readiness']>;
  /** The data directory connectors must be told, when not the default. */
  readonly connectorDataDir: string | undefined;
  urls(): { mcp: string; issuer: string; idpCallback: string; origin: string };
  readonly connectionTests: Pick<ConnectionTester, 'test' | 'testDraft'>;
  /** The saved policy beside SQL Server's grants for this person on this connection. */
  readonly livePermissions: Pick<LivePermissionsCheck, 'check'>;
}

/** What the handler groups share: the not-found check, and the desktop sign-ins in flight. */
export interface HandlerShared {
  mustExist: <T>(value: Promise<T | undefined> | T | undefined, what: string) => Promise<T>;
  desktopTests: Set<string>;
  /** When this control API started (the Status page's uptime). */
  startedAt: number;
}

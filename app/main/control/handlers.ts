import {
  type BridgeConfig,
  type ConnectionProfileConfig,
  type PolicyConfig,
} from '../../shared/config-schema.js';
import type { Identity, LivePermissions } from '../../shared/types.js';
import type { AuditLog } from '../mcp/audit.js';
import type { McpEndpoint } from '../mcp/endpoint.js';
import type { ClientRegistry } from '../oauth/clients.js';
import type { GrantStore } from '../oauth/grants.js';
import type { IdpProfiles } from '../idp/profiles.js';
import type { IdpTester } from '../idp/test-sign-in.js';
import type { UpstreamIdp } from '../idp/upstream.js';
import type { Pools } from '../sql/pools.js';
import type { PolicyStore } from '../policy/policy-store.js';
import type { TokenBroker } from '../broker/token-broker.js';
import type { ConnectionProfiles } from '../sql/profiles.js';
import type { ConnectionTest } from '../sql/test-connection.js';
import {
  ControlError,
  requestSchemas,
  type ControlApi,
  type ControlEvent,
  type ControlMethod,
  type ControlParams,
  type ControlResults,
  type StatusInfo,
} from '../../shared/control/contract.js';

import { statusHandlers } from './handlers/status.js';
import { idpHandlers } from './handlers/idp.js';
import { connectionsHandlers } from './handlers/connections.js';
import { clientsHandlers } from './handlers/clients.js';
import { sessionsHandlers } from './handlers/sessions.js';
import { policyHandlers } from './handlers/policy.js';
import { brokerHandlers } from './handlers/broker.js';
import { waitingWrites, writesHandlers } from './handlers/writes.js';
import type { PendingWrites } from '../mcp/pending-writes.js';
import type { ConfirmationDesk } from '../mcp/confirmation-desk.js';
import { brokerStatus, tokenInfo } from './views.js';

export type Handlers = { [M in ControlMethod]: (params: ControlParams<M>) => Promise<ControlResults[M]> };

/**
 * What the control API works on: the services it uses, named, rather than the whole core (which composes
 * them and hands itself over as this). Keeps the handlers from reaching anything else, and core.ts from being
 * imported back by the module it composes.
 */
export interface ControlDeps {
  readonly config: BridgeConfig;
  readonly profiles: IdpProfiles;
  readonly upstream: Pick<UpstreamIdp, 'invalidate'>;
  readonly tester: Pick<IdpTester, 'begin' | 'cancel' | 'onResult' | 'revealIdToken'>;
  readonly connections: ConnectionProfiles;
  readonly pools: Pick<Pools, 'discard'>;
  readonly clients: ClientRegistry;
  readonly grants: GrantStore;
  readonly audit: AuditLog;
  readonly policy: PolicyStore;
  readonly broker: TokenBroker;
  readonly pendingWrites: PendingWrites;
  readonly desk: ConfirmationDesk;
  readonly mcp: Pick<McpEndpoint, 'sessionCount'>;
  readonly port: number;
  readiness(): Promise<StatusInfo['readiness']>;
  /** The data directory connectors must be told, when not the default. */
  readonly connectorDataDir: string | undefined;
  urls(): { mcp: string; issuer: string; idpCallback: string; origin: string };
  testConnection(profileId: string): Promise<ConnectionTest>;
  testConnectionDraft(profile: ConnectionProfileConfig): Promise<ConnectionTest>;
  /** The saved policy beside SQL Server's grants for this person on this connection. */
  checkAccessLive(identity: Identity, connectionId: string): Promise<LivePermissions>;
}

/** The one implementation of the contract, over the services; both transports call `control.request`. */
/** What the handler groups share: the not-found check, and the desktop sign-ins in flight. */
export interface ControlTools {
  mustExist: <T>(value: Promise<T | undefined> | T | undefined, what: string) => Promise<T>;
  desktopTests: Set<string>;
  /** When this control API started (the Status page's uptime). */
  startedAt: number;
}

export function createControl(core: ControlDeps): ControlApi {
  const startedAt = Date.now();
  // Test sign-ins started as this computer's user: their person becomes the desktop sign-in connectors share.
  const desktopTests = new Set<string>();
  core.tester.onResult((r) => {
    if (desktopTests.delete(r.testId) && r.ok) core.broker.signIn(r.identity);
  });
  const mustExist = async <T>(value: Promise<T | undefined> | T | undefined, what: string): Promise<T> => {
    const v = await value;
    if (v === undefined) throw new ControlError(`No ${what}.`, 'not_found');
    return v;
  };

  const tools: ControlTools = { mustExist, desktopTests, startedAt };
  const h: Handlers = {
    ...statusHandlers(core, tools),
    ...idpHandlers(core, tools),
    ...connectionsHandlers(core, tools),
    ...clientsHandlers(core, tools),
    ...sessionsHandlers(core, tools),
    ...policyHandlers(core, tools),
    ...brokerHandlers(core, tools),
    ...writesHandlers(core, tools),
  };

  return {
    async request(method, params) {
      const schema = requestSchemas[method];
      if (!schema) throw new ControlError(`Unknown request "${String(method)}".`, 'bad_request');
      const parsed = schema.safeParse(params ?? {});
      if (!parsed.success) {
        const fields: Record<string, string> = {};
        for (const i of parsed.error.issues) fields[i.path.join('.') || '(root)'] ??= sayIssue(i);
        throw new ControlError(
          `Some fields need attention: ${Object.entries(fields)
            .map(([f, m]) => `${f}: ${m}`)
            .join('; ')}`,
          'bad_request',
          fields,
        );
      }
      return (h[method] as (p: unknown) => Promise<ControlResults[typeof method]>)(parsed.data);
    },
    subscribe(listener: (event: ControlEvent) => void, onState?: (connected: boolean) => void) {
      const onAudit = (data: ControlEvent['data']) => listener({ type: 'audit.entry', data } as ControlEvent);
      core.audit.on('entry', onAudit);
      const offGrants = core.grants.onEvent((e) => {
        if (e.type === 'grant_revoked')
          listener({ type: 'grant.revoked', data: { grantId: e.grantId, reason: e.reason } });
        else if (e.type === 'access_token_issued')
          listener({ type: 'token.issued', data: tokenInfo(core, e.token) });
        else listener({ type: 'token.revoked', data: { jti: e.jti } });
      });
      const offTests = core.tester.onResult((data) => listener({ type: 'idp.testResult', data }));
      const onPolicy = (data: PolicyConfig) => listener({ type: 'policy.changed', data });
      core.policy.on('change', onPolicy);
      const onBroker = () =>
        void brokerStatus(core.broker).then(
          (data) => listener({ type: 'broker.changed', data }),
          () => undefined, // the next change or a reload shows it; the stream must not die of a failed read
        );
      core.broker.on('change', onBroker);
      const onWrites = () =>
        void waitingWrites(core).then(
          (data) => listener({ type: 'writes.changed', data }),
          () => undefined,
        );
      core.desk.on('change', onWrites);
      core.pendingWrites.on('change', onWrites);
      // In process (and over IPC) the stream cannot drop: it is live from the start.
      onState?.(true);
      return () => {
        core.audit.off('entry', onAudit);
        offGrants();
        offTests();
        core.policy.off('change', onPolicy);
        core.broker.off('change', onBroker);
        core.desk.off('change', onWrites);
        core.pendingWrites.off('change', onWrites);
      };
    },
  };
}

/** A zod issue as a person reads it next to a field ("must be at least 1"), not the schema's wording. */
function sayIssue(i: {
  code: string;
  message: string;
  minimum?: unknown;
  maximum?: unknown;
  input?: unknown;
}): string {
  if (i.code === 'too_small')
    return i.minimum === 1 && typeof i.input === 'string'
      ? 'required'
      : `must be at least ${String(i.minimum)}`;
  if (i.code === 'too_big') return `must be at most ${String(i.maximum)}`;
  if (i.code === 'invalid_type' && i.input === undefined) return 'required';
  return i.message;
}

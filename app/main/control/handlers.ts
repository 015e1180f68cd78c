import {
  ControlError,
  requestSchemas,
  type ControlApi,
  type ControlEvent,
  type ControlResults,
} from '../../shared/control/contract.js';
import type { PolicyConfig } from '../../shared/config-schema.js';
import type { ControlDeps, HandlerShared, Handlers } from './control-deps.js';
import { statusHandlers } from './handlers/status.js';
import { idpHandlers } from './handlers/idp.js';
import { connectionsHandlers } from './handlers/connections.js';
import { clientsHandlers } from './handlers/clients.js';
import { grantsHandlers } from './handlers/grants.js';
import { auditHandlers } from './handlers/audit.js';
import { policyHandlers } from './handlers/policy.js';
import { toolsHandlers } from './handlers/tools.js';
import { brokerHandlers } from './handlers/broker.js';
import { waitingWrites, writesHandlers } from './handlers/writes.js';
import { brokerStatus, tokenInfo } from './views.js';

/** The one implementation of the contract, over the services; both transports call `control.request`. */
export function createControl(deps: ControlDeps): ControlApi {
  const startedAt = Date.now();
  // Test sign-ins started as this computer's user: their person becomes the desktop sign-in connectors share.
  const desktopTests = new Set<string>();
  deps.tester.onResult((r) => {
    if (desktopTests.delete(r.testId) && r.ok) deps.broker.signIn(r.identity);
  });
  const mustExist = async <T>(value: Promise<T | undefined> | T | undefined, what: string): Promise<T> => {
    const v = await value;
    if (v === undefined) throw new ControlError(`No ${what}.`, 'not_found');
    return v;
  };

  const shared: HandlerShared = { mustExist, desktopTests, startedAt };
  const h: Handlers = {
    ...statusHandlers(deps, shared),
    ...idpHandlers(deps, shared),
    ...connectionsHandlers(deps, shared),
    ...clientsHandlers(deps, shared),
    ...grantsHandlers(deps, shared),
    ...auditHandlers(deps, shared),
    ...policyHandlers(deps, shared),
    ...toolsHandlers(deps),
    ...brokerHandlers(deps, shared),
    ...writesHandlers(deps, shared),
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
      deps.audit.on('entry', onAudit);
      const offGrants = deps.grants.onEvent((e) => {
        if (e.type === 'grant_revoked')
          listener({ type: 'grant.revoked', data: { grantId: e.grantId, reason: e.reason } });
        else if (e.type === 'access_token_issued')
          listener({ type: 'token.issued', data: tokenInfo(deps, e.token) });
        else listener({ type: 'token.revoked', data: { jti: e.jti } });
      });
      const offTests = deps.tester.onResult((data) => listener({ type: 'idp.testResult', data }));
      const onPolicy = (data: PolicyConfig) => listener({ type: 'policy.changed', data });
      deps.policy.on('change', onPolicy);
      const onBroker = () =>
        void brokerStatus(deps.broker).then(
          (data) => listener({ type: 'broker.changed', data }),
          () => undefined, // the next change or a reload shows it; the stream must not die of a failed read
        );
      deps.broker.on('change', onBroker);
      const onWrites = () =>
        void waitingWrites(deps).then(
          (data) => listener({ type: 'writes.changed', data }),
          () => undefined,
        );
      deps.desk.on('change', onWrites);
      deps.pendingWrites.on('change', onWrites);
      // In process (and over IPC) the stream cannot drop: it is live from the start.
      onState?.(true);
      return () => {
        deps.audit.off('entry', onAudit);
        offGrants();
        offTests();
        deps.policy.off('change', onPolicy);
        deps.broker.off('change', onBroker);
        deps.desk.off('change', onWrites);
        deps.pendingWrites.off('change', onWrites);
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

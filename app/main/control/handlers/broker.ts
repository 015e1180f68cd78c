import type { ControlDeps, Handlers, HandlerShared } from '../control-deps.js';
import { brokerStatus } from '../views.js';

/** The control API's broker requests. */
export function brokerHandlers(
  deps: ControlDeps,
  _shared: HandlerShared,
): Pick<Handlers, 'broker.status' | 'broker.decide' | 'broker.revoke' | 'broker.signOut'> {
  return {
    'broker.status': async () => brokerStatus(deps.broker),
    'broker.decide': async ({ id, allow }) => ({ decided: await deps.broker.decide(id, allow) }),
    'broker.revoke': async ({ clientId }) => {
      const subjects = await deps.broker.revoke(clientId);
      const who = deps.broker.signedInAs();
      if (who) subjects.add(who.subject);
      let revoked = 0;
      for (const g of await deps.grants.listGrants({}))
        if (g.via === 'broker' && g.clientId === clientId && subjects.has(g.identity.subject)) {
          await deps.grants.revokeGrant(g.id, 'revoked_in_app');
          revoked++;
        }
      return { revoked };
    },
    'broker.signOut': async () => {
      const was = !!deps.broker.signedInAs();
      deps.broker.signOut();
      return { signedOut: was };
    },
  };
}

import type { ControlDeps, Handlers, ControlTools } from '../handlers.js';
import { brokerStatus } from '../views.js';

/** The control API's broker requests. */
export function brokerHandlers(
  core: ControlDeps,
  _tools: ControlTools,
): Pick<Handlers, 'broker.status' | 'broker.decide' | 'broker.revoke' | 'broker.signOut'> {
  return {
    'broker.status': async () => brokerStatus(core.broker),
    'broker.decide': async ({ id, allow }) => ({ decided: await core.broker.decide(id, allow) }),
    'broker.revoke': async ({ clientId }) => {
      const subjects = await core.broker.revoke(clientId);
      const who = core.broker.signedInAs();
      if (who) subjects.add(who.subject);
      let revoked = 0;
      for (const g of await core.grants.listGrants({}))
        if (g.via === 'broker' && g.clientId === clientId && subjects.has(g.identity.subject)) {
          await core.grants.revokeGrant(g.id, 'revoked_in_app');
          revoked++;
        }
      return { revoked };
    },
    'broker.signOut': async () => {
      const was = !!core.broker.signedInAs();
      core.broker.signOut();
      return { signedOut: was };
    },
  };
}

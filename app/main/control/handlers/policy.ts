import { policySchema } from '../../../shared/config-schema.js';
import { explainAccess } from '../../policy/explain-access.js';
import type { ControlDeps, Handlers, ControlTools } from '../handlers.js';
import { identityOf } from '../views.js';

/** The control API's policy requests. */
export function policyHandlers(
  core: ControlDeps,
  { mustExist }: ControlTools,
): Pick<Handlers, 'policy.get' | 'policy.save' | 'policy.explain' | 'policy.checkLive'> {
  return {
    'policy.get': async () => ({ policy: core.policy.get(), fromConfig: !!core.config.policy }),
    'policy.save': async (policy) => ({
      policy: await core.policy.save(policy),
      fromConfig: !!core.config.policy,
    }),
    'policy.explain': async ({ person, policy }) =>
      explainAccess(
        identityOf(person),
        policy ? policySchema.parse(policy) : core.policy.get(),
        await core.connections.list(),
      ),
    'policy.checkLive': async ({ person, connection }) => {
      await mustExist(core.connections.get(connection), `connection profile "${connection}"`);
      return core.checkAccessLive(identityOf(person), connection);
    },
  };
}

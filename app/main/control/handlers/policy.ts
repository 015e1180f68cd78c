import { ControlError } from '../../../shared/control/contract.js';
import { policySchema } from '../../../shared/config-schema.js';
import { explainAccess } from '../../policy/explain-access.js';
import type { ControlDeps, Handlers, HandlerShared } from '../control-deps.js';
import { identityOf } from '../views.js';

/** The control API's policy requests. */
export function policyHandlers(
  deps: ControlDeps,
  { mustExist }: HandlerShared,
): Pick<Handlers, 'policy.get' | 'policy.save' | 'policy.explain' | 'policy.checkLive'> {
  return {
    'policy.get': async () => ({ policy: deps.policy.get(), fromConfig: !!deps.config.policy }),
    'policy.save': async (policy) => {
      // The file's policy is applied at every start: a change saved here would be silently undone.
      if (deps.config.policy)
        throw new ControlError(
          'The config file sets the access policy (its "policy" section), and applies it again at every start, so a change saved here would be undone. Change the policy in the config file and restart the bridge; or remove that section to manage the policy here.',
          'bad_request',
        );
      return { policy: await deps.policy.save(policy), fromConfig: false };
    },
    'policy.explain': async ({ person, policy }) =>
      explainAccess(
        identityOf(person),
        policy ? policySchema.parse(policy) : deps.policy.get(),
        await deps.connections.list(),
      ),
    'policy.checkLive': async ({ person, connection }) => {
      await mustExist(deps.connections.get(connection), `connection profile "${connection}"`);
      return deps.livePermissions.check(identityOf(person), connection);
    },
  };
}

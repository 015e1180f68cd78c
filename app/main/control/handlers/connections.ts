import { connectionProfileSchema } from '../../../shared/config-schema.js';
import type { ControlDeps, Handlers, HandlerShared } from '../control-deps.js';

/** The control API's connections requests. */
export function connectionsHandlers(
  deps: ControlDeps,
  { mustExist }: HandlerShared,
): Pick<
  Handlers,
  | 'connections.list'
  | 'connections.save'
  | 'connections.remove'
  | 'connections.testDraft'
  | 'connections.test'
  | 'connections.setDefault'
> {
  return {
    'connections.list': () => deps.connections.list(),
    'connections.save': async (p) => {
      const saved = await deps.connections.save(p);
      await deps.connections.keepDefault();
      await deps.pools.discard(saved.id);
      return saved;
    },
    'connections.remove': async ({ id }) => {
      await deps.pools.discard(id);
      const removed = await deps.connections.remove(id);
      await deps.connections.keepDefault();
      return { removed };
    },
    'connections.testDraft': async (p) => deps.connectionTests.testDraft(connectionProfileSchema.parse(p)),
    'connections.test': async ({ id }) => {
      await mustExist(deps.connections.get(id), `connection profile "${id}"`);
      return deps.connectionTests.test(id);
    },
    'connections.setDefault': async ({ id }) => {
      await mustExist(deps.connections.get(id), `connection profile "${id}"`);
      await deps.connections.setDefault(id);
      return { default: id };
    },
  };
}

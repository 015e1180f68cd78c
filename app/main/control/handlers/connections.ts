import { connectionProfileSchema } from '../../../shared/config-schema.js';
import type { ControlDeps, Handlers, ControlTools } from '../handlers.js';

/** The control API's connections requests. */
export function connectionsHandlers(
  core: ControlDeps,
  { mustExist }: ControlTools,
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
    'connections.list': () => core.connections.list(),
    'connections.save': async (p) => {
      const saved = await core.connections.save(p);
      await core.connections.keepDefault();
      await core.pools.discard(saved.id);
      return saved;
    },
    'connections.remove': async ({ id }) => {
      await core.pools.discard(id);
      const removed = await core.connections.remove(id);
      await core.connections.keepDefault();
      return { removed };
    },
    'connections.testDraft': async (p) => core.testConnectionDraft(connectionProfileSchema.parse(p)),
    'connections.test': async ({ id }) => {
      await mustExist(core.connections.get(id), `connection profile "${id}"`);
      return core.testConnection(id);
    },
    'connections.setDefault': async ({ id }) => {
      await mustExist(core.connections.get(id), `connection profile "${id}"`);
      await core.connections.setDefault(id);
      return { default: id };
    },
  };
}

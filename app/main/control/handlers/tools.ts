import { ControlError } from '../../../shared/control/contract.js';
import { checkConfiguredTools, ConfiguredToolError } from '../../mcp/configured-tools.js';
import type { ControlDeps, Handlers } from '../control-deps.js';

/** The control API's configured tools: list, add or change (after the load-time checks), remove. */
export function toolsHandlers(
  deps: ControlDeps,
): Pick<Handlers, 'tools.list' | 'tools.save' | 'tools.remove'> {
  // The store's refusals are sentences for the person: a bad request, not a fault.
  const said = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ConfiguredToolError) throw new ControlError(err.message, 'bad_request');
      throw err;
    }
  };
  return {
    'tools.list': async () =>
      deps.configuredTools
        .list()
        .map((t) => ({ ...t, fromConfig: deps.configuredTools.fromConfig.has(t.name) })),
    'tools.save': async (input) => {
      const profiles = await deps.connections.list();
      return said(() => deps.configuredTools.save(input, (tool) => checkConfiguredTools([tool], profiles)));
    },
    'tools.remove': async ({ name }) =>
      said(async () => ({ removed: await deps.configuredTools.remove(name) })),
  };
}

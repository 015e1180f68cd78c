import { clientSnippets, connectorEntryFor } from '../../connector/client-config.js';
import {
  claudeDesktopConfigPath,
  installInClaudeDesktop,
  InstallError,
} from '../../connector/claude-desktop-config.js';
import { ControlError } from '../../../shared/control/contract.js';
import type { ControlDeps, Handlers, HandlerShared } from '../control-deps.js';
import { clientInfo } from '../views.js';

/** The control API's clients requests. */
export function clientsHandlers(
  deps: ControlDeps,
  { mustExist }: HandlerShared,
): Pick<
  Handlers,
  'clients.list' | 'clients.add' | 'clients.remove' | 'clients.config' | 'clients.installClaudeDesktop'
> {
  return {
    'clients.list': async () => (await deps.clients.listRegistered()).map(clientInfo),
    'clients.add': async (c) => {
      try {
        return clientInfo({ ...(await deps.clients.addPreregistered(c)), fromConfig: false });
      } catch (err) {
        throw new ControlError((err as Error).message, 'bad_request');
      }
    },
    'clients.remove': async ({ id }) => {
      if (deps.clients.isFromConfig(id))
        throw new ControlError(
          `Client "${id}" is defined in the config file (oauth.clients); remove it there.`,
          'bad_request',
        );
      return { removed: await deps.clients.removeRegistered(id) };
    },
    'clients.config': async ({ id }) => {
      const client = await mustExist(deps.clients.find(id), `client "${id}"`);
      return clientSnippets(client, deps.urls().mcp, deps.connectorDataDir);
    },
    'clients.installClaudeDesktop': async ({ id }) => {
      const client = await mustExist(deps.clients.find(id), `client "${id}"`);
      try {
        const r = installInClaudeDesktop(
          claudeDesktopConfigPath(),
          connectorEntryFor(client, deps.urls().mcp, deps.connectorDataDir),
        );
        return { file: r.file, changed: r.changed, backup: r.backup, entry: { ...r.entry } };
      } catch (err) {
        if (err instanceof InstallError) throw new ControlError(err.message, 'failed');
        throw err;
      }
    },
  };
}

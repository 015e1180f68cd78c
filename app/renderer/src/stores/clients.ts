import { createStore } from 'zustand/vanilla';
import type {
  ClaudeDesktopInstall,
  ClientConfigSnippets,
  ClientInfo,
  ControlApi,
  ControlParams,
} from '../../../shared/control/contract.js';
import { attempter } from './errors.js';

export type NewClient = ControlParams<'clients.add'>;

export interface ClientsState {
  clients: ClientInfo[];
  error?: string;
  load(): Promise<void>;
  add(client: NewClient): Promise<boolean>;
  remove(id: string): Promise<void>;
  snippets(id: string): Promise<ClientConfigSnippets | undefined>;
  /** Writes the connector into Claude Desktop's config; the outcome or the refusal's sentence. */
  installClaudeDesktop(id: string): Promise<{ ok: ClaudeDesktopInstall } | { error: string }>;
}

export const createClientsStore = (api: ControlApi) =>
  createStore<ClientsState>()((set, get) => {
    const attempt = attempter(set);
    return {
      clients: [],
      async load() {
        const clients = await attempt(() => api.request('clients.list', {}));
        if (clients) set({ clients });
      },
      async add(client) {
        const added = await attempt(() => api.request('clients.add', client));
        if (added) await get().load();
        return !!added;
      },
      async remove(id) {
        if (await attempt(() => api.request('clients.remove', { id }))) await get().load();
      },
      snippets: (id) => attempt(() => api.request('clients.config', { id })),
      // Its own result, not the page-wide error: the sentence belongs next to the button that failed.
      installClaudeDesktop: (id) =>
        api.request('clients.installClaudeDesktop', { id }).then(
          (ok) => ({ ok }),
          (err: Error) => ({ error: err.message }),
        ),
    };
  });

import { createStore } from 'zustand/vanilla';
import type {
  BrokerStatus,
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
  /** The desktop sign-in connectors may share, who may, and who is asking. */
  broker?: BrokerStatus;
  loadBroker(): Promise<void>;
  brokerChanged(status: BrokerStatus): void;
  decide(id: string, allow: boolean): Promise<void>;
  revokeConnector(clientId: string): Promise<void>;
  /** Signs this computer's user in at the active IdP; the caller opens the returned URL. */
  signInHere(): Promise<string | undefined>;
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
      async loadBroker() {
        const broker = await attempt(() => api.request('broker.status', {}));
        if (broker) set({ broker });
      },
      brokerChanged: (broker) => set({ broker }),
      async decide(id, allow) {
        await attempt(() => api.request('broker.decide', { id, allow }));
      },
      async revokeConnector(clientId) {
        await attempt(() => api.request('broker.revoke', { clientId }));
      },
      async signInHere() {
        const started = await attempt(async () => {
          const status = await api.request('status.get', {});
          if (!status.activeIdp)
            throw new Error('No active identity provider: add one on the Identity providers page first.');
          return api.request('idp.testSignIn', { id: status.activeIdp, desktop: true });
        });
        return started?.url;
      },
      installClaudeDesktop: (id) =>
        api.request('clients.installClaudeDesktop', { id }).then(
          (ok) => ({ ok }),
          (err: Error) => ({ error: err.message }),
        ),
    };
  });

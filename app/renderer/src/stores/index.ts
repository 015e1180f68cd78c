import type { ControlApi } from '../../../shared/control/contract.js';
import { createClientsStore } from './clients.js';
import { createConnectionsStore } from './connections.js';
import { createIdpStore } from './idp.js';
import { createInspectorStore } from './inspector.js';
import { createPolicyStore } from './policy.js';
import { createStatusStore } from './status.js';
import { createToolsStore } from './tools.js';
import { createWritesStore } from './writes.js';

export type Stores = ReturnType<typeof createStores>;

/** All stores over one control API, with the bridge's live events routed to the stores they change. */
export function createStores(api: ControlApi) {
  const stores = {
    status: createStatusStore(api),
    idp: createIdpStore(api),
    connections: createConnectionsStore(api),
    clients: createClientsStore(api),
    inspector: createInspectorStore(api),
    policy: createPolicyStore(api),
    tools: createToolsStore(api),
    writes: createWritesStore(api),
  };
  const stop = api.subscribe(
    (event) => {
      stores.inspector.getState().apply(event);
      if (event.type === 'idp.testResult') stores.idp.getState().testResult(event.data);
      if (event.type === 'policy.changed') stores.policy.getState().changed(event.data);
      if (event.type === 'broker.changed') stores.clients.getState().brokerChanged(event.data);
      if (event.type === 'writes.changed') stores.writes.getState().changed(event.data);
      if (event.type === 'token.issued' || event.type === 'grant.revoked')
        void stores.status.getState().load();
    },
    (live) => {
      stores.status.getState().setLive(live);
      // After a reconnect, reload what may have changed while the stream was down.
      if (live)
        void Promise.all([
          stores.status.getState().load(),
          stores.inspector.getState().load(),
          stores.writes.getState().load(),
        ]);
    },
  );
  return { ...stores, stop };
}

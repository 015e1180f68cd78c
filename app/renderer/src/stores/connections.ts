import { createStore } from 'zustand/vanilla';
import type { ControlApi, ControlParams } from '../../../main/control/contract.js';
import type { ConnectionProfile } from '../../../main/sql/profiles.js';
import type { ConnectionTest } from '../../../main/sql/test-connection.js';
import { messageOf } from './errors.js';

export type ConnectionInput = ControlParams<'connections.save'>;

export interface ConnectionsState {
  profiles: ConnectionProfile[];
  defaultId?: string;
  tests: Record<string, ConnectionTest | 'running'>;
  error?: string;
  load(): Promise<void>;
  save(input: ConnectionInput): Promise<ConnectionProfile | undefined>;
  remove(id: string): Promise<void>;
  setDefault(id: string): Promise<void>;
  test(id: string): Promise<ConnectionTest | undefined>;
}

export const createConnectionsStore = (api: ControlApi) =>
  createStore<ConnectionsState>()((set, get) => ({
    profiles: [],
    tests: {},
    async load() {
      try {
        const [profiles, status] = await Promise.all([
          api.request('connections.list', {}),
          api.request('status.get', {}),
        ]);
        set({ profiles, defaultId: status.defaultConnection, error: undefined });
      } catch (err) {
        set({ error: messageOf(err) });
      }
    },
    async save(input) {
      try {
        const saved = await api.request('connections.save', input);
        // A saved change makes an earlier test result stale.
        set((s) => {
          const tests = { ...s.tests };
          delete tests[saved.id];
          return { tests, error: undefined };
        });
        await get().load();
        return saved;
      } catch (err) {
        set({ error: messageOf(err) });
        return undefined;
      }
    },
    async remove(id) {
      try {
        await api.request('connections.remove', { id });
        await get().load();
      } catch (err) {
        set({ error: messageOf(err) });
      }
    },
    async setDefault(id) {
      try {
        await api.request('connections.setDefault', { id });
        await get().load();
      } catch (err) {
        set({ error: messageOf(err) });
      }
    },
    async test(id) {
      set((s) => ({ tests: { ...s.tests, [id]: 'running' } }));
      try {
        const result = await api.request('connections.test', { id });
        set((s) => ({ tests: { ...s.tests, [id]: result } }));
        return result;
      } catch (err) {
        const failed: ConnectionTest = { ok: false, code: 'failed', message: messageOf(err) };
        set((s) => ({ tests: { ...s.tests, [id]: failed } }));
        return failed;
      }
    },
  }));

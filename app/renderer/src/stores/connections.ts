import { createStore } from 'zustand/vanilla';
import type { ControlApi, ControlParams } from '../../../shared/control/contract.js';
import type { ConnectionProfile, ConnectionTest } from '../../../shared/types.js';
import { attempter, messageOf, type FieldErrors } from './errors.js';

export type ConnectionInput = ControlParams<'connections.save'>;

export interface ConnectionsState {
  profiles: ConnectionProfile[];
  defaultId?: string;
  tests: Record<string, ConnectionTest | 'running'>;
  error?: string;
  /** The last save's bad fields, for the form to show next to each. */
  fieldErrors?: FieldErrors;
  load(): Promise<void>;
  save(input: ConnectionInput): Promise<ConnectionProfile | undefined>;
  remove(id: string): Promise<void>;
  setDefault(id: string): Promise<void>;
  test(id: string): Promise<ConnectionTest | undefined>;
}

export const createConnectionsStore = (api: ControlApi) =>
  createStore<ConnectionsState>()((set, get) => {
    const attempt = attempter(set);
    return {
      profiles: [],
      tests: {},
      async load() {
        const loaded = await attempt(() =>
          Promise.all([api.request('connections.list', {}), api.request('status.get', {})]),
        );
        if (loaded) set({ profiles: loaded[0], defaultId: loaded[1].defaultConnection });
      },
      async save(input) {
        const saved = await attempt(() => api.request('connections.save', input));
        if (!saved) return undefined;
        // A saved change makes an earlier test result stale.
        set((s) => {
          const tests = { ...s.tests };
          delete tests[saved.id];
          return { tests };
        });
        await get().load();
        return saved;
      },
      async remove(id) {
        if (await attempt(() => api.request('connections.remove', { id }))) await get().load();
      },
      async setDefault(id) {
        if (await attempt(() => api.request('connections.setDefault', { id }))) await get().load();
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
    };
  });

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
  /** Tests the form's profile before saving; kept under `draft` in `tests`. */
  testDraft(input: ConnectionInput): Promise<void>;
  /** Stops waiting for a test: the page says so at once, and a late answer is dropped. */
  cancelTest(id: string): void;
}

/** The key in `tests` of the form's own test. */
export const DRAFT_TEST = '\u0000draft';

const CANCELLED: ConnectionTest = {
  ok: false,
  code: 'cancelled',
  message: 'Test cancelled. The attempt ends on its own within the login timeout; nothing was saved.',
};

export const createConnectionsStore = (api: ControlApi) =>
  createStore<ConnectionsState>()((set, get) => {
    const attempt = attempter(set);
    /** Runs one test under `key`; an answer after Cancel (the entry no longer 'running') is dropped. */
    const run = async (key: string, request: () => Promise<ConnectionTest>) => {
      set((s) => ({ tests: { ...s.tests, [key]: 'running' } }));
      const result = await request().catch((err: unknown): ConnectionTest => ({
        ok: false,
        code: 'failed',
        message: messageOf(err),
      }));
      if (get().tests[key] === 'running') set((s) => ({ tests: { ...s.tests, [key]: result } }));
      return result;
    };
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
        await get().load();
        // A saved change makes an earlier result stale: the saved profile is tested at once, so its card says
        // whether it connects (a profile saved after a failed test was silently broken).
        void get().test(saved.id);
        return saved;
      },
      async remove(id) {
        if (await attempt(() => api.request('connections.remove', { id }))) await get().load();
      },
      async setDefault(id) {
        if (await attempt(() => api.request('connections.setDefault', { id }))) await get().load();
      },
      test: (id) => run(id, () => api.request('connections.test', { id })),
      async testDraft(input) {
        await run(DRAFT_TEST, () => api.request('connections.testDraft', input));
      },
      cancelTest(id) {
        if (get().tests[id] === 'running') set((s) => ({ tests: { ...s.tests, [id]: CANCELLED } }));
      },
    };
  });

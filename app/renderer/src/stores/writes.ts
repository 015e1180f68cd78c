import { createStore } from 'zustand/vanilla';
import type { ControlApi } from '../../../shared/control/contract.js';
import type { PendingWriteView } from '../../../shared/types.js';
import { attempter } from './errors.js';

export interface WritesState {
  /** Changes waiting for the person's answer: asked by a connector, or at an approval link. */
  waiting: PendingWriteView[];
  error?: string;
  load(): Promise<void>;
  changed(waiting: PendingWriteView[]): void;
  decide(id: string, approve: boolean): Promise<void>;
}

export const createWritesStore = (api: ControlApi) =>
  createStore<WritesState>()((set, get) => {
    const attempt = attempter(set);
    return {
      waiting: [],
      async load() {
        const waiting = await attempt(() => api.request('writes.list', {}));
        if (waiting) set({ waiting });
      },
      changed: (waiting) => set({ waiting }),
      async decide(id, approve) {
        set({ error: undefined });
        if (await attempt(() => api.request('writes.decide', { id, approve }))) await get().load();
      },
    };
  });

import { createStore } from 'zustand/vanilla';
import type { ControlApi, StatusInfo } from '../../../shared/control/contract.js';
import { messageOf } from './errors.js';

export interface StatusState {
  status?: StatusInfo;
  /** Whether the live event stream is connected (always true over IPC). */
  live: boolean;
  error?: string;
  load(): Promise<void>;
  setLive(live: boolean): void;
}

export const createStatusStore = (api: ControlApi) =>
  createStore<StatusState>()((set) => ({
    live: false,
    async load() {
      try {
        set({ status: await api.request('status.get', {}), error: undefined });
      } catch (err) {
        set({ error: `The bridge does not answer: ${messageOf(err)}` });
      }
    },
    setLive: (live) => set({ live }),
  }));

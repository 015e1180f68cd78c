import { createStore } from 'zustand/vanilla';
import type { ControlApi, ControlResults } from '../../../shared/control/contract.js';
import type { ConfiguredToolInput } from '../../../shared/config-schema.js';
import { attempter, type FieldErrors } from './errors.js';

export interface ToolsState {
  tools: ControlResults['tools.list'];
  error?: string;
  fieldErrors?: FieldErrors;
  load(): Promise<void>;
  save(tool: ConfiguredToolInput): Promise<boolean>;
  remove(name: string): Promise<void>;
}

/** The configured tools: the config file's (read-only here) and those added in the app. */
export const createToolsStore = (api: ControlApi) =>
  createStore<ToolsState>()((set, get) => {
    const attempt = attempter(set);
    return {
      tools: [],
      async load() {
        const tools = await attempt(() => api.request('tools.list', {}));
        if (tools) set({ tools });
      },
      async save(tool) {
        const saved = await attempt(() => api.request('tools.save', tool));
        if (saved) await get().load();
        return !!saved;
      },
      async remove(name) {
        if (await attempt(() => api.request('tools.remove', { name }))) await get().load();
      },
    };
  });

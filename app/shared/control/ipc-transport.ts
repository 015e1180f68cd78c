import type { ControlApi, ControlEvent, ControlMethod, ControlParams, ControlResults } from './contract.js';
import { ControlError } from './control-error.js';

/** The slice of Electron's ipcMain / webContents this transport uses (so it is testable without Electron). */
export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: unknown, message: { method: string; params: unknown }) => Promise<unknown>,
  ): void;
}
export interface IpcSenderLike {
  send(channel: string, event: ControlEvent): void;
}
/** The slice of Electron's ipcRenderer the preload hands to `controlIpcClient`. */
export interface IpcRendererLike {
  invoke(channel: string, message: { method: string; params: unknown }): Promise<unknown>;
  on(channel: string, listener: (event: unknown, data: ControlEvent) => void): void;
  removeListener(channel: string, listener: (event: unknown, data: ControlEvent) => void): void;
}

export const CONTROL_CHANNEL = 'control:request';
export const EVENT_CHANNEL = 'control:event';

/**
 * The contract over Electron IPC: one `ipcMain.handle` channel for requests; events pushed to the window.
 * Errors cross IPC as plain data (Electron would otherwise flatten them to a string). Requests from any
 * frame but the app's own page are refused (`isTrustedSender`).
 */
export function serveControlOverIpc(
  control: ControlApi,
  ipcMain: IpcMainLike,
  window: IpcSenderLike,
  isTrustedSender: (event: unknown) => boolean = () => true,
): () => void {
  ipcMain.handle(CONTROL_CHANNEL, async (event, message) => {
    if (!isTrustedSender(event)) return { error: 'bad_request', message: 'Untrusted sender.' };
    try {
      // The control API validates params against the method's schema before anything runs.
      const method = message.method as ControlMethod;
      return { result: await control.request(method, message.params as ControlParams<typeof method>) };
    } catch (err) {
      const e = err instanceof ControlError ? err : new ControlError((err as Error).message, 'failed');
      return { error: e.code, message: e.message, fields: e.fields };
    }
  });
  return control.subscribe((event) => window.send(EVENT_CHANNEL, event));
}

/** The renderer side (what the preload exposes): requests through `invoke`, events from the window channel. */
export function controlIpcClient(ipc: IpcRendererLike): ControlApi {
  return {
    async request(method, params) {
      const reply = (await ipc.invoke(CONTROL_CHANNEL, { method, params })) as {
        result?: unknown;
        error?: 'bad_request' | 'not_found' | 'failed';
        message?: string;
        fields?: Record<string, string>;
      };
      if (reply.error) throw new ControlError(reply.message ?? reply.error, reply.error, reply.fields);
      return reply.result as ControlResults[typeof method];
    },
    subscribe(listener, onState) {
      const forward = (_event: unknown, data: ControlEvent) => listener(data);
      ipc.on(EVENT_CHANNEL, forward);
      // IPC to the main process cannot drop while the window lives.
      onState?.(true);
      return () => ipc.removeListener(EVENT_CHANNEL, forward);
    },
  };
}

import { ControlError, type ControlApi, type ControlEvent, type ControlMethod } from './contract.js';

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

export const CONTROL_CHANNEL = 'control:request';
export const EVENT_CHANNEL = 'control:event';

/**
 * The contract over Electron IPC: one `ipcMain.handle` channel for requests; events pushed to the window.
 * Errors cross IPC as plain data (Electron would otherwise flatten them to a string).
 */
export function serveControlOverIpc(
  control: ControlApi,
  ipcMain: IpcMainLike,
  window: IpcSenderLike,
): () => void {
  ipcMain.handle(CONTROL_CHANNEL, async (_event, message) => {
    try {
      return { result: await control.request(message.method as ControlMethod, message.params as never) };
    } catch (err) {
      const e = err instanceof ControlError ? err : new ControlError((err as Error).message, 'failed');
      return { error: e.code, message: e.message };
    }
  });
  return control.subscribe((event) => window.send(EVENT_CHANNEL, event));
}

/** The renderer side (what preload exposes): requests through `invoke`, results or ControlError. */
export function controlIpcClient(
  invoke: (channel: string, message: { method: string; params: unknown }) => Promise<unknown>,
): Pick<ControlApi, 'request'> {
  return {
    async request(method, params) {
      const reply = (await invoke(CONTROL_CHANNEL, { method, params })) as {
        result?: unknown;
        error?: 'bad_request' | 'not_found' | 'failed';
        message?: string;
      };
      if (reply.error) throw new ControlError(reply.message ?? reply.error, reply.error);
      return reply.result as never;
    },
  };
}

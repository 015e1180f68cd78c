/**
 * The preload: exposes the control contract to the renderer as `window.bridge`, and nothing else (no Node, no
 * raw ipcRenderer). It runs sandboxed, so it is bundled to one CommonJS file (scripts/build-electron.ts).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { controlIpcClient } from '../shared/control/ipc-transport.js';

const api = controlIpcClient({
  invoke: (channel, message) => ipcRenderer.invoke(channel, message),
  on: (channel, listener) => void ipcRenderer.on(channel, listener),
  removeListener: (channel, listener) => void ipcRenderer.removeListener(channel, listener),
});

// Only the two functions of the contract cross the bridge (contextBridge copies them into the page's world).
contextBridge.exposeInMainWorld('bridge', {
  request: api.request.bind(api),
  subscribe: api.subscribe.bind(api),
});

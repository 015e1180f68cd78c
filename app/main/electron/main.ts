/**
 * The Electron shell: the only module that imports `electron`. It runs the same headless core inside the
 * main process, with state in Electron's userData directory. The window, tray and IPC transport of the
 * control contract attach here; everything else stays testable without Electron's binary.
 */
import fs from 'node:fs';
import path from 'node:path';
import { app, dialog } from 'electron';
import { loadConfig } from '../config/load.js';
import { BridgeCore } from '../core.js';

let core: BridgeCore | undefined;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.whenReady().then(start, fail);
  // The server keeps running with no window open; quitting is explicit (tray or Cmd+Q).
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    if (!core) return;
    event.preventDefault();
    const stopping = core;
    core = undefined;
    void stopping.stop().finally(() => app.quit());
  });
}

async function start(): Promise<void> {
  const dataDir = app.getPath('userData');
  const file = path.join(dataDir, 'config.json');
  core = await BridgeCore.start({
    config: loadConfig({ file: fs.existsSync(file) ? file : undefined }),
    dataDir,
  });
}

function fail(err: unknown): void {
  dialog.showErrorBox('MSSQL MCP Bridge could not start', err instanceof Error ? err.message : String(err));
  app.exit(1);
}

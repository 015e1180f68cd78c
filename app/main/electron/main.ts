/**
 * The Electron shell: the only code that imports `electron`. It runs the same headless core inside the main
 * process (state in userData), serves the control contract over IPC to one locked-down window, and keeps the
 * server running in the tray when the window closes. Everything with logic lives in plain Node modules.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  app,
  BrowserWindow,
  clipboard,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  session,
  shell,
  Tray,
} from 'electron';
import { loadConfig } from '../config/load.js';
import { serveControlOverIpc } from '../../shared/control/ipc-transport.js';
import { BridgeCore } from '../core.js';
import { DesktopSession } from '../tray/desktop-session.js';
import { trayMenu, trayTooltip, type TrayAction } from '../tray/tray-menu.js';

// Bundled to dist/electron/main.mjs; preload and renderer sit beside it (scripts/build-electron.ts).
const here = path.dirname(fileURLToPath(import.meta.url));
const PRELOAD = path.join(here, 'preload.cjs');
const RENDERER = path.join(here, '..', 'renderer', 'index.html');
const RENDERER_URL = pathToFileURL(RENDERER).href;
// Packaged: an extra resource (electron-builder.yml); from a checkout (`npm run start:electron`): resources/.
const trayIcon = () =>
  app.isPackaged
    ? path.join(process.resourcesPath, 'tray.png')
    : path.join(app.getAppPath(), 'resources', 'tray.png');

let core: BridgeCore | undefined;
let win: BrowserWindow | undefined;
let tray: Tray | undefined;
let desktop: DesktopSession | undefined;
let quitting = false;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => showWindow());
  app.whenReady().then(start, fail);
  // The server keeps running with no window open; quitting is explicit (tray or Cmd+Q).
  app.on('window-all-closed', () => undefined);
  app.on('activate', () => showWindow());
  app.on('before-quit', (event) => {
    quitting = true;
    if (!core) return;
    event.preventDefault();
    const stopping = core;
    core = undefined;
    desktop?.dispose();
    void stopping.stop().finally(() => app.quit());
  });
  // No webviews, and no navigation or new windows from any web contents (links open in the system browser).
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.on('will-navigate', (e, url) => url !== RENDERER_URL && e.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (/^https?:\/\//.test(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}

async function start(): Promise<void> {
  // The renderer needs no permission (camera, notifications, ...); refuse them all.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  const dataDir = app.getPath('userData');
  const file = path.join(dataDir, 'config.json');
  core = await BridgeCore.start({
    config: loadConfig({ file: fs.existsSync(file) ? file : undefined }),
    dataDir,
  });
  serveControlOverIpc(
    core.control,
    ipcMain,
    { send: (channel, event) => win && !win.isDestroyed() && win.webContents.send(channel, event) },
    // Only the app's own page may call: not another frame, not a navigated-away page.
    (event) => (event as Electron.IpcMainInvokeEvent).senderFrame?.url === RENDERER_URL,
  );
  desktop = new DesktopSession(core.control, (url) => shell.openExternal(url));
  createTray(desktop);
  // A write waiting for the person (a connector's client cannot ask them): the window comes to the front with
  // its "Waiting for you" panel, and a notification says why.
  core.desk.on('asked', (w) => {
    showWindow();
    if (Notification.isSupported())
      new Notification({
        title: 'A change waits for your approval',
        body: `${w.client}: ${w.rowsAffected} row(s) on ${w.database}. Approve or decline it in MSSQL MCP Bridge.`,
      }).show();
  });
  await desktop.refresh();
  showWindow();
}

function showWindow(): void {
  if (!core) return;
  if (win && !win.isDestroyed()) {
    win.show();
    win.focus();
    return;
  }
  win = new BrowserWindow({
    width: 1200,
    height: 820,
    minWidth: 820,
    minHeight: 560,
    title: 'MSSQL MCP Bridge',
    show: false,
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win?.show());
  // Closing the window keeps the server (and the tray) running.
  win.on('close', (e) => {
    if (quitting) return;
    e.preventDefault();
    win?.hide();
  });
  void win.loadFile(RENDERER);
}

function createTray(session: DesktopSession): void {
  tray = new Tray(nativeImage.createFromPath(trayIcon()));
  const actions: Record<TrayAction, () => void> = {
    signIn: () => void session.signIn(),
    signOut: () => void session.signOut(),
    open: () => showWindow(),
    // Electron 44+ writes the clipboard asynchronously; a refusal leaves the URL in the window's Clients page.
    copyMcpUrl: () =>
      void (session.state.mcpUrl && clipboard.writeText(session.state.mcpUrl).catch(() => undefined)),
    quit: () => app.quit(),
  };
  const render = () => {
    tray?.setToolTip(trayTooltip(session.state));
    tray?.setContextMenu(
      Menu.buildFromTemplate(
        trayMenu(session.state).map((item) =>
          item.type === 'separator'
            ? { type: 'separator' as const }
            : { label: item.label, enabled: item.enabled, click: item.action && actions[item.action] },
        ),
      ),
    );
  };
  session.onChange(render);
  render();
}

function fail(err: unknown): void {
  dialog.showErrorBox('MSSQL MCP Bridge could not start', err instanceof Error ? err.message : String(err));
  app.exit(1);
}

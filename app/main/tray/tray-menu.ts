import type { TrayState } from './desktop-session.js';

export type TrayAction = 'signIn' | 'signOut' | 'open' | 'copyMcpUrl' | 'quit';
export type TrayItem =
  { type: 'separator' } | { type: 'item'; label: string; enabled: boolean; action?: TrayAction };

/** The tray menu for a state: pure, so its content is tested; the Electron shell only renders it. */
export function trayMenu(s: TrayState): TrayItem[] {
  const info = (label: string): TrayItem => ({ type: 'item', label, enabled: false });
  const act = (label: string, action: TrayAction, enabled = true): TrayItem => ({
    type: 'item',
    label,
    action,
    enabled,
  });
  return [
    info(s.port ? `Running on 127.0.0.1:${s.port}` : 'Starting…'),
    info(s.activeIdp ? `Identity provider: ${s.activeIdp}` : 'No identity provider'),
    ...(s.problems ? [info(`${s.problems} setting(s) need attention`)] : []),
    ...(s.error ? [info(`⚠ ${s.error.length > 80 ? `${s.error.slice(0, 77)}…` : s.error}`)] : []),
    { type: 'separator' },
    s.signedInAs
      ? act(`Sign out ${s.signedInAs.label}`, 'signOut')
      : act(
          s.signingIn ? 'Signing in… (see your browser)' : 'Sign in…',
          'signIn',
          !s.signingIn && !!s.activeIdp,
        ),
    act('Open window', 'open'),
    act('Copy MCP URL', 'copyMcpUrl', !!s.mcpUrl),
    { type: 'separator' },
    act('Quit MSSQL MCP Bridge', 'quit'),
  ];
}

/** The tray icon's tooltip. */
export function trayTooltip(s: TrayState): string {
  const who = s.signedInAs ? ` · ${s.signedInAs.label}` : '';
  return s.port ? `MSSQL MCP Bridge · :${s.port}${who}` : 'MSSQL MCP Bridge';
}

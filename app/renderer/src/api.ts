import type { ControlApi } from '../../shared/control/contract.js';
import { controlHttpClient } from '../../shared/control/http-client.js';

declare global {
  interface Window {
    /** Set by the Electron preload: the control contract over IPC, and nothing else. */
    bridge?: ControlApi;
  }
}

const TOKEN_KEY = 'bridge.controlToken';

/**
 * The control API for this window: the preload's in Electron; in a browser (`serve --ui`) the HTTP client,
 * with the run's token taken from the URL fragment once, kept for the tab's life, and wiped from the address
 * bar so it is not bookmarked or shared by accident.
 */
export function connectControl(): ControlApi | { error: string } {
  if (window.bridge) return window.bridge;
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    sessionStorage.removeItem(SIGNED_OUT_KEY);
    history.replaceState(null, '', location.pathname + location.search);
  }
  const token = fromHash ?? sessionStorage.getItem(TOKEN_KEY);
  if (!token)
    return {
      error: sessionStorage.getItem(SIGNED_OUT_KEY)
        ? 'Signed out: this tab no longer holds the access token. To come back, open the link printed by "serve --ui" again.'
        : 'This page needs the link printed by "serve --ui" (it carries this run\'s access token). Open that link again.',
    };
  return controlHttpClient(location.origin, token);
}

const SIGNED_OUT_KEY = 'bridge.signedOut';

/** In a browser tab, whether there is a token to forget (Electron's window has none: it is the app). */
export const canSignOut = (): boolean => !window.bridge;

/** Forgets this tab's token (a shared or borrowed computer) and shows how to come back. */
export function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.setItem(SIGNED_OUT_KEY, '1');
  location.reload();
}

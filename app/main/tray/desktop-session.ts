import type { ControlApi } from '../../shared/control/contract.js';

/** What the tray shows. */
export interface TrayState {
  mcpUrl?: string;
  port?: number;
  activeIdp?: string;
  problems: number;
  /** Who signed in from the tray on this computer (this run). */
  signedInAs?: { subject: string; label: string };
  signingIn: boolean;
  /** The last sign-in or sign-out failure, as a sentence. */
  error?: string;
}

/**
 * The tray's sign-in: the desktop user signs in at the active IdP in the system browser (through the bridge's
 * own callback), so the tray can say who is using the bridge here. Sign out revokes every MCP client session
 * of that user at once. Plain Node over the control API, so it is tested without Electron.
 */
export class DesktopSession {
  private current: TrayState = { problems: 0, signingIn: false };
  private readonly listeners = new Set<(s: TrayState) => void>();
  private readonly stopEvents: () => void;
  private waiting?: { testId: string; done: (ok: boolean) => void };

  constructor(
    private readonly api: ControlApi,
    private readonly openExternal: (url: string) => Promise<void>,
  ) {
    this.stopEvents = api.subscribe((event) => {
      if (event.type === 'idp.testResult' && event.data.testId === this.waiting?.testId) {
        const r = event.data;
        if (r.ok)
          this.set({
            signedInAs: { subject: r.identity.subject, label: r.identity.email ?? r.identity.subject },
            error: undefined,
          });
        else this.set({ error: r.message });
        this.waiting.done(r.ok);
        this.waiting = undefined;
      } else if (event.type === 'grant.revoked' || event.type === 'token.issued') void this.refresh();
    });
  }

  get state(): TrayState {
    return this.current;
  }

  onChange(listener: (s: TrayState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async refresh(): Promise<void> {
    try {
      const s = await this.api.request('status.get', {});
      this.set({ mcpUrl: s.mcpUrl, port: s.port, activeIdp: s.activeIdp, problems: s.problems.length });
    } catch (err) {
      this.set({ error: (err as Error).message });
    }
  }

  /** Opens the active IdP's sign-in in the browser; resolves true once the bridge has validated the result. */
  async signIn(): Promise<boolean> {
    if (this.current.signingIn) return false;
    const status = await this.api.request('status.get', {});
    if (!status.activeIdp) {
      this.set({ error: 'No active identity provider: add or choose one in the window first.' });
      return false;
    }
    this.set({ signingIn: true, error: undefined });
    try {
      const { testId, url } = await this.api.request('idp.testSignIn', {
        id: status.activeIdp,
        desktop: true,
      });
      // The bridge ends every sign-in with a result: signed in, refused, cancelled or timed out
      // (idp.test_sign_in_timeout_seconds), each with its sentence.
      const finished = new Promise<boolean>((resolve) => {
        this.waiting = { testId, done: resolve };
      });
      await this.openExternal(url);
      return await finished;
    } catch (err) {
      this.set({ error: (err as Error).message });
      return false;
    } finally {
      this.set({ signingIn: false });
    }
  }

  /** Revokes every active session of the signed-in user; returns how many. */
  async signOut(): Promise<number> {
    const who = this.current.signedInAs;
    if (!who) return 0;
    // Connectors get no new token from the desktop sign-in, and lose the ones they had with the rest below.
    await this.api.request('broker.signOut', {});
    const grants = await this.api.request('grants.list', {});
    const mine = grants.filter((g) => g.subject === who.subject);
    for (const g of mine) await this.api.request('grants.revoke', { id: g.id });
    this.set({ signedInAs: undefined, error: undefined });
    return mine.length;
  }

  dispose(): void {
    this.stopEvents();
    this.listeners.clear();
  }

  private set(patch: Partial<TrayState>): void {
    this.current = { ...this.current, ...patch };
    for (const l of this.listeners) l(this.current);
  }
}

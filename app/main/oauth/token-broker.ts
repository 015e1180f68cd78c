import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import { z } from 'zod';
import type { Identity } from '../../shared/types.js';
import type { SettingsRepository } from '../state/repositories.js';

/** The grant type a connector redeems its one-time code with at /token. */
export const BROKER_GRANT = 'urn:mssql-mcp-bridge:params:oauth:grant-type:desktop-sign-in';

/** How long a broker code may wait for its exchange at /token. */
const CODE_TTL_MS = 60_000;
/** A connector's request waits this long for the person to allow it in the app. */
const PENDING_TTL_MS = 10 * 60_000;

const allowancesSchema = z.array(
  z.object({ clientId: z.string(), subject: z.string(), label: z.string(), allowedAt: z.number() }),
);
export type Allowance = z.infer<typeof allowancesSchema>[number];

export interface PendingRequest {
  id: string;
  clientId: string;
  /** What the connector calls itself (e.g. "Claude Desktop connector, pid 4242"): shown, never trusted. */
  label: string;
  at: number;
}

/** What a connector asking over the local channel is told. */
export type BrokerAnswer =
  | { status: 'ok'; code: string }
  | { status: 'pending'; message: string }
  | { status: 'signed_out'; message: string }
  | { status: 'denied'; message: string };

/**
 * Sign-in shared with connectors: the person signed in on this computer (tray or window, a validated ID token)
 * lets a connector (a pre-registered client) use that sign-in once, in the app; from then on the connector gets
 * tokens over the local channel with no browser step. A connector gets a one-time code, which it exchanges at
 * /token for an ordinary audience-bound access token of its own client, marked as brokered. Allowances persist
 * (per client and person); the desktop sign-in lasts for this run.
 */
export class TokenBroker extends EventEmitter<{ change: [] }> {
  private desktop?: Identity;
  private readonly pending = new Map<string, PendingRequest>();
  private readonly denied = new Set<string>();
  private readonly codes = new Map<string, { identity: Identity; clientId: string; expires: number }>();

  constructor(
    private readonly settings: SettingsRepository,
    /** Pre-registered clients a connector may act as; anything else is refused. */
    private readonly isPreRegistered: (clientId: string) => Promise<boolean>,
  ) {
    super();
  }

  signedInAs(): Identity | undefined {
    return this.desktop;
  }

  /** The person who signed in on this computer (from a validated ID token). */
  signIn(identity: Identity): void {
    this.desktop = identity;
    this.emit('change');
  }

  signOut(): void {
    this.desktop = undefined;
    this.pending.clear();
    this.codes.clear();
    this.emit('change');
  }

  async allowances(): Promise<Allowance[]> {
    return (await this.settings.get('broker.allowances', allowancesSchema)) ?? [];
  }

  pendingRequests(): PendingRequest[] {
    const now = Date.now();
    for (const [id, p] of this.pending) if (now - p.at > PENDING_TTL_MS) this.pending.delete(id);
    return [...this.pending.values()];
  }

  /** A connector asks for a code. */
  async request(clientId: string, label: string): Promise<BrokerAnswer> {
    if (!(await this.isPreRegistered(clientId)))
      return { status: 'denied', message: `"${clientId}" is not a pre-registered client of this bridge.` };
    const who = this.desktop;
    if (!who)
      return {
        status: 'signed_out',
        message: 'No one is signed in to MSSQL MCP Bridge on this computer (tray: Sign in).',
      };
    if (this.denied.has(clientId)) {
      this.denied.delete(clientId);
      return { status: 'denied', message: 'The connector was not allowed in MSSQL MCP Bridge.' };
    }
    if (!(await this.allowances()).some((a) => a.clientId === clientId && a.subject === who.subject)) {
      if (![...this.pending.values()].some((p) => p.clientId === clientId)) {
        const id = crypto.randomUUID();
        this.pending.set(id, { id, clientId, label: label.slice(0, 200), at: Date.now() });
        this.emit('change');
      }
      return {
        status: 'pending',
        message: `Allow "${clientId}" to use your sign-in in MSSQL MCP Bridge (Clients page).`,
      };
    }
    const code = crypto.randomBytes(32).toString('base64url');
    this.codes.set(code, { identity: who, clientId, expires: Date.now() + CODE_TTL_MS });
    return { status: 'ok', code };
  }

  /** The person allows (or refuses) a pending request; allowing covers that client for them from now on. */
  async decide(requestId: string, allow: boolean): Promise<boolean> {
    const p = this.pending.get(requestId);
    const who = this.desktop;
    if (!p || !who) return false;
    this.pending.delete(requestId);
    if (allow) {
      const others = (await this.allowances()).filter(
        (a) => !(a.clientId === p.clientId && a.subject === who.subject),
      );
      await this.settings.set('broker.allowances', [
        ...others,
        { clientId: p.clientId, subject: who.subject, label: p.label, allowedAt: Date.now() },
      ]);
    } else this.denied.add(p.clientId);
    this.emit('change');
    return true;
  }

  /** Withdraws every allowance of a client; the people it covered, whose brokered sessions the caller revokes. */
  async revoke(clientId: string): Promise<Set<string>> {
    const all = await this.allowances();
    await this.settings.set(
      'broker.allowances',
      all.filter((a) => a.clientId !== clientId),
    );
    this.emit('change');
    return new Set(all.filter((a) => a.clientId === clientId).map((a) => a.subject));
  }

  /** Redeems a code once, for the client it was issued to. */
  redeem(code: string, clientId: string): Identity | undefined {
    const entry = this.codes.get(code);
    this.codes.delete(code);
    if (!entry || entry.clientId !== clientId || entry.expires < Date.now()) return undefined;
    // The sign-in may have ended since the code was issued.
    return this.desktop?.subject === entry.identity.subject ? entry.identity : undefined;
  }
}

import type { Identity } from '../idp/identity.js';
import { nowSeconds } from '../state/clock.js';
import type { StateEvent, StateEvents } from '../state/events.js';
import type { AccessTokenRow, GrantRow, GrantRows } from '../state/grant-rows.js';
import type { ModelStore } from './model-store.js';

/**
 * One authorization of one client for one user, as the bridge shows and revokes it. Its id is oidc-provider's
 * grant id, which every code, refresh token and access token (`gid`) of the family carries.
 */
export interface Grant extends Omit<GrantRow, 'subject' | 'identity' | 'via'> {
  identity: Identity;
  /** 'broker': a connector got it from the desktop sign-in over the local channel, not through a browser. */
  via?: 'broker';
}

export type GrantEvent =
  | { type: 'grant_revoked'; grantId: string; reason: string }
  | { type: 'access_token_issued'; token: AccessTokenRecord }
  | { type: 'access_token_revoked'; jti: string };

/** An issued access token as the bridge remembers it: its claims, never the token itself. */
export type AccessTokenRecord = AccessTokenRow;

/**
 * The bridge's view of grants (with the identity each was signed in as), remembered consents, issued access
 * tokens and revocations. Revoked grants and access-token ids are mirrored in memory so bearer verification
 * stays a set lookup; other instances' revocations arrive through `events` and join the mirror.
 */
export class GrantStore {
  private readonly revokedGrants = new Set<string>();
  private readonly revokedJtis = new Set<string>();
  private readonly listeners = new Set<(event: GrantEvent) => void>();
  /** Grants by id as last read: bearer checks and token issuance read them on every request. */
  private readonly grantCache = new Map<string, Grant>();
  /** Issued-token records not yet written (see recordAccessToken). */
  private pendingTokens: AccessTokenRecord[] = [];
  private flushing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly rows: GrantRows,
    private readonly models: ModelStore,
    private readonly events: StateEvents,
  ) {}

  static async open(rows: GrantRows, models: ModelStore, events: StateEvents): Promise<GrantStore> {
    const store = new GrantStore(rows, models, events);
    await store.loadRevocations();
    events.subscribe({
      event: (e) => store.applyRemote(e),
      resync: () => void store.loadRevocations().catch(() => undefined),
    });
    return store;
  }

  /** (Re)reads every revocation into the in-memory mirror. */
  private async loadRevocations(): Promise<void> {
    for (const id of await this.rows.revokedIds()) this.revokedGrants.add(id);
    for (const jti of await this.rows.revokedJtis(nowSeconds())) this.revokedJtis.add(jti);
  }

  /** Another instance revoked something: refuse it here too, and show it in this instance's live views. */
  private applyRemote(e: StateEvent): void {
    if (e.type === 'grant_revoked') {
      this.grantCache.delete(e.grantId);
      this.models.forget(e.grantId);
      if (!this.revokedGrants.has(e.grantId)) {
        this.revokedGrants.add(e.grantId);
        this.emit({ type: 'grant_revoked', grantId: e.grantId, reason: e.reason });
      }
    } else if (!this.revokedJtis.has(e.jti)) {
      this.revokedJtis.add(e.jti);
      this.emit({ type: 'access_token_revoked', jti: e.jti });
    }
  }

  /** Grant revocations, token issuance and token revocations, as they happen (the Inspector's live view). */
  onEvent(listener: (event: GrantEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: GrantEvent): void {
    for (const l of this.listeners) l(event);
  }

  // --- grants ---

  async createGrant(grant: Omit<Grant, 'createdAt'>): Promise<void> {
    await this.rows.insert({ ...grant, subject: grant.identity.subject, createdAt: nowSeconds() });
  }

  async getGrant(id: string): Promise<Grant | undefined> {
    const cached = this.grantCache.get(id);
    if (cached) return cached;
    const row = await this.rows.get(id);
    if (!row) return undefined;
    const grant = toGrant(row);
    if (this.grantCache.size >= 5000) this.grantCache.delete(this.grantCache.keys().next().value!);
    this.grantCache.set(id, grant);
    return grant;
  }

  async listGrants(opts: { includeRevoked?: boolean } = {}): Promise<Grant[]> {
    return (await this.rows.list({ includeRevoked: !!opts.includeRevoked })).map(toGrant);
  }

  isGrantRevoked(id: string): boolean {
    return this.revokedGrants.has(id);
  }

  /**
   * Revokes a grant and so every token of its family, wherever the revocation came from. Refused here at once
   * (before the write: oidc-provider answers /revoke without waiting for its event's handler), then stored
   * and told to the other instances.
   */
  async revokeGrant(id: string, reason: string): Promise<void> {
    this.models.forget(id);
    this.grantCache.delete(id);
    if (!this.revokedGrants.has(id)) {
      this.revokedGrants.add(id);
      this.emit({ type: 'grant_revoked', grantId: id, reason });
    }
    await this.rows.revoke(id, reason, nowSeconds());
    await this.events.publish({ type: 'grant_revoked', grantId: id, reason });
  }

  refreshFamily(grantId: string): Promise<{ issued: number; activeExpiresAt?: number }> {
    return this.models.refreshFamily(grantId);
  }

  // --- consents ---

  async hasConsent(subject: string, clientId: string, scopes: string[]): Promise<boolean> {
    const consented = await this.rows.consentedScopes(subject, clientId);
    if (!consented) return false;
    const granted = new Set(consented);
    return scopes.every((s) => granted.has(s));
  }

  async recordConsent(subject: string, clientId: string, scopes: string[]): Promise<void> {
    await this.rows.recordConsent(subject, clientId, scopes, nowSeconds());
  }

  // --- access tokens ---

  async revokeAccessToken(jti: string, expiresAt: number): Promise<void> {
    if (!this.revokedJtis.has(jti)) {
      this.revokedJtis.add(jti);
      this.emit({ type: 'access_token_revoked', jti });
    }
    await this.rows.revokeAccessToken(jti, expiresAt);
    await this.events.publish({ type: 'access_token_revoked', jti, expiresAt });
  }

  /**
   * Remembers an issued token for the Inspector. Written with the others issued in the next 200 ms, in one
   * transaction after the token responses: the record is for display and revocation by jti, the token itself
   * is valid without it, and /token should not wait for one more commit. (A kill -9 within those 200 ms loses
   * the record, never a grant or refresh token.)
   */
  recordAccessToken(record: AccessTokenRecord): void {
    if (this.pendingTokens.push(record) === 1)
      setTimeout(() => void this.flushTokenRecords().catch(() => undefined), 200).unref();
    this.emit({ type: 'access_token_issued', token: record });
  }

  /** Writes everything deferred: token records and consumptions still waiting for their successor (shutdown). */
  async flush(): Promise<void> {
    await this.flushTokenRecords();
    await this.models.flushPending();
  }

  /** Writes the pending token records (also before any read of them). */
  private flushTokenRecords(): Promise<void> {
    if (!this.pendingTokens.length) return this.flushing;
    const batch = this.pendingTokens;
    this.pendingTokens = [];
    this.flushing = this.flushing.then(() => this.rows.recordAccessTokens(batch));
    return this.flushing;
  }

  async getAccessToken(jti: string): Promise<AccessTokenRecord | undefined> {
    await this.flushTokenRecords();
    return this.rows.getAccessToken(jti);
  }

  /** Access tokens not yet expired (or all kept ones), newest first. */
  async listAccessTokens(opts: { includeExpired?: boolean } = {}): Promise<AccessTokenRecord[]> {
    await this.flushTokenRecords();
    return this.rows.listAccessTokens(opts.includeExpired ? undefined : nowSeconds());
  }

  isAccessTokenRevoked(jti: string): boolean {
    return this.revokedJtis.has(jti);
  }

  /** Drops what can no longer matter: expired artifacts and revocations of expired tokens. */
  async prune(): Promise<void> {
    const now = nowSeconds();
    await this.models.prune();
    // Expired tokens stay listed for a day (what the Inspector shows as "expired"), then go.
    for (const jti of await this.rows.prune(now, now - 86_400)) this.revokedJtis.delete(jti);
  }
}

function toGrant(row: GrantRow): Grant {
  const { subject: _subject, via, ...rest } = row;
  return {
    ...rest,
    identity: row.identity as Identity,
    ...(via === 'broker' ? { via: 'broker' as const } : {}),
  };
}

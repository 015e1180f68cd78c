import type { AuditFacets, AuditFilter } from '../../shared/control/contract.js';
import type { z } from 'zod';
import type { AuditEntry } from '../../shared/types.js';
import type { ClientRows } from './client-rows.js';
import type { GrantRows } from './grant-rows.js';
import type { OidcModelRows } from './oidc-model-rows.js';
import type { SecretRows, UpstreamSignInRows } from './sealed-rows.js';

/**
 * The bridge's persisted state outside the authorization server's own storage (oidc-provider's adapter), behind
 * one interface per kind of record. Every method is asynchronous, so a backend that answers over the network
 * (PostgreSQL, for several instances) fits the same interface as the desktop's SQLite file; every row is read
 * back through a check, so a row that is not what the code expects is named as such instead of flowing on as
 * a cast.
 */
export interface StateRepositories {
  readonly settings: SettingsRepository;
  readonly idpProfiles: DocumentRepository;
  readonly connectionProfiles: DocumentRepository;
  readonly audit: AuditRepository;
  readonly pendingWrites: PendingWriteRepository;
  /** The authorization server's storage: oidc-provider's artifacts, grants and tokens, clients. */
  readonly oidcModels: OidcModelRows;
  readonly grants: GrantRows;
  readonly clients: ClientRows;
  readonly upstreamSignIns: UpstreamSignInRows;
  /** Team mode's sealed secrets (the desktop keeps its secrets in the keychain). */
  readonly secrets: SecretRows;
  /** The schema version the store is at, or throws when it does not answer (readiness). */
  schemaVersion(): Promise<number>;
  /** The version this build's migrations bring it to. */
  readonly expectedSchemaVersion: number;
}

/** App settings: one JSON value per key, validated on every read with the caller's schema. */
export interface SettingsRepository {
  get<S extends z.ZodType>(key: string, schema: S): Promise<z.output<S> | undefined>;
  set(key: string, value: unknown): Promise<void>;
  /** Deletes the key; with `only`, only while it still holds that value. */
  delete(key: string, only?: unknown): Promise<void>;
}

/** JSON documents by id (profiles; never a secret). What a document must be is checked by its owner. */
export interface DocumentRepository {
  /** The parsed document, or undefined; a row that is not JSON is a StoredRowError. */
  get(id: string): Promise<unknown>;
  /** Every id, in the order first stored. */
  ids(): Promise<string[]>;
  put(id: string, doc: object): Promise<void>;
  remove(id: string): Promise<boolean>;
  /** Whether any document has this top-level field set to true (asked on hot paths: the store answers it). */
  anyFlagged(field: string): Promise<boolean>;
}

export type NewAuditRow = Omit<AuditEntry, 'id'>;

export interface AuditRepository {
  /** Appends an entry; its id is the order of entries. */
  insert(entry: NewAuditRow): Promise<number>;
  /** Completes an entry written before its call ran (outcome, duration, rows, error). */
  finish(id: number, entry: NewAuditRow): Promise<void>;
  /** Newest first, matching the filter; the page before `beforeId`. */
  query(opts: { limit: number; beforeId?: number; filter?: AuditFilter }): Promise<AuditEntry[]>;
  /** How many entries match the filter. */
  count(filter?: AuditFilter): Promise<number>;
  /** The distinct values of the filterable columns over the whole log (at most `max` each). */
  facets(max: number): Promise<Omit<AuditFacets, 'clients'> & { clients: string[] }>;
  /** Drops entries older than `before` (ms), then all but the newest `keep`. */
  prune(before: number, keep: number): Promise<void>;
}

/** A write waiting for a person's approval, as stored (what it shows and binds is the owner's JSON). */
export interface PendingWriteRow {
  id: string;
  subject: string;
  status: 'pending' | 'approved' | 'declined' | 'expired' | 'committing' | 'committed' | 'failed';
  createdAt: number;
  expiresAt: number;
  data: unknown;
  decidedBy?: string;
  decidedVia?: string;
  decidedAt?: number;
}

export interface PendingWriteRepository {
  insert(row: {
    id: string;
    subject: string;
    createdAt: number;
    expiresAt: number;
    data: object;
  }): Promise<void>;
  get(id: string): Promise<PendingWriteRow | undefined>;
  /** Every write still waiting for a decision at `now`, oldest first. */
  open(now: number): Promise<PendingWriteRow[]>;
  /** Records the decision on a write still pending and unexpired at `now`; false when there was none to make. */
  decide(id: string, to: 'approved' | 'declined', by: string, via: string, now: number): Promise<boolean>;
  /** Moves a write from one status to another; false when it was not in `from` (someone else moved it first). */
  transition(id: string, from: PendingWriteRow['status'], to: PendingWriteRow['status']): Promise<boolean>;
  /** Marks every write still pending past its expiry at `now` as expired, and returns them (for the audit). */
  expireDue(now: number): Promise<PendingWriteRow[]>;
  /** Drops writes created before `before` (ms). */
  prune(before: number): Promise<void>;
}

import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AuditRepository } from '../state/repositories.js';
import type { AuditFilter } from '../../shared/control/contract.js';
import type { AuditEntry } from '../../shared/types.js';
export type { AuditEntry };

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at' | 'statementHash'>;

/** Every tool call, persisted with who, what, how long and how it ended; emits 'entry' for live views. */
export class AuditLog extends EventEmitter<{ entry: [AuditEntry] }> {
  private sincePrune = 0;

  constructor(
    private readonly rows: AuditRepository,
    private readonly retention: { max_rows: number; max_age_days: number },
  ) {
    super();
  }

  async record(e: NewAuditEntry): Promise<AuditEntry> {
    const at = Date.now();
    const row = { ...e, at, statementHash: hashOf(e.statement) };
    const entry: AuditEntry = { ...row, id: await this.rows.insert(row) };
    this.emit('entry', entry);
    if (++this.sincePrune >= 500) await this.prune();
    return entry;
  }

  /**
   * Writes the entry of a call before it runs (outcome 'running'): if the audit cannot be written, the call must
   * not run (no call runs unaudited). Returns what `finish` completes.
   */
  async begin(e: NewAuditEntry): Promise<{ id: number; at: number }> {
    const at = Date.now();
    const row = { ...e, at, statementHash: hashOf(e.statement), outcome: 'running' as const };
    return { id: await this.rows.insert(row), at };
  }

  /** Completes a begun entry with how the call ended, and shows it live. */
  async finish(begun: { id: number; at: number }, e: NewAuditEntry): Promise<AuditEntry> {
    const row = { ...e, at: begun.at, statementHash: hashOf(e.statement) };
    await this.rows.finish(begun.id, row);
    const entry: AuditEntry = { ...row, id: begun.id };
    this.emit('entry', entry);
    if (++this.sincePrune >= 500) await this.prune();
    return entry;
  }

  /** Newest first, matching the filter: the page before `beforeId`. */
  query(opts: { limit?: number; beforeId?: number; filter?: AuditFilter } = {}): Promise<AuditEntry[]> {
    return this.rows.query({ ...opts, limit: Math.min(opts.limit ?? 100, 1000) });
  }

  /** A page, and how many entries match the filter in all. */
  async page(
    opts: { limit?: number; beforeId?: number; filter?: AuditFilter } = {},
  ): Promise<{ entries: AuditEntry[]; total: number }> {
    const [entries, total] = await Promise.all([this.query(opts), this.rows.count(opts.filter)]);
    return { entries, total };
  }

  /** Every entry matching the filter, newest first, up to `max`. */
  async all(filter: AuditFilter | undefined, max: number): Promise<AuditEntry[]> {
    const out: AuditEntry[] = [];
    let beforeId: number | undefined;
    while (out.length < max) {
      const page = await this.rows.query({ limit: Math.min(1000, max - out.length), beforeId, filter });
      out.push(...page);
      if (page.length < 1000) break;
      beforeId = page.at(-1)!.id;
    }
    return out;
  }

  facets(max = 500) {
    return this.rows.facets(max);
  }

  /** Retention: drop entries older than max_age_days, then all but the newest max_rows. */
  prune(): Promise<void> {
    this.sincePrune = 0;
    return this.rows.prune(Date.now() - this.retention.max_age_days * 86_400_000, this.retention.max_rows);
  }
}

const hashOf = (statement: string | undefined) =>
  statement ? crypto.createHash('sha256').update(statement).digest('hex') : undefined;

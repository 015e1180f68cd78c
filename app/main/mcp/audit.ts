import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { StateDb } from '../state/database.js';
import type { AuditEntry } from '../../shared/types.js';
export type { AuditEntry };

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at' | 'statementHash'>;

type Row = {
  id: number;
  at: number;
  subject: string;
  email: string | null;
  db_user: string | null;
  client_id: string;
  tool: string;
  profile: string | null;
  database_name: string | null;
  statement: string | null;
  statement_hash: string | null;
  row_count: number | null;
  duration_ms: number;
  outcome: AuditEntry['outcome'];
  error_number: number | null;
  error_code: string | null;
  error_message: string | null;
  policy_rule: string | null;
};

/** Every tool call, persisted with who, what, how long and how it ended; emits 'entry' for live views. */
export class AuditLog extends EventEmitter<{ entry: [AuditEntry] }> {
  private sinceprune = 0;

  constructor(
    private readonly db: StateDb,
    private readonly retention: { max_rows: number; max_age_days: number },
  ) {
    super();
    this.prune();
  }

  record(e: NewAuditEntry): AuditEntry {
    const at = Date.now();
    const statementHash = e.statement
      ? crypto.createHash('sha256').update(e.statement).digest('hex')
      : undefined;
    const info = this.db
      .prepare(
        `INSERT INTO audit (at, subject, email, db_user, client_id, tool, profile, database_name, statement, statement_hash, row_count, duration_ms, outcome, error_number, error_code, error_message, policy_rule)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        at,
        e.subject,
        e.email ?? null,
        e.dbUser ?? null,
        e.clientId,
        e.tool,
        e.profile ?? null,
        e.database ?? null,
        e.statement ?? null,
        statementHash ?? null,
        e.rowCount ?? null,
        e.durationMs,
        e.outcome,
        e.errorNumber ?? null,
        e.errorCode ?? null,
        e.errorMessage ?? null,
        e.rule ?? null,
      );
    const entry: AuditEntry = { ...e, id: Number(info.lastInsertRowid), at, statementHash };
    this.emit('entry', entry);
    if (++this.sinceprune >= 500) this.prune();
    return entry;
  }

  query(opts: { limit?: number; beforeId?: number; subject?: string } = {}): AuditEntry[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM audit WHERE (? IS NULL OR id < ?) AND (? IS NULL OR subject = ?) ORDER BY id DESC LIMIT ?`,
      )
      .all(
        opts.beforeId ?? null,
        opts.beforeId ?? null,
        opts.subject ?? null,
        opts.subject ?? null,
        Math.min(opts.limit ?? 100, 1000),
      ) as Row[];
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      subject: r.subject,
      email: r.email ?? undefined,
      dbUser: r.db_user ?? undefined,
      clientId: r.client_id,
      tool: r.tool,
      profile: r.profile ?? undefined,
      database: r.database_name ?? undefined,
      statement: r.statement ?? undefined,
      statementHash: r.statement_hash ?? undefined,
      rowCount: r.row_count ?? undefined,
      durationMs: r.duration_ms,
      outcome: r.outcome,
      errorNumber: r.error_number ?? undefined,
      errorCode: r.error_code ?? undefined,
      errorMessage: r.error_message ?? undefined,
      rule: r.policy_rule ?? undefined,
    }));
  }

  /** Retention: drop entries older than max_age_days, then all but the newest max_rows. */
  prune(): void {
    this.sinceprune = 0;
    this.db
      .prepare('DELETE FROM audit WHERE at < ?')
      .run(Date.now() - this.retention.max_age_days * 86_400_000);
    this.db
      .prepare('DELETE FROM audit WHERE id <= (SELECT id FROM audit ORDER BY id DESC LIMIT 1 OFFSET ?)')
      .run(this.retention.max_rows);
  }
}

import { z } from 'zod';
import type { AuditEntry } from '../../shared/types.js';
import { nowSeconds, type StateDb } from './database.js';
import {
  StoredRowError,
  type AuditRepository,
  type DocumentRepository,
  type NewAuditRow,
  type SettingsRepository,
  type StateRepositories,
} from './repositories.js';

/** The repositories over the desktop's SQLite state database. */
export function sqliteRepositories(db: StateDb): StateRepositories {
  return {
    settings: new SqliteSettings(db),
    idpProfiles: new SqliteDocuments(db, 'idp_profiles'),
    connectionProfiles: new SqliteDocuments(db, 'connection_profiles'),
    audit: new SqliteAudit(db),
    async schemaVersion() {
      db.prepare('SELECT 1').get();
      return db.pragma('user_version', { simple: true }) as number;
    },
  };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new StoredRowError(`The stored ${what} is not JSON.`);
  }
}

class SqliteSettings implements SettingsRepository {
  constructor(private readonly db: StateDb) {}

  async get<S extends z.ZodType>(key: string, schema: S): Promise<z.output<S> | undefined> {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as
      { value: string } | undefined;
    if (!row) return undefined;
    const parsed = schema.safeParse(parseJson(row.value, `setting "${key}"`));
    if (!parsed.success)
      throw new StoredRowError(
        `The stored setting "${key}" is not valid: ${parsed.error.issues[0]?.message ?? 'unknown'}.`,
      );
    return parsed.data;
  }

  async set(key: string, value: unknown): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      )
      .run(key, JSON.stringify(value));
  }

  async delete(key: string, only?: unknown): Promise<void> {
    if (only === undefined) this.db.prepare('DELETE FROM settings WHERE key = ?').run(key);
    else this.db.prepare('DELETE FROM settings WHERE key = ? AND value = ?').run(key, JSON.stringify(only));
  }
}

/** Tables of shape (id, data JSON, updated_at); the table name comes from this module only. */
class SqliteDocuments implements DocumentRepository {
  constructor(
    private readonly db: StateDb,
    private readonly table: 'idp_profiles' | 'connection_profiles',
  ) {}

  async get(id: string): Promise<unknown> {
    const row = this.db.prepare(`SELECT data FROM ${this.table} WHERE id = ?`).get(id) as
      { data: string } | undefined;
    return row && parseJson(row.data, `${this.table} row "${id}"`);
  }

  async ids(): Promise<string[]> {
    return (
      this.db.prepare(`SELECT id FROM ${this.table} ORDER BY rowid`).all() as Array<{ id: string }>
    ).map((r) => r.id);
  }

  async put(id: string, doc: object): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO ${this.table} (id, data, updated_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
      )
      .run(id, JSON.stringify(doc), nowSeconds());
  }

  async remove(id: string): Promise<boolean> {
    return this.db.prepare(`DELETE FROM ${this.table} WHERE id = ?`).run(id).changes > 0;
  }

  async anyFlagged(field: string): Promise<boolean> {
    return !!this.db
      .prepare(`SELECT 1 FROM ${this.table} WHERE json_extract(data, ?) = 1 LIMIT 1`)
      .get(`$.${field}`);
  }
}

const OUTCOMES = ['ok', 'error', 'refused', 'cancelled', 'declined'] as const;
const opt = <T extends z.ZodType>(t: T) => t.nullable().transform((v) => v ?? undefined);

/** An audit row as stored, checked and mapped to the entry the app shows. */
const auditRow = z
  .object({
    id: z.number().int(),
    at: z.number(),
    subject: z.string(),
    email: opt(z.string()),
    db_user: opt(z.string()),
    client_id: z.string(),
    tool: z.string(),
    profile: opt(z.string()),
    database_name: opt(z.string()),
    statement: opt(z.string()),
    statement_hash: opt(z.string()),
    row_count: opt(z.number()),
    duration_ms: z.number(),
    outcome: z.enum(OUTCOMES),
    error_number: opt(z.number()),
    error_code: opt(z.string()),
    error_message: opt(z.string()),
    policy_rule: opt(z.string()),
  })
  .transform((r): AuditEntry => ({
    id: r.id,
    at: r.at,
    subject: r.subject,
    email: r.email,
    dbUser: r.db_user,
    clientId: r.client_id,
    tool: r.tool,
    profile: r.profile,
    database: r.database_name,
    statement: r.statement,
    statementHash: r.statement_hash,
    rowCount: r.row_count,
    durationMs: r.duration_ms,
    outcome: r.outcome,
    errorNumber: r.error_number,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    rule: r.policy_rule,
  }));

/** Checks one stored audit row (shared by every backend: the columns are the same). */
export function readAuditRow(row: unknown): AuditEntry {
  const parsed = auditRow.safeParse(row);
  if (!parsed.success)
    throw new StoredRowError(
      `An audit row is not valid (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}).`,
    );
  return parsed.data;
}

class SqliteAudit implements AuditRepository {
  constructor(private readonly db: StateDb) {}

  async insert(e: NewAuditRow): Promise<number> {
    const info = this.db
      .prepare(
        `INSERT INTO audit (at, subject, email, db_user, client_id, tool, profile, database_name, statement, statement_hash, row_count, duration_ms, outcome, error_number, error_code, error_message, policy_rule)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        e.at,
        e.subject,
        e.email ?? null,
        e.dbUser ?? null,
        e.clientId,
        e.tool,
        e.profile ?? null,
        e.database ?? null,
        e.statement ?? null,
        e.statementHash ?? null,
        e.rowCount ?? null,
        e.durationMs,
        e.outcome,
        e.errorNumber ?? null,
        e.errorCode ?? null,
        e.errorMessage ?? null,
        e.rule ?? null,
      );
    return Number(info.lastInsertRowid);
  }

  async query(opts: { limit: number; beforeId?: number; subject?: string }): Promise<AuditEntry[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM audit WHERE (? IS NULL OR id < ?) AND (? IS NULL OR subject = ?) ORDER BY id DESC LIMIT ?`,
      )
      .all(
        opts.beforeId ?? null,
        opts.beforeId ?? null,
        opts.subject ?? null,
        opts.subject ?? null,
        opts.limit,
      );
    return rows.map(readAuditRow);
  }

  async prune(before: number, keep: number): Promise<void> {
    this.db.prepare('DELETE FROM audit WHERE at < ?').run(before);
    this.db
      .prepare('DELETE FROM audit WHERE id <= (SELECT id FROM audit ORDER BY id DESC LIMIT 1 OFFSET ?)')
      .run(keep);
  }
}

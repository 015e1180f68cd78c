import { z } from 'zod';
import { CONFIRM_CHANNELS, type AuditEntry } from '../../shared/types.js';
import { SCHEMA_VERSION, SCHEMA_VERSION_QUERY } from './migrations.js';
import { nowSeconds } from './clock.js';
import type { AuditFilter } from '../../shared/control/contract.js';
import type { StateSql } from './sql.js';
import { clientRows } from './client-rows.js';
import { grantRows } from './grant-rows.js';
import { oidcModelRows } from './oidc-model-rows.js';
import { secretRows, upstreamSignInRows } from './sealed-rows.js';
import { StoredRowError } from './state-errors.js';
import {
  type AuditRepository,
  type DocumentRepository,
  type NewAuditRow,
  type PendingWriteRepository,
  type PendingWriteRow,
  type SettingsRepository,
  type StateRepositories,
} from './repositories.js';

/** The repositories over the state database: the desktop's SQLite file or the team's PostgreSQL. */
export function sqlRepositories(sql: StateSql): StateRepositories {
  return {
    settings: new SqlSettings(sql),
    idpProfiles: new SqlDocuments(sql, 'idp_profiles'),
    connectionProfiles: new SqlDocuments(sql, 'connection_profiles'),
    audit: new SqlAudit(sql),
    pendingWrites: new SqlPendingWrites(sql),
    oidcModels: oidcModelRows(sql),
    grants: grantRows(sql),
    clients: clientRows(sql),
    upstreamSignIns: upstreamSignInRows(sql),
    secrets: secretRows(sql),
    expectedSchemaVersion: SCHEMA_VERSION,
    async schemaVersion() {
      const row = await sql.get<{ user_version?: number; version?: number }>(
        SCHEMA_VERSION_QUERY[sql.dialect],
      );
      return Number(row?.user_version ?? row?.version ?? 0);
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

class SqlSettings implements SettingsRepository {
  constructor(private readonly sql: StateSql) {}

  async get<S extends z.ZodType>(key: string, schema: S): Promise<z.output<S> | undefined> {
    const row = await this.sql.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]);
    if (!row) return undefined;
    const parsed = schema.safeParse(parseJson(row.value, `setting "${key}"`));
    if (!parsed.success)
      throw new StoredRowError(
        `The stored setting "${key}" is not valid: ${parsed.error.issues[0]?.message ?? 'unknown'}.`,
      );
    return parsed.data;
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.sql.run(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      [key, JSON.stringify(value)],
    );
  }

  async delete(key: string, only?: unknown): Promise<void> {
    if (only === undefined) await this.sql.run('DELETE FROM settings WHERE key = ?', [key]);
    else await this.sql.run('DELETE FROM settings WHERE key = ? AND value = ?', [key, JSON.stringify(only)]);
  }
}

/** Tables of shape (id, data JSON, updated_at); the table name comes from this module only. */
class SqlDocuments implements DocumentRepository {
  constructor(
    private readonly sql: StateSql,
    private readonly table: 'idp_profiles' | 'connection_profiles',
  ) {}

  async get(id: string): Promise<unknown> {
    const row = await this.sql.get<{ data: string }>(`SELECT data FROM ${this.table} WHERE id = ?`, [id]);
    return row && parseJson(row.data, `${this.table} row "${id}"`);
  }

  async ids(): Promise<string[]> {
    const order = this.sql.dialect === 'sqlite' ? 'rowid' : 'seq';
    return (await this.sql.all<{ id: string }>(`SELECT id FROM ${this.table} ORDER BY ${order}`)).map(
      (r) => r.id,
    );
  }

  async put(id: string, doc: object): Promise<void> {
    await this.sql.run(
      `INSERT INTO ${this.table} (id, data, updated_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
      [id, JSON.stringify(doc), nowSeconds()],
    );
  }

  async remove(id: string): Promise<boolean> {
    return (await this.sql.run(`DELETE FROM ${this.table} WHERE id = ?`, [id])) > 0;
  }

  async anyFlagged(field: string): Promise<boolean> {
    const test =
      this.sql.dialect === 'sqlite' ? 'json_extract(data, ?) = 1' : "(data::jsonb -> ?) = 'true'::jsonb";
    const arg = this.sql.dialect === 'sqlite' ? `$.${field}` : field;
    return !!(await this.sql.get(`SELECT 1 FROM ${this.table} WHERE ${test} LIMIT 1`, [arg]));
  }
}

const OUTCOMES = [
  'ok',
  'error',
  'refused',
  'cancelled',
  'declined',
  'pending',
  'expired',
  'running',
] as const;
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
    confirmed_by: opt(z.string()).optional(),
    confirmed_via: opt(z.enum(CONFIRM_CHANNELS)).optional(),
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
    confirmedBy: r.confirmed_by,
    confirmedVia: r.confirmed_via,
  }));

/** Checks one stored row against its schema (both backends have the same columns), naming the field at fault. */
function readRow<S extends z.ZodType>(schema: S, row: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(row);
  if (!parsed.success)
    throw new StoredRowError(
      `${what} is not valid (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}).`,
    );
  return parsed.data;
}

const readAuditRow = (row: unknown): AuditEntry => readRow(auditRow, row, 'An audit row');

/**
 * An entry's columns that a call's end may set (the rest — when, who, which client and tool — are fixed when it
 * begins): one mapping for the insert and for the finish.
 */
function auditColumns(e: NewAuditRow): Record<string, unknown> {
  return {
    email: e.email ?? null,
    db_user: e.dbUser ?? null,
    profile: e.profile ?? null,
    database_name: e.database ?? null,
    statement: e.statement ?? null,
    statement_hash: e.statementHash ?? null,
    row_count: e.rowCount ?? null,
    duration_ms: e.durationMs,
    outcome: e.outcome,
    error_number: e.errorNumber ?? null,
    error_code: e.errorCode ?? null,
    error_message: e.errorMessage ?? null,
    policy_rule: e.rule ?? null,
    confirmed_by: e.confirmedBy ?? null,
    confirmed_via: e.confirmedVia ?? null,
  };
}

/** The filter as SQL both engines accept; text is matched without case, as typed (LIKE's wildcards escaped). */
function auditWhere(f: AuditFilter | undefined): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (!f) return { where, params };
  const equal = (column: string, value: string | undefined) => {
    if (value === undefined || value === '') return;
    where.push(`${column} = ?`);
    params.push(value);
  };
  if (f.person) {
    where.push('(subject = ? OR LOWER(email) = LOWER(?))');
    params.push(f.person, f.person);
  }
  equal('client_id', f.clientId);
  equal('tool', f.tool);
  equal('profile', f.connection);
  equal('database_name', f.database);
  equal('outcome', f.outcome);
  if (f.from !== undefined) {
    where.push('at >= ?');
    params.push(f.from);
  }
  if (f.to !== undefined) {
    where.push('at <= ?');
    params.push(f.to);
  }
  if (f.text) {
    const like = `%${f.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(`(LOWER(statement) LIKE ? ESCAPE '\\' OR LOWER(error_message) LIKE ? ESCAPE '\\')`);
    params.push(like, like);
  }
  return { where, params };
}

class SqlAudit implements AuditRepository {
  constructor(private readonly sql: StateSql) {}

  async insert(e: NewAuditRow): Promise<number> {
    const columns = auditColumns(e);
    const row = await this.sql.get<{ id: number }>(
      `INSERT INTO audit (at, subject, client_id, tool, ${Object.keys(columns).join(', ')})
       VALUES (?, ?, ?, ?, ${Object.keys(columns)
         .map(() => '?')
         .join(', ')}) RETURNING id`,
      [e.at, e.subject, e.clientId, e.tool, ...Object.values(columns)],
    );
    return row!.id;
  }

  async finish(id: number, e: NewAuditRow): Promise<void> {
    const columns = auditColumns(e);
    const changed = await this.sql.run(
      `UPDATE audit SET ${Object.keys(columns)
        .map((c) => `${c} = ?`)
        .join(', ')} WHERE id = ?`,
      [...Object.values(columns), id],
    );
    if (changed !== 1) throw new Error(`the audit entry ${id} was not found to finish`);
  }

  async query(opts: { limit: number; beforeId?: number; filter?: AuditFilter }): Promise<AuditEntry[]> {
    const { where, params } = auditWhere(opts.filter);
    if (opts.beforeId !== undefined) {
      where.push('id < ?');
      params.push(opts.beforeId);
    }
    const rows = await this.sql.all(
      `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
      [...params, opts.limit],
    );
    return rows.map(readAuditRow);
  }

  async count(filter?: AuditFilter): Promise<number> {
    const { where, params } = auditWhere(filter);
    const row = await this.sql.get<{ n: number | string }>(
      `SELECT COUNT(*) AS n FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
      params,
    );
    return Number(row?.n ?? 0);
  }

  async facets(max: number) {
    const distinct = async (column: string) =>
      (
        await this.sql.all<{ v: string }>(
          `SELECT DISTINCT ${column} AS v FROM audit WHERE ${column} IS NOT NULL AND ${column} <> '' ORDER BY v LIMIT ?`,
          [max],
        )
      ).map((r) => String(r.v));
    const [people, emails, clients, tools, connections, databases, outcomes, oldest] = await Promise.all([
      distinct('subject'),
      distinct('email'),
      distinct('client_id'),
      distinct('tool'),
      distinct('profile'),
      distinct('database_name'),
      distinct('outcome'),
      this.sql.get<{ at: number | null }>('SELECT MIN(at) AS at FROM audit'),
    ]);
    return {
      // A person is searched by e-mail or subject: both are offered, e-mails first.
      people: [...new Set([...emails, ...people])],
      clients,
      tools,
      connections,
      databases,
      outcomes,
      oldest: oldest?.at ?? undefined,
    };
  }

  async prune(before: number, keep: number): Promise<void> {
    await this.sql.run('DELETE FROM audit WHERE at < ?', [before]);
    await this.sql.run(
      'DELETE FROM audit WHERE id <= (SELECT id FROM audit ORDER BY id DESC LIMIT 1 OFFSET ?)',
      [keep],
    );
  }
}

const pendingWriteRow = z
  .object({
    id: z.string(),
    subject: z.string(),
    status: z.enum(['pending', 'approved', 'declined', 'expired', 'committing', 'committed', 'failed']),
    created_at: z.coerce.number(),
    expires_at: z.coerce.number(),
    data: z.string(),
    decided_by: opt(z.string()),
    decided_via: opt(z.string()),
    decided_at: opt(z.coerce.number()),
  })
  .transform((r): PendingWriteRow => ({
    id: r.id,
    subject: r.subject,
    status: r.status,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    data: parseJson(r.data, `pending write "${r.id}"`),
    decidedBy: r.decided_by,
    decidedVia: r.decided_via,
    decidedAt: r.decided_at,
  }));

const readPendingWrite = (row: unknown): PendingWriteRow =>
  readRow(pendingWriteRow, row, 'A pending write row');

class SqlPendingWrites implements PendingWriteRepository {
  constructor(private readonly sql: StateSql) {}

  async insert(r: { id: string; subject: string; createdAt: number; expiresAt: number; data: object }) {
    await this.sql.run(
      "INSERT INTO pending_writes (id, subject, status, created_at, expires_at, data) VALUES (?, ?, 'pending', ?, ?, ?)",
      [r.id, r.subject, r.createdAt, r.expiresAt, JSON.stringify(r.data)],
    );
  }

  async get(id: string): Promise<PendingWriteRow | undefined> {
    const row = await this.sql.get('SELECT * FROM pending_writes WHERE id = ?', [id]);
    return row && readPendingWrite(row);
  }

  async open(now: number): Promise<PendingWriteRow[]> {
    const rows = await this.sql.all(
      "SELECT * FROM pending_writes WHERE status = 'pending' AND expires_at >= ? ORDER BY created_at",
      [now],
    );
    return rows.map(readPendingWrite);
  }

  async decide(id: string, to: 'approved' | 'declined', by: string, via: string, now: number) {
    const changed = await this.sql.run(
      "UPDATE pending_writes SET status = ?, decided_by = ?, decided_via = ?, decided_at = ? WHERE id = ? AND status = 'pending' AND expires_at >= ?",
      [to, by, via, now, id, now],
    );
    return changed === 1;
  }

  async transition(id: string, from: PendingWriteRow['status'], to: PendingWriteRow['status']) {
    return (
      (await this.sql.run('UPDATE pending_writes SET status = ? WHERE id = ? AND status = ?', [
        to,
        id,
        from,
      ])) === 1
    );
  }

  async expireDue(now: number): Promise<PendingWriteRow[]> {
    const rows = await this.sql.all(
      "UPDATE pending_writes SET status = 'expired' WHERE status = 'pending' AND expires_at < ? RETURNING *",
      [now],
    );
    return rows.map(readPendingWrite);
  }

  async prune(before: number): Promise<void> {
    await this.sql.run('DELETE FROM pending_writes WHERE created_at < ?', [before]);
  }
}

import sql from 'mssql';
import type { ConnectionProfile, Identity, LivePermissions } from '../../shared/types.js';
import { listTables } from '../sql/catalog.js';
import { explainSqlError } from '../sql/errors.js';
import { loginOf } from '../sql/profiles.js';
import type { SqlRunner } from '../sql/runner.js';
import { sqlIdentity, type Access } from './access-policy.js';
import type { ConnectionProfiles } from '../sql/profiles.js';
import type { PolicyStore } from './policy-store.js';

/** Tables checked at most: enough for a person to see the pattern, bounded for a database with thousands. */
const MAX_TABLES = 300;

/**
 * What the policy opens beside what SQL Server grants, for one person on one connection: as their database user
 * (impersonated, as a tool call would be), each table they can see is asked `HAS_PERMS_BY_NAME(…, 'SELECT')`.
 * Tables SQL Server hides from them (metadata visibility) are not listed: they could not read them either.
 */
export async function livePermissions(
  runner: SqlRunner,
  profile: ConnectionProfile,
  identity: Identity,
  access: Access,
): Promise<LivePermissions> {
  const database = profile.database;
  const base = { connection: profile.id, database, dbUser: identity.dbUser };
  const refusal = access.refusal ?? access.connectionRefusal(profile.id) ?? access.databaseRefusal(database);
  if (refusal) return { ...base, ok: false, message: refusal };
  try {
    const tables = await runner.session({ profile, database, identity, end: 'rollback' }, async (r) => {
      const all = (await listTables(r, database)).slice(0, MAX_TABLES);
      const out: Extract<LivePermissions, { ok: true }>['tables'] = [];
      for (const t of all) {
        const req = r();
        req.input('name', sql.NVarChar(300), `${t.schema}.${t.name}`);
        const res = await req.query(`SELECT HAS_PERMS_BY_NAME(@name, 'OBJECT', 'SELECT') AS p`);
        const p = (res.recordset[0] as { p: number | null } | undefined)?.p;
        out.push({
          schema: t.schema,
          name: t.name,
          policy: access.tableRefusal(database, t.schema, t.name) ?? null,
          select: p === null || p === undefined ? null : p === 1,
        });
      }
      return out;
    });
    return { ...base, ok: true, tables, truncated: tables.length === MAX_TABLES };
  } catch (err) {
    const e = explainSqlError(err, {
      host: profile.host,
      port: profile.port,
      instance: profile.instance,
      login: loginOf(profile.auth),
      database,
      dbUser: identity.dbUser,
    });
    return {
      ...base,
      ok: false,
      message: [e.message, e.fix ? `Fix: ${e.fix}` : ''].filter(Boolean).join(' '),
    };
  }
}

/** The saved policy beside SQL Server's grants for one person on one connection, as their database user. */
export class LivePermissionsCheck {
  constructor(
    private readonly policy: PolicyStore,
    private readonly connections: ConnectionProfiles,
    private readonly runner: SqlRunner,
  ) {}

  async check(identity: Identity, connectionId: string): Promise<LivePermissions> {
    const access = this.policy.decide(identity);
    const profile = access.capped(await this.connections.resolve(connectionId));
    return livePermissions(this.runner, profile, sqlIdentity(identity, access), access);
  }
}

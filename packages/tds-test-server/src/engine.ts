/**
 * The PostgreSQL (PGlite) side of the TDS test server: one in-process PostgreSQL where each SQL Server
 * database is a family of schemas (`Sales$dbo`, `Sales$INFORMATION_SCHEMA`, `Sales$sys`), logins and users
 * are PostgreSQL roles with real GRANTs, and catalog views speak SQL Server's names.
 *
 * PGlite has one connection, so requests from all TDS connections are serialized; each request re-applies
 * its connection's role and database first, and a connection with an open transaction holds the engine
 * until it commits, rolls back or disconnects.
 */
import { TIME_ZONES } from './time-zones.js';
import { PGlite } from '@electric-sql/pglite';
import { BUILTINS_SQL } from './builtins.js';
import { pgSchema } from './translate.js';
import type { ServerMessage } from './tokens.js';

export interface DatabaseSpec {
  name: string;
  /** PostgreSQL run once at start with `search_path` set to the database's dbo schema. */
  setup?: string;
}

export interface LoginSpec {
  name: string;
  password: string;
  defaultDatabase?: string;
  /** Runs as the PostgreSQL superuser (like `sa`): may impersonate anyone and bypasses GRANTs. */
  superuser?: boolean;
}

export interface Relation {
  pgSchema: string;
  name: string;
  columns: Map<string, string>;
}

export const SYSTEM_DATABASES = ['master', 'tempdb', 'model', 'msdb'];

export class Engine {
  private queue: Promise<void> = Promise.resolve();
  private readonly databases = new Map<string, string>();
  private readonly schemas = new Map<string, Map<string, string>>();
  /** `pgschema.relation` (lower case) to the relation with its columns. */
  private readonly relations = new Map<string, Relation>();
  private readonly names = new Map<string, string>();
  readonly pgVersion: string;

  private constructor(
    readonly pg: PGlite,
    pgVersion: string,
  ) {
    this.pgVersion = pgVersion;
  }

  static async create(databases: DatabaseSpec[], logins: LoginSpec[]): Promise<Engine> {
    const pg = await PGlite.create();
    const version =
      (await pg.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '';
    const engine = new Engine(pg, version);
    // T-SQL compares bit columns with integers (IsActive = 1): let PostgreSQL coerce int to boolean implicitly.
    await pg.exec(
      `UPDATE pg_catalog.pg_cast SET castcontext = 'i' WHERE castsource = 'integer'::regtype AND casttarget = 'boolean'::regtype`,
    );
    await pg.exec(`CREATE SCHEMA "tds$catalog"; CREATE TABLE "tds$catalog".databases (name text PRIMARY KEY, database_id int, create_date timestamp DEFAULT LOCALTIMESTAMP);
      GRANT USAGE ON SCHEMA "tds$catalog" TO PUBLIC; GRANT SELECT ON "tds$catalog".databases TO PUBLIC;`);
    await pg.exec(BUILTINS_SQL);
    for (const login of logins) {
      if (!login.superuser) await pg.exec(`CREATE ROLE ${ident(login.name)}`);
    }
    const all = [
      ...SYSTEM_DATABASES.filter((d) => !databases.some((x) => x.name.toLowerCase() === d)).map((name) => ({
        name,
      })),
      ...databases,
    ];
    for (const db of all) await engine.createDatabase(db);
    await engine.refreshNames();
    return engine;
  }

  private async createDatabase(db: DatabaseSpec): Promise<void> {
    const s = (schema: string) => ident(pgSchema(db.name, schema));
    const id = this.databases.size + 1;
    this.databases.set(db.name.toLowerCase(), db.name);
    await this.pg.exec(`
      INSERT INTO "tds$catalog".databases (name, database_id) VALUES (${literal(db.name)}, ${id});
      CREATE SCHEMA ${s('dbo')}; CREATE SCHEMA ${s('INFORMATION_SCHEMA')}; CREATE SCHEMA ${s('sys')};
      GRANT USAGE ON SCHEMA ${s('dbo')}, ${s('INFORMATION_SCHEMA')}, ${s('sys')} TO PUBLIC;`);
    await this.pg.exec(catalogViews(db.name));
    await this.pg.exec(
      `GRANT SELECT ON ALL TABLES IN SCHEMA ${s('INFORMATION_SCHEMA')}, ${s('sys')} TO PUBLIC`,
    );
    if (db.setup) {
      // ANALYZE fills the row estimates sys.partitions reports.
      await this.pg.exec(
        `SET search_path TO ${searchPath(db.name)}; ${db.setup}; RESET search_path; ANALYZE;`,
      );
    }
  }

  /** Administrative SQL from tests and the demo: serialized with requests, as the superuser. */
  async admin(sql: string): Promise<void> {
    const release = await this.acquire();
    try {
      await this.pg.exec(`RESET ROLE; RESET search_path; ${sql}`);
      await this.refreshNames();
    } finally {
      release();
    }
  }

  /** Serializes access to the single PostgreSQL connection. */
  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const ready = this.queue.then(() => release);
    this.queue = this.queue.then(() => next);
    return ready;
  }

  /** Case-insensitive lookups, as SQL Server's default collation resolves names. */
  async refreshNames(): Promise<void> {
    const rows = (
      await this.pg.query<{ schema: string; rel: string | null; col: string | null }>(`
        SELECT n.nspname AS schema, c.relname AS rel, a.attname AS col
        FROM pg_namespace n
        LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind IN ('r', 'v', 'p', 'm')
        LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE n.nspname LIKE '%$%'`)
    ).rows;
    this.names.clear();
    this.schemas.clear();
    this.relations.clear();
    const remember = (name: string) => {
      if (!this.names.has(name.toLowerCase())) this.names.set(name.toLowerCase(), name);
    };
    for (const r of rows) {
      const [db, schema] = splitSchema(r.schema);
      if (!db || !schema) continue;
      const map = this.schemas.get(db.toLowerCase()) ?? new Map<string, string>();
      map.set(schema.toLowerCase(), schema);
      this.schemas.set(db.toLowerCase(), map);
      if (!r.rel) continue;
      const key = `${r.schema}.${r.rel}`.toLowerCase();
      const rel = this.relations.get(key) ?? {
        pgSchema: r.schema,
        name: r.rel,
        columns: new Map<string, string>(),
      };
      this.relations.set(key, rel);
      remember(r.rel);
      if (r.col) rel.columns.set(r.col.toLowerCase(), r.col);
    }
    // Columns of user tables win over catalog views' columns for statements that name no relation.
    for (const rel of this.relations.values())
      if (!/\$(sys|INFORMATION_SCHEMA)$/.test(rel.pgSchema))
        for (const c of rel.columns.values()) remember(c);
    for (const rel of this.relations.values()) for (const c of rel.columns.values()) remember(c);
  }

  relation(pgSchemaName: string, name: string): Relation | undefined {
    return this.relations.get(`${pgSchemaName}.${name}`.toLowerCase());
  }

  database(name: string): string | undefined {
    return this.databases.get(name.toLowerCase());
  }

  schemaOf(db: string, name: string): string | undefined {
    return this.schemas.get(db.toLowerCase())?.get(name.toLowerCase());
  }

  canonical(name: string): string {
    return this.names.get(name.toLowerCase()) ?? name;
  }

  async roleExists(name: string): Promise<boolean> {
    return (await this.pg.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rows.length > 0;
  }

  async close(): Promise<void> {
    await this.pg.close();
  }
}

function splitSchema(pg: string): [string | undefined, string | undefined] {
  const i = pg.indexOf('$');
  return i === -1 ? [undefined, undefined] : [pg.slice(0, i), pg.slice(i + 1)];
}

/** A request's search path: the database's dbo schema, then the T-SQL built-ins, then PostgreSQL's own. */
export const searchPath = (db: string) => `${ident(pgSchema(db, 'dbo'))}, "tds$catalog", pg_catalog`;

export const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
export const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** INFORMATION_SCHEMA and sys views for one database, in SQL Server's column names and type names. */
function catalogViews(db: string): string {
  const prefix = literal(`${db}$`);
  const userSchema = (col: string) =>
    `starts_with(${col}, ${prefix}) AND ${col} NOT IN (${literal(`${db}$INFORMATION_SCHEMA`)}, ${literal(`${db}$sys`)})`;
  const strip = (col: string) => `substr(${col}, ${db.length + 2})`;
  const is = (v: string) => ident(pgSchema(db, 'INFORMATION_SCHEMA')) + '.' + ident(v);
  const sys = (v: string) => ident(pgSchema(db, 'sys')) + '.' + ident(v);
  const dataType = `CASE c.data_type WHEN 'integer' THEN 'int' WHEN 'boolean' THEN 'bit' WHEN 'numeric' THEN 'decimal'
    WHEN 'text' THEN 'nvarchar' WHEN 'character varying' THEN 'varchar' WHEN 'character' THEN 'nchar'
    WHEN 'timestamp without time zone' THEN CASE WHEN c.datetime_precision = 3 THEN 'datetime' ELSE 'datetime2' END
    WHEN 'timestamp with time zone' THEN 'datetimeoffset' WHEN 'time without time zone' THEN 'time'
    WHEN 'uuid' THEN 'uniqueidentifier' WHEN 'bytea' THEN 'varbinary' WHEN 'double precision' THEN 'float'
    ELSE c.data_type END`;
  return `
    CREATE VIEW ${is('TABLES')} AS
      SELECT ${literal(db)}::text AS "TABLE_CATALOG", ${strip('t.table_schema')}::text AS "TABLE_SCHEMA", t.table_name::text AS "TABLE_NAME",
        (CASE t.table_type WHEN 'VIEW' THEN 'VIEW' ELSE 'BASE TABLE' END)::text AS "TABLE_TYPE"
      FROM information_schema.tables t WHERE ${userSchema('t.table_schema')};
    CREATE VIEW ${is('COLUMNS')} AS
      SELECT ${literal(db)}::text AS "TABLE_CATALOG", ${strip('c.table_schema')}::text AS "TABLE_SCHEMA", c.table_name::text AS "TABLE_NAME",
        c.column_name::text AS "COLUMN_NAME", c.ordinal_position::int AS "ORDINAL_POSITION", c.column_default::text AS "COLUMN_DEFAULT",
        c.is_nullable::text AS "IS_NULLABLE", (${dataType})::text AS "DATA_TYPE",
        (CASE WHEN c.data_type = 'text' OR c.data_type = 'bytea' OR (c.data_type = 'character varying' AND c.character_maximum_length IS NULL) THEN -1
          ELSE c.character_maximum_length END)::int AS "CHARACTER_MAXIMUM_LENGTH",
        c.numeric_precision::int AS "NUMERIC_PRECISION", c.numeric_scale::int AS "NUMERIC_SCALE", c.datetime_precision::int AS "DATETIME_PRECISION"
      FROM information_schema.columns c WHERE ${userSchema('c.table_schema')};
    CREATE VIEW ${is('TABLE_CONSTRAINTS')} AS
      SELECT ${literal(db)}::text AS "CONSTRAINT_CATALOG", ${strip('n.nspname')}::text AS "CONSTRAINT_SCHEMA", c.conname::text AS "CONSTRAINT_NAME",
        ${literal(db)}::text AS "TABLE_CATALOG", ${strip('n.nspname')}::text AS "TABLE_SCHEMA", r.relname::text AS "TABLE_NAME",
        (CASE c.contype WHEN 'p' THEN 'PRIMARY KEY' WHEN 'u' THEN 'UNIQUE' WHEN 'f' THEN 'FOREIGN KEY' ELSE 'CHECK' END)::text AS "CONSTRAINT_TYPE"
      FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
      WHERE c.contype IN ('p', 'u', 'f', 'c') AND ${userSchema('n.nspname')} AND has_table_privilege(r.oid, 'SELECT, INSERT, UPDATE, DELETE');
    CREATE VIEW ${is('KEY_COLUMN_USAGE')} AS
      SELECT ${literal(db)}::text AS "CONSTRAINT_CATALOG", ${strip('n.nspname')}::text AS "CONSTRAINT_SCHEMA", c.conname::text AS "CONSTRAINT_NAME",
        ${literal(db)}::text AS "TABLE_CATALOG", ${strip('n.nspname')}::text AS "TABLE_SCHEMA", r.relname::text AS "TABLE_NAME",
        a.attname::text AS "COLUMN_NAME", k.ord::int AS "ORDINAL_POSITION"
      FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace,
        unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) JOIN pg_attribute a ON a.attnum = k.attnum
      WHERE a.attrelid = c.conrelid AND c.contype IN ('p', 'u', 'f') AND ${userSchema('n.nspname')} AND has_table_privilege(r.oid, 'SELECT, INSERT, UPDATE, DELETE');
    CREATE VIEW ${sys('databases')} AS
      SELECT name, database_id, create_date, 160 AS compatibility_level, 'SQL_Latin1_General_CP1_CI_AS'::text AS collation_name,
        0 AS state, 'ONLINE'::text AS state_desc, false AS is_read_only, 1 AS recovery_model, 'FULL'::text AS recovery_model_desc,
        0 AS user_access, 'MULTI_USER'::text AS user_access_desc, false AS is_read_committed_snapshot_on FROM "tds$catalog".databases;
    CREATE VIEW ${sys('schemas')} AS
      SELECT ${strip('n.nspname')}::text AS name, n.oid::int AS schema_id FROM pg_namespace n WHERE ${userSchema('n.nspname')};
    CREATE VIEW ${sys('objects')} AS
      SELECT c.relname::text AS name, c.oid::int AS object_id, n.oid::int AS schema_id,
        (CASE c.relkind WHEN 'v' THEN 'V' ELSE 'U' END)::text AS type, (CASE c.relkind WHEN 'v' THEN 'VIEW' ELSE 'USER_TABLE' END)::text AS type_desc, false AS is_ms_shipped,
        (SELECT d.create_date FROM "tds$catalog".databases d WHERE d.name = ${literal(db)}) AS create_date,
        (SELECT d.create_date FROM "tds$catalog".databases d WHERE d.name = ${literal(db)}) AS modify_date
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'v', 'p') AND ${userSchema('n.nspname')};
    CREATE VIEW ${sys('parameters')} AS
      SELECT p.oid::int AS object_id, ('@' || a.name)::text AS name, a.ord::int AS parameter_id,
        "tds$catalog".tsql_type_id(a.typ, -1) AS system_type_id, "tds$catalog".tsql_type_id(a.typ, -1) AS user_type_id,
        (CASE WHEN a.typ = 'text'::regtype THEN -1 WHEN a.typ IN ('varchar'::regtype, 'bpchar'::regtype) THEN 8000 ELSE (SELECT t.typlen FROM pg_type t WHERE t.oid = a.typ) END)::int AS max_length,
        0 AS precision, 0 AS scale, false AS is_output, false AS has_default_value, false AS is_nullable
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace,
        unnest(p.proargnames[1:p.pronargs], p.proargtypes::oid[]) WITH ORDINALITY AS a(name, typ, ord)
      WHERE p.prokind = 'f' AND ${userSchema('n.nspname')};
    CREATE VIEW ${sys('tables')} AS SELECT * FROM ${sys('objects')} WHERE type = 'U';
    CREATE VIEW ${sys('views')} AS SELECT * FROM ${sys('objects')} WHERE type = 'V';
    CREATE VIEW ${is('REFERENTIAL_CONSTRAINTS')} AS
      SELECT ${literal(db)}::text AS "CONSTRAINT_CATALOG", ${strip('r.constraint_schema')}::text AS "CONSTRAINT_SCHEMA", r.constraint_name::text AS "CONSTRAINT_NAME",
        ${literal(db)}::text AS "UNIQUE_CONSTRAINT_CATALOG", ${strip('r.unique_constraint_schema')}::text AS "UNIQUE_CONSTRAINT_SCHEMA",
        r.unique_constraint_name::text AS "UNIQUE_CONSTRAINT_NAME", 'SIMPLE'::text AS "MATCH_OPTION", r.update_rule::text AS "UPDATE_RULE", r.delete_rule::text AS "DELETE_RULE"
      FROM information_schema.referential_constraints r WHERE ${userSchema('r.constraint_schema')};
    CREATE VIEW ${sys('columns')} AS
      SELECT a.attrelid::int AS object_id, a.attname::text AS name, a.attnum::int AS column_id, format_type(a.atttypid, a.atttypmod)::text AS type_name,
        "tds$catalog".tsql_type_id(a.atttypid, CASE WHEN a.atttypid = 'timestamp'::regtype THEN a.atttypmod ELSE -1 END) AS system_type_id,
        "tds$catalog".tsql_type_id(a.atttypid, CASE WHEN a.atttypid = 'timestamp'::regtype THEN a.atttypmod ELSE -1 END) AS user_type_id,
        (CASE WHEN a.attlen > 0 THEN a.attlen WHEN a.atttypid = 'varchar'::regtype AND a.atttypmod > 4 THEN a.atttypmod - 4 ELSE -1 END)::int AS max_length,
        (CASE WHEN a.atttypid = 'numeric'::regtype AND a.atttypmod > 4 THEN ((a.atttypmod - 4) >> 16) ELSE 0 END)::int AS precision,
        (CASE WHEN a.atttypid = 'numeric'::regtype AND a.atttypmod > 4 THEN ((a.atttypmod - 4) & 65535) ELSE 0 END)::int AS scale,
        NOT a.attnotnull AS is_nullable, (a.attidentity <> '')::boolean AS is_identity
      FROM pg_attribute a JOIN ${sys('objects')} o ON o.object_id = a.attrelid::int WHERE a.attnum > 0 AND NOT a.attisdropped;
    CREATE VIEW ${sys('types')} AS SELECT * FROM "tds$catalog".types;
    CREATE VIEW ${sys('sql_modules')} AS
      SELECT o.object_id, "tds$catalog".object_definition(o.object_id) AS definition FROM ${sys('objects')} o WHERE o.type = 'V';
    -- MS_Description comes from PostgreSQL's COMMENT ON TABLE/VIEW/COLUMN (minor_id 0 is the object itself).
    CREATE VIEW ${sys('extended_properties')} AS
      SELECT 1 AS class, 'OBJECT_OR_COLUMN'::text AS class_desc, d.objoid::int AS major_id, d.objsubid::int AS minor_id,
        'MS_Description'::text AS name, d.description::text AS value
      FROM pg_description d JOIN ${sys('objects')} o ON o.object_id = d.objoid::int
      WHERE d.classoid = 'pg_class'::regclass;
    CREATE VIEW ${is('VIEWS')} AS
      SELECT ${literal(db)}::text AS "TABLE_CATALOG", ${strip('v.table_schema')}::text AS "TABLE_SCHEMA", v.table_name::text AS "TABLE_NAME",
        v.view_definition::text AS "VIEW_DEFINITION"
      FROM information_schema.views v WHERE ${userSchema('v.table_schema')};
    CREATE VIEW ${sys('indexes')} AS
      SELECT i.indrelid::int AS object_id, c.relname::text AS name, i.indexrelid::int AS index_id,
        (CASE WHEN i.indisprimary THEN 1 ELSE 2 END) AS type,
        (CASE WHEN i.indisprimary THEN 'CLUSTERED' ELSE 'NONCLUSTERED' END)::text AS type_desc, i.indisunique AS is_unique, i.indisprimary AS is_primary_key,
        (i.indisunique AND NOT i.indisprimary AND EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype = 'u')) AS is_unique_constraint,
        0 AS fill_factor, false AS is_padded, false AS is_disabled, false AS is_hypothetical, false AS ignore_dup_key,
        true AS allow_row_locks, true AS allow_page_locks, (i.indpred IS NOT NULL) AS has_filter, 1 AS data_space_id
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN ${sys('objects')} o ON o.object_id = i.indrelid::int;
    CREATE VIEW ${sys('index_columns')} AS
      SELECT i.indrelid::int AS object_id, i.indexrelid::int AS index_id, k.ord::int AS index_column_id, k.attnum::int AS column_id,
        (CASE WHEN k.ord <= i.indnkeyatts THEN k.ord ELSE 0 END)::int AS key_ordinal, 0 AS partition_ordinal,
        false AS is_descending_key, (k.ord > i.indnkeyatts) AS is_included_column
      FROM pg_index i JOIN ${sys('objects')} o ON o.object_id = i.indrelid::int, unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord);
    CREATE VIEW ${sys('foreign_keys')} AS
      SELECT c.conname::text AS name, c.oid::int AS object_id, c.conrelid::int AS parent_object_id, c.confrelid::int AS referenced_object_id,
        (CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET_NULL' WHEN 'd' THEN 'SET_DEFAULT' ELSE 'NO_ACTION' END)::text AS delete_referential_action_desc
      FROM pg_constraint c JOIN ${sys('objects')} o ON o.object_id = c.conrelid::int WHERE c.contype = 'f';
    CREATE VIEW ${sys('foreign_key_columns')} AS
      SELECT c.oid::int AS constraint_object_id, k.ord::int AS constraint_column_id, c.conrelid::int AS parent_object_id, k.col::int AS parent_column_id,
        c.confrelid::int AS referenced_object_id, c.confkey[k.ord]::int AS referenced_column_id
      FROM pg_constraint c JOIN ${sys('objects')} o ON o.object_id = c.conrelid::int, unnest(c.conkey) WITH ORDINALITY AS k(col, ord) WHERE c.contype = 'f';
    CREATE VIEW ${sys('partitions')} AS
      SELECT c.oid::int AS object_id, (CASE WHEN EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) THEN 1 ELSE 0 END) AS index_id,
        greatest(c.reltuples, 0)::bigint AS rows
      FROM pg_class c JOIN ${sys('objects')} o ON o.object_id = c.oid::int WHERE c.relkind IN ('r', 'p');
    CREATE VIEW ${sys('dm_db_partition_stats')} AS
      SELECT p.object_id, p.index_id, p.rows AS row_count, 1 AS partition_number,
        (pg_relation_size(p.object_id::oid) / 8192)::bigint AS in_row_data_page_count,
        (pg_relation_size(p.object_id::oid) / 8192)::bigint AS used_page_count,
        (pg_total_relation_size(p.object_id::oid) / 8192)::bigint AS reserved_page_count
      FROM ${sys('partitions')} p;
    -- The time zones SQL Server lists (Windows names), with their offsets now from PostgreSQL's IANA data.
    CREATE VIEW ${sys('time_zone_info')} AS
      SELECT z.name, to_char(now() AT TIME ZONE z.iana - now() AT TIME ZONE 'UTC', 'FMHH24:MI')::text AS current_utc_offset,
        (SELECT t.is_dst FROM pg_timezone_names t WHERE t.name = z.iana) AS is_currently_dst
      FROM (VALUES ${TIME_ZONE_ROWS}) AS z(name, iana);
  `;
}

/** sys.time_zone_info's rows: Windows zone names and the IANA zones PostgreSQL computes their offsets from. */
const TIME_ZONE_ROWS = TIME_ZONES.map(([name, iana]) => `('${name}', '${iana}')`).join(', ');

// ---------------------------------------------------------------- errors

const RESERVED = new Set(
  'SELECT FROM WHERE GROUP ORDER BY HAVING AND OR NOT JOIN ON AS INSERT UPDATE DELETE SET VALUES INTO UNION TOP TABLE WITH CASE WHEN THEN ELSE END'.split(
    ' ',
  ),
);

/** PostgreSQL error codes to SQL Server error numbers, messages in SQL Server's words. */
export function mapPgError(
  err: { code?: string; message?: string; table?: string; column?: string; constraint?: string },
  ctx: { verb: string; database: string },
): ServerMessage {
  // Internal schema names (`Sales$dbo.`) never reach the client.
  const msg = (err.message ?? 'error').replace(/[^"\s.]+\$[^"\s.]+\./g, '');
  const quoted = /"([^"]+)"/.exec(msg)?.[1];
  switch (err.code) {
    case '42501': {
      const object =
        /permission denied for (?:table|view|relation|sequence) (.+)$/.exec(msg)?.[1] ??
        /permission denied for schema (.+)$/.exec(msg)?.[1] ??
        'object';
      const [, schema = 'dbo'] = object.includes('$') ? object.split('$') : [];
      const verb = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'].includes(ctx.verb) ? ctx.verb : 'SELECT';
      return {
        number: 229,
        state: 5,
        class: 14,
        message: `The ${verb} permission was denied on the object '${object.includes('$') ? schema : object}', database '${ctx.database}', schema 'dbo'.`,
      };
    }
    case '42P01':
      return { number: 208, state: 1, class: 16, message: `Invalid object name '${quoted ?? '?'}'.` };
    case '42703':
      return { number: 207, state: 1, class: 16, message: `Invalid column name '${quoted ?? '?'}'.` };
    case '42601': {
      const near = /at or near "([^"]*)"/.exec(msg)?.[1] ?? '';
      // SQL Server says 156 when the offending token is a keyword, 102 otherwise.
      if (RESERVED.has(near.toUpperCase()))
        return { number: 156, state: 1, class: 15, message: `Incorrect syntax near the keyword '${near}'.` };
      return { number: 102, state: 1, class: 15, message: `Incorrect syntax near '${near}'.` };
    }
    case '42883':
      if (/operator does not exist/.test(msg))
        return {
          number: 402,
          state: 1,
          class: 16,
          message: `The data types in the comparison are incompatible (${msg}).`,
        };
      return {
        number: 195,
        state: 10,
        class: 15,
        message: `'${/function (\w+)/.exec(msg)?.[1] ?? '?'}' is not a recognized built-in function name.`,
      };
    case '23505':
      return {
        number: 2627,
        state: 1,
        class: 14,
        message: `Violation of PRIMARY KEY or UNIQUE KEY constraint '${err.constraint ?? '?'}'. Cannot insert duplicate key. (${err.message})`,
      };
    case '23503':
      return {
        number: 547,
        state: 0,
        class: 16,
        message: `The statement conflicted with the FOREIGN KEY constraint "${err.constraint ?? '?'}". (${msg})`,
      };
    case '23502':
      return {
        number: 515,
        state: 2,
        class: 16,
        message: `Cannot insert the value NULL into column '${err.column ?? '?'}'; column does not allow nulls.`,
      };
    case '22012':
      return { number: 8134, state: 1, class: 16, message: 'Divide by zero error encountered.' };
    case '22P02':
    case '22007':
    case '22008':
      return { number: 245, state: 1, class: 16, message: `Conversion failed: ${msg}` };
    case '22003':
      return { number: 8115, state: 2, class: 16, message: `Arithmetic overflow error: ${msg}` };
    case '25P02':
      return {
        number: 3930,
        state: 1,
        class: 16,
        message:
          'The current transaction cannot be committed and cannot support operations that write to the log file. Roll back the transaction.',
      };
    default:
      return { number: 50000, state: 1, class: 16, message: `${msg} (PostgreSQL ${err.code ?? 'error'})` };
  }
}

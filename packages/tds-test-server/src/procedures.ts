/**
 * The read-only catalog procedures (sp_help, sp_columns, ...) as PostgreSQL queries over a database's
 * INFORMATION_SCHEMA and sys views, with SQL Server's result-set shapes (column names and order; fewer
 * result sets for sp_help, see the server.ts header). One query per result set.
 */
import { ident, literal } from './engine.js';
import { pgSchema, TranslateError } from './translate.js';

export type ProcArgs = Map<string, string | null>;

const PARAMS: Record<string, string[]> = {
  sp_help: ['@objname'],
  sp_helptext: ['@objname'],
  sp_columns: ['@table_name', '@table_owner', '@table_qualifier', '@column_name'],
  sp_tables: ['@table_name', '@table_owner', '@table_qualifier', '@table_type'],
  sp_pkeys: ['@table_name', '@table_owner', '@table_qualifier'],
  sp_fkeys: ['@pktable_name', '@pktable_owner', '@pktable_qualifier', '@fktable_name', '@fktable_owner'],
  sp_helpindex: ['@objname'],
  sp_spaceused: ['@objname'],
  sp_describe_first_result_set: ['@tsql', '@params', '@browse_information_mode'],
};

/** `sys.sp_help`, `dbo.SP_HELP`, `sp_help`: the procedure's own name. */
export const procedureName = (name: string) => name.toLowerCase().replace(/^(sys|dbo)\./, '');
export const isCatalogProcedure = (name: string) => procedureName(name) in PARAMS;

/** Positional and named arguments to one map keyed by parameter name. */
export function bindArgs(proc: string, args: Array<{ name?: string; value: string | null }>): ProcArgs {
  const names = PARAMS[proc]!;
  const bound: ProcArgs = new Map();
  args.forEach((a, i) => {
    const name = a.name ?? names[i];
    if (!name || !names.includes(name))
      throw new TranslateError(`${proc} has no parameter ${a.name ?? `number ${i + 1}`}.`, 8145);
    bound.set(name, a.value);
  });
  return bound;
}

/** `dbo.Orders`, `[dbo].[Orders]`, `Orders`: schema (default dbo) and name. */
function objectName(text: string | null | undefined): { schema: string; name: string } | undefined {
  if (!text) return undefined;
  const parts = text.split('.').map((p) => p.replace(/^\[(.*)\]$/, '$1').replace(/^"(.*)"$/, '$1'));
  const name = parts[parts.length - 1]!;
  const schema = parts.length >= 2 ? parts[parts.length - 2]! || 'dbo' : 'dbo';
  return { schema, name };
}

/** A LIKE pattern argument (sp_tables / sp_columns accept wildcards) as a case-insensitive SQL condition. */
const like = (col: string, v: string | null | undefined) => (v ? ` AND ${col} ILIKE ${literal(v)}` : '');

export function catalogQueries(procName: string, args: ProcArgs, db: string): string[] {
  const proc = procedureName(procName);
  const is = (v: string) => `${ident(pgSchema(db, 'INFORMATION_SCHEMA'))}.${ident(v)}`;
  const sys = (v: string) => `${ident(pgSchema(db, 'sys'))}.${ident(v)}`;
  const dbl = literal(db);
  const obj = objectName(args.get('@objname') ?? args.get('@table_name') ?? args.get('@pktable_name'));
  const objWhere = (schemaCol: string, nameCol: string) =>
    obj
      ? ` AND lower(${schemaCol}) = lower(${literal(obj.schema)}) AND lower(${nameCol}) = lower(${literal(obj.name)})`
      : '';
  const mustExist = () => {
    if (!obj)
      throw new TranslateError(
        `Procedure or function '${proc}' expects parameter '@objname', which was not supplied.`,
        201,
      );
  };
  switch (proc) {
    case 'sp_help':
      if (!obj)
        return [
          `SELECT o.name AS "Name", s.name AS "Owner", CASE o.type WHEN 'V' THEN 'view' ELSE 'user table' END AS "Object_type" FROM ${sys('objects')} o JOIN ${sys('schemas')} s ON s.schema_id = o.schema_id ORDER BY o.name`,
        ];
      return [
        `SELECT t."TABLE_NAME" AS "Name", t."TABLE_SCHEMA" AS "Owner", CASE t."TABLE_TYPE" WHEN 'VIEW' THEN 'view' ELSE 'user table' END AS "Type", LOCALTIMESTAMP(3) AS "Created_datetime" FROM ${is('TABLES')} t WHERE true${objWhere('t."TABLE_SCHEMA"', 't."TABLE_NAME"')}`,
        `SELECT c."COLUMN_NAME" AS "Column_name", c."DATA_TYPE" AS "Type", 'no' AS "Computed", coalesce(c."CHARACTER_MAXIMUM_LENGTH", c."NUMERIC_PRECISION", 0) AS "Length", c."NUMERIC_PRECISION"::text AS "Prec", c."NUMERIC_SCALE"::text AS "Scale", CASE c."IS_NULLABLE" WHEN 'YES' THEN 'yes' ELSE 'no' END AS "Nullable" FROM ${is('COLUMNS')} c WHERE true${objWhere('c."TABLE_SCHEMA"', 'c."TABLE_NAME"')} ORDER BY c."ORDINAL_POSITION"`,
        ...indexQuery(),
        `SELECT tc."CONSTRAINT_TYPE" AS constraint_type, tc."CONSTRAINT_NAME" AS constraint_name, string_agg(k."COLUMN_NAME", ', ' ORDER BY k."ORDINAL_POSITION") AS constraint_keys FROM ${is('TABLE_CONSTRAINTS')} tc LEFT JOIN ${is('KEY_COLUMN_USAGE')} k ON k."CONSTRAINT_NAME" = tc."CONSTRAINT_NAME" WHERE true${objWhere('tc."TABLE_SCHEMA"', 'tc."TABLE_NAME"')} GROUP BY tc."CONSTRAINT_TYPE", tc."CONSTRAINT_NAME" ORDER BY 2`,
      ];
    case 'sp_columns':
      return [
        `SELECT ${dbl}::text AS "TABLE_QUALIFIER", c."TABLE_SCHEMA" AS "TABLE_OWNER", c."TABLE_NAME", c."COLUMN_NAME", t.system_type_id::smallint AS "DATA_TYPE", c."DATA_TYPE" AS "TYPE_NAME", coalesce(c."NUMERIC_PRECISION", c."CHARACTER_MAXIMUM_LENGTH") AS "PRECISION", coalesce(c."CHARACTER_MAXIMUM_LENGTH", t.max_length) AS "LENGTH", c."NUMERIC_SCALE"::smallint AS "SCALE", (CASE WHEN c."NUMERIC_PRECISION" IS NOT NULL THEN 10 END)::smallint AS "RADIX", (CASE c."IS_NULLABLE" WHEN 'YES' THEN 1 ELSE 0 END)::smallint AS "NULLABLE", NULL::text AS "REMARKS", c."COLUMN_DEFAULT" AS "COLUMN_DEF", c."ORDINAL_POSITION" AS "ORDINAL_POSITION", c."IS_NULLABLE" AS "IS_NULLABLE" FROM ${is('COLUMNS')} c LEFT JOIN "tds$catalog".types t ON t.name = c."DATA_TYPE" WHERE true${like('c."TABLE_NAME"', args.get('@table_name'))}${like('c."TABLE_SCHEMA"', args.get('@table_owner'))}${like('c."COLUMN_NAME"', args.get('@column_name'))} ORDER BY c."TABLE_SCHEMA", c."TABLE_NAME", c."ORDINAL_POSITION"`,
      ];
    case 'sp_tables': {
      const types = (args.get('@table_type') ?? '')
        .split(',')
        .map((x) =>
          x
            .trim()
            .replace(/^'(.*)'$/, '$1')
            .toUpperCase(),
        )
        .filter(Boolean);
      const typeWhere = types.length
        ? ` AND (CASE t."TABLE_TYPE" WHEN 'BASE TABLE' THEN 'TABLE' ELSE t."TABLE_TYPE" END) IN (${types.map(literal).join(', ')})`
        : '';
      return [
        `SELECT ${dbl}::text AS "TABLE_QUALIFIER", t."TABLE_SCHEMA" AS "TABLE_OWNER", t."TABLE_NAME", CASE t."TABLE_TYPE" WHEN 'BASE TABLE' THEN 'TABLE' ELSE t."TABLE_TYPE" END AS "TABLE_TYPE", NULL::text AS "REMARKS" FROM ${is('TABLES')} t WHERE true${like('t."TABLE_NAME"', args.get('@table_name'))}${like('t."TABLE_SCHEMA"', args.get('@table_owner'))}${typeWhere} ORDER BY 4, 2, 3`,
      ];
    }
    case 'sp_pkeys':
      mustExist();
      return [
        `SELECT ${dbl}::text AS "TABLE_QUALIFIER", k."TABLE_SCHEMA" AS "TABLE_OWNER", k."TABLE_NAME", k."COLUMN_NAME", k."ORDINAL_POSITION"::smallint AS "KEY_SEQ", k."CONSTRAINT_NAME" AS "PK_NAME" FROM ${is('KEY_COLUMN_USAGE')} k JOIN ${is('TABLE_CONSTRAINTS')} tc ON tc."CONSTRAINT_NAME" = k."CONSTRAINT_NAME" AND tc."CONSTRAINT_TYPE" = 'PRIMARY KEY' WHERE true${objWhere('k."TABLE_SCHEMA"', 'k."TABLE_NAME"')} ORDER BY 5`,
      ];
    case 'sp_fkeys': {
      const pk = objectName(args.get('@pktable_name'));
      const fk = objectName(args.get('@fktable_name'));
      if (!pk && !fk) throw new TranslateError('sp_fkeys needs @pktable_name or @fktable_name.', 201);
      return [
        `SELECT ${dbl}::text AS "PKTABLE_QUALIFIER", split_part(pn.nspname, '$', 2) AS "PKTABLE_OWNER", pc.relname::text AS "PKTABLE_NAME", pa.attname::text AS "PKCOLUMN_NAME", ${dbl}::text AS "FKTABLE_QUALIFIER", split_part(fn.nspname, '$', 2) AS "FKTABLE_OWNER", fc.relname::text AS "FKTABLE_NAME", fa.attname::text AS "FKCOLUMN_NAME", k.ord::smallint AS "KEY_SEQ", 1::smallint AS "UPDATE_RULE", 1::smallint AS "DELETE_RULE", con.conname::text AS "FK_NAME", NULL::text AS "PK_NAME"
          FROM pg_constraint con JOIN pg_class fc ON fc.oid = con.conrelid JOIN pg_namespace fn ON fn.oid = fc.relnamespace
          JOIN pg_class pc ON pc.oid = con.confrelid JOIN pg_namespace pn ON pn.oid = pc.relnamespace,
          unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(fcol, pcol, ord)
          JOIN pg_attribute fa ON fa.attnum = k.fcol JOIN pg_attribute pa ON pa.attnum = k.pcol
          WHERE con.contype = 'f' AND fa.attrelid = con.conrelid AND pa.attrelid = con.confrelid AND starts_with(fn.nspname, ${literal(`${db}$`)})
          ${pk ? ` AND lower(pc.relname) = lower(${literal(pk.name)})` : ''}${fk ? ` AND lower(fc.relname) = lower(${literal(fk.name)})` : ''}
          ORDER BY 7, 9`,
      ];
    }
    case 'sp_helpindex':
      mustExist();
      return indexQuery();
    case 'sp_spaceused':
      mustExist();
      return [
        `SELECT c.relname::text AS name, greatest(c.reltuples, 0)::bigint::text AS rows, (pg_total_relation_size(c.oid) / 1024)::text || ' KB' AS reserved, (pg_relation_size(c.oid) / 1024)::text || ' KB' AS data, (pg_indexes_size(c.oid) / 1024)::text || ' KB' AS index_size, '0 KB' AS unused FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE lower(n.nspname) = lower(${literal(pgSchema(db, obj!.schema))}) AND lower(c.relname) = lower(${literal(obj!.name)})`,
      ];
    case 'sp_helptext':
      mustExist();
      return [
        `SELECT line AS "Text" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, unnest(string_to_array('CREATE VIEW ' || c.relname || ' AS' || pg_get_viewdef(c.oid), E'\\n')) AS line WHERE c.relkind = 'v' AND lower(n.nspname) = lower(${literal(pgSchema(db, obj!.schema))}) AND lower(c.relname) = lower(${literal(obj!.name)})`,
      ];
    default:
      throw new TranslateError(`Could not find stored procedure '${procName}'.`, 2812);
  }
  function indexQuery(): string[] {
    return [
      `SELECT i.name AS index_name, lower(i.type_desc) || CASE WHEN i.is_unique THEN ', unique' ELSE '' END || CASE WHEN i.is_primary_key THEN ', primary key' ELSE '' END AS index_description, string_agg(c.name, ', ' ORDER BY ic.key_ordinal) AS index_keys FROM ${sys('indexes')} i JOIN ${sys('index_columns')} ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id JOIN ${sys('columns')} c ON c.object_id = ic.object_id AND c.column_id = ic.column_id JOIN ${sys('objects')} o ON o.object_id = i.object_id JOIN ${sys('schemas')} s ON s.schema_id = o.schema_id WHERE true${objWhere('s.name', 'o.name')} GROUP BY i.name, i.type_desc, i.is_unique, i.is_primary_key ORDER BY 1`,
    ];
  }
}

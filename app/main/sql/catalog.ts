import sql from 'mssql';
import { bracket, streamRows, type QueryResult, type SessionRequest, type StreamOptions } from './runner.js';

/** Schema discovery through INFORMATION_SCHEMA and sys views (what SQL Server and the test server both answer). */

export async function listDatabases(
  request: SessionRequest,
): Promise<Array<{ name: string; state: string }>> {
  const r = await request().query('SELECT name, state_desc FROM sys.databases ORDER BY name');
  return r.recordset.map((x: { name: string; state_desc: string }) => ({
    name: x.name,
    state: x.state_desc,
  }));
}

export async function listTables(request: SessionRequest, database: string, schema?: string) {
  const db = bracket(database);
  const req = request();
  if (schema) req.input('schema', sql.NVarChar(128), schema);
  const r = await req.query(`
    SELECT s.name AS schema_name, o.name AS name, o.type AS type, p.rows AS row_estimate,
      CAST(ep.value AS nvarchar(4000)) AS description
    FROM ${db}.sys.objects o
    JOIN ${db}.sys.schemas s ON s.schema_id = o.schema_id
    LEFT JOIN ${db}.sys.partitions p ON p.object_id = o.object_id AND p.index_id IN (0, 1)
    LEFT JOIN ${db}.sys.extended_properties ep ON ep.class = 1 AND ep.name = 'MS_Description'
      AND ep.major_id = o.object_id AND ep.minor_id = 0
    WHERE o.type IN ('U', 'V') AND o.is_ms_shipped = 0 ${schema ? 'AND s.name = @schema' : ''}
    ORDER BY s.name, o.name`);
  return r.recordset.map(
    (x: {
      schema_name: string;
      name: string;
      type: string;
      row_estimate: string | number | null;
      description: string | null;
    }) => ({
      schema: x.schema_name,
      name: x.name,
      kind: x.type.trim() === 'V' ? ('view' as const) : ('table' as const),
      rowEstimate: x.row_estimate === null ? null : Number(x.row_estimate),
      ...(x.description ? { description: x.description } : {}),
    }),
  );
}

export interface CatalogColumn {
  schema: string;
  table: string;
  column: string;
  type: string;
  nullable: boolean;
  description?: string;
}

/** Every column of the database's tables and views, in order, with its MS_Description where one is set. */
export async function listColumns(request: SessionRequest, database: string): Promise<CatalogColumn[]> {
  const db = bracket(database);
  const r = await request().query(`
    SELECT s.name AS schema_name, o.name AS table_name, c.name AS column_name, TYPE_NAME(c.user_type_id) AS type_name,
      c.is_nullable, CAST(ep.value AS nvarchar(4000)) AS description
    FROM ${db}.sys.columns c
    JOIN ${db}.sys.objects o ON o.object_id = c.object_id
    JOIN ${db}.sys.schemas s ON s.schema_id = o.schema_id
    LEFT JOIN ${db}.sys.extended_properties ep ON ep.class = 1 AND ep.name = 'MS_Description'
      AND ep.major_id = c.object_id AND ep.minor_id = c.column_id
    WHERE o.type IN ('U', 'V') AND o.is_ms_shipped = 0
    ORDER BY s.name, o.name, c.column_id`);
  return (
    r.recordset as Array<{
      schema_name: string;
      table_name: string;
      column_name: string;
      type_name: string;
      is_nullable: boolean;
      description: string | null;
    }>
  ).map((x) => ({
    schema: x.schema_name,
    table: x.table_name,
    column: x.column_name,
    type: x.type_name,
    nullable: !!x.is_nullable,
    ...(x.description ? { description: x.description } : {}),
  }));
}

export async function describeTable(
  request: SessionRequest,
  database: string,
  schema: string,
  table: string,
) {
  const db = bracket(database);
  const params = (req: sql.Request) =>
    req.input('schema', sql.NVarChar(128), schema).input('table', sql.NVarChar(128), table);
  const columns = await params(request()).query(`
    SELECT COLUMN_NAME, DATA_TYPE, IS_NULLABLE, COLUMN_DEFAULT, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE
    FROM ${db}.INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = @schema AND TABLE_NAME = @table ORDER BY ORDINAL_POSITION`);
  if (!columns.recordset.length) return undefined;
  const pk = await params(request()).query(`
    SELECT k.COLUMN_NAME FROM ${db}.INFORMATION_SCHEMA.TABLE_CONSTRAINTS tc
    JOIN ${db}.INFORMATION_SCHEMA.KEY_COLUMN_USAGE k ON k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME AND k.TABLE_SCHEMA = tc.TABLE_SCHEMA AND k.TABLE_NAME = tc.TABLE_NAME
    WHERE tc.CONSTRAINT_TYPE = 'PRIMARY KEY' AND tc.TABLE_SCHEMA = @schema AND tc.TABLE_NAME = @table ORDER BY k.ORDINAL_POSITION`);
  const fkSql = (side: 'parent' | 'referenced') => `
    SELECT fk.name AS fk_name, ps.name AS from_schema, po.name AS from_table, pc.name AS from_column,
      rs.name AS to_schema, ro.name AS to_table, rc.name AS to_column
    FROM ${db}.sys.foreign_keys fk
    JOIN ${db}.sys.foreign_key_columns fkc ON fkc.constraint_object_id = fk.object_id
    JOIN ${db}.sys.objects po ON po.object_id = fk.parent_object_id JOIN ${db}.sys.schemas ps ON ps.schema_id = po.schema_id
    JOIN ${db}.sys.objects ro ON ro.object_id = fk.referenced_object_id JOIN ${db}.sys.schemas rs ON rs.schema_id = ro.schema_id
    JOIN ${db}.sys.columns pc ON pc.object_id = fkc.parent_object_id AND pc.column_id = fkc.parent_column_id
    JOIN ${db}.sys.columns rc ON rc.object_id = fkc.referenced_object_id AND rc.column_id = fkc.referenced_column_id
    WHERE ${side === 'parent' ? 'ps.name = @schema AND po.name = @table' : 'rs.name = @schema AND ro.name = @table'}
    ORDER BY fk.name, fkc.constraint_column_id`;
  const outgoing = await params(request()).query(fkSql('parent'));
  const incoming = await params(request()).query(fkSql('referenced'));
  // MS_Description of the table (minor_id 0) and of its columns, as SQL Server Management Studio sets them.
  const descriptions = await params(request()).query(`
    SELECT ep.minor_id, c.name AS column_name, CAST(ep.value AS nvarchar(4000)) AS description
    FROM ${db}.sys.extended_properties ep
    JOIN ${db}.sys.objects o ON o.object_id = ep.major_id JOIN ${db}.sys.schemas s ON s.schema_id = o.schema_id
    LEFT JOIN ${db}.sys.columns c ON c.object_id = ep.major_id AND c.column_id = ep.minor_id
    WHERE ep.class = 1 AND ep.name = 'MS_Description' AND s.name = @schema AND o.name = @table`);
  const described = new Map<string, string>();
  let tableDescription: string | undefined;
  for (const r of descriptions.recordset as Array<{
    minor_id: number;
    column_name: string | null;
    description: string | null;
  }>) {
    if (!r.description) continue;
    if (r.minor_id === 0) tableDescription = r.description;
    else if (r.column_name) described.set(r.column_name, r.description);
  }
  const idx = await params(request()).query(`
    SELECT i.name AS index_name, i.is_unique, i.is_primary_key, c.name AS column_name
    FROM ${db}.sys.indexes i
    JOIN ${db}.sys.objects o ON o.object_id = i.object_id JOIN ${db}.sys.schemas s ON s.schema_id = o.schema_id
    JOIN ${db}.sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id
    JOIN ${db}.sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
    WHERE s.name = @schema AND o.name = @table AND i.name IS NOT NULL ORDER BY i.name, ic.key_ordinal`);
  type FkRow = {
    fk_name: string;
    from_schema: string;
    from_table: string;
    from_column: string;
    to_schema: string;
    to_table: string;
    to_column: string;
  };
  const groupFks = (rows: FkRow[]) => {
    const map = new Map<
      string,
      { name: string; from: string; to: string; columns: Array<{ from: string; to: string }> }
    >();
    for (const r of rows) {
      const fk = map.get(r.fk_name) ?? {
        name: r.fk_name,
        from: `${r.from_schema}.${r.from_table}`,
        to: `${r.to_schema}.${r.to_table}`,
        columns: [],
      };
      fk.columns.push({ from: r.from_column, to: r.to_column });
      map.set(r.fk_name, fk);
    }
    return [...map.values()];
  };
  const indexes = new Map<
    string,
    { name: string; unique: boolean; primaryKey: boolean; columns: string[] }
  >();
  for (const r of idx.recordset as Array<{
    index_name: string;
    is_unique: boolean;
    is_primary_key: boolean;
    column_name: string;
  }>) {
    const i = indexes.get(r.index_name) ?? {
      name: r.index_name,
      unique: !!r.is_unique,
      primaryKey: !!r.is_primary_key,
      columns: [],
    };
    i.columns.push(r.column_name);
    indexes.set(r.index_name, i);
  }
  return {
    database,
    schema,
    table,
    ...(tableDescription ? { description: tableDescription } : {}),
    columns: columns.recordset.map((c: Record<string, unknown>) => {
      const description = described.get(c.COLUMN_NAME as string);
      return {
        name: c.COLUMN_NAME as string,
        type: typeName(c),
        nullable: c.IS_NULLABLE === 'YES',
        default: (c.COLUMN_DEFAULT as string | null) ?? null,
        ...(description ? { description } : {}),
      };
    }),
    primaryKey: pk.recordset.map((r: { COLUMN_NAME: string }) => r.COLUMN_NAME),
    foreignKeys: groupFks(outgoing.recordset as FkRow[]),
    referencedBy: groupFks(incoming.recordset as FkRow[]),
    indexes: [...indexes.values()],
  };
}

function typeName(c: Record<string, unknown>): string {
  const t = String(c.DATA_TYPE);
  const len = c.CHARACTER_MAXIMUM_LENGTH as number | null;
  if (len !== null && len !== undefined) return `${t}(${len === -1 ? 'max' : len})`;
  if ((t === 'decimal' || t === 'numeric') && c.NUMERIC_PRECISION != null)
    return `${t}(${Number(c.NUMERIC_PRECISION)},${Number(c.NUMERIC_SCALE)})`;
  return t;
}

export function sampleRows(
  request: SessionRequest,
  database: string,
  schema: string,
  table: string,
  rows: number,
  o: Pick<StreamOptions, 'signal' | 'onProgress'> = {},
): Promise<QueryResult> {
  return streamRows(
    request(),
    `SELECT TOP (@n) * FROM ${bracket(database)}.${bracket(schema)}.${bracket(table)}`,
    { ...o, limit: rows, params: { n: { type: sql.Int, value: rows } } },
  );
}

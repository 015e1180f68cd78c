import { bracket, type SessionRequest } from '../sql/runner.js';
import { listDatabases } from '../sql/catalog.js';
import { databaseRefusal, type GuardPolicy } from '../sql/guard.js';

export interface SchemaMatch {
  database: string;
  schema: string;
  table: string;
  column?: string;
  kind: 'table' | 'view' | 'column';
  description?: string;
  score: number;
}

interface SearchOptions {
  query: string;
  /** Only these databases; every database the policy allows otherwise. */
  databases?: string[];
  policy: Omit<GuardPolicy, 'mode'>;
  limit: number;
}

/**
 * Tables, views and columns whose name or description (MS_Description) holds the query's words, across the
 * databases the connection's policy allows, best first. Words are compared without case or punctuation, so
 * "e-mail" finds EmailAddress and "customer email" finds Customers.Email.
 */
export async function searchSchema(request: SessionRequest, o: SearchOptions): Promise<SchemaMatch[]> {
  const terms = o.query.split(/\s+/).map(fold).filter(Boolean);
  if (!terms.length) return [];
  const databases =
    o.databases ??
    (await listDatabases(request)).map((d) => d.name).filter((name) => !databaseRefusal(name, o.policy));
  const matches: SchemaMatch[] = [];
  for (const database of databases) {
    for (const item of await schemaItems(request, database)) {
      const score = scoreItem(item, terms);
      if (score > 0) matches.push({ ...item, score });
    }
  }
  return matches.sort((a, b) => b.score - a.score || key(a).localeCompare(key(b))).slice(0, o.limit);
}

type Item = Omit<SchemaMatch, 'score'>;

async function schemaItems(request: SessionRequest, database: string): Promise<Item[]> {
  const db = bracket(database);
  const r = await request().query(`
    SELECT s.name AS schema_name, o.name AS table_name, o.type AS type, c.name AS column_name,
      CAST(ep.value AS nvarchar(4000)) AS description
    FROM ${db}.sys.objects o
    JOIN ${db}.sys.schemas s ON s.schema_id = o.schema_id
    LEFT JOIN ${db}.sys.columns c ON c.object_id = o.object_id
    LEFT JOIN ${db}.sys.extended_properties ep ON ep.class = 1 AND ep.name = 'MS_Description'
      AND ep.major_id = o.object_id AND ep.minor_id = c.column_id
    WHERE o.type IN ('U', 'V') AND o.is_ms_shipped = 0
    UNION ALL
    SELECT s.name, o.name, o.type, NULL, CAST(ep.value AS nvarchar(4000))
    FROM ${db}.sys.objects o
    JOIN ${db}.sys.schemas s ON s.schema_id = o.schema_id
    LEFT JOIN ${db}.sys.extended_properties ep ON ep.class = 1 AND ep.name = 'MS_Description'
      AND ep.major_id = o.object_id AND ep.minor_id = 0
    WHERE o.type IN ('U', 'V') AND o.is_ms_shipped = 0`);
  return (
    r.recordset as Array<{
      schema_name: string;
      table_name: string;
      type: string;
      column_name: string | null;
      description: string | null;
    }>
  ).map((x) => ({
    database,
    schema: x.schema_name,
    table: x.table_name,
    ...(x.column_name ? { column: x.column_name } : {}),
    kind: x.column_name ? 'column' : x.type.trim() === 'V' ? 'view' : 'table',
    ...(x.description ? { description: x.description } : {}),
  }));
}

/** Each word scores by where it stands: the item's own name, then its table's name, then its description. */
function scoreItem(item: Item, terms: string[]): number {
  const own = fold(item.column ?? item.table);
  const table = fold(item.table);
  const description = fold(item.description ?? '');
  let score = 0;
  let found = 0;
  for (const t of terms) {
    const s = own === t ? 10 : own.includes(t) ? 6 : table.includes(t) ? 3 : description.includes(t) ? 2 : 0;
    if (s) found++;
    score += s;
  }
  // Every word found beats some words found strongly.
  return found === 0 ? 0 : score + (found === terms.length ? 5 * terms.length : 0);
}

const fold = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
const key = (m: Item) => `${m.database}.${m.schema}.${m.table}.${m.column ?? ''}`;

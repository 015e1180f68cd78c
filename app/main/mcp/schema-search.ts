import type { SessionRequest } from '../sql/runner.js';
import { listColumns, listDatabases, listTables } from '../sql/catalog.js';
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
      // Tables the person's policy does not open are not found either.
      if (o.policy.access?.tableRefusal(database, item.schema, item.table)) continue;
      const score = scoreItem(item, terms);
      if (score > 0) matches.push({ ...item, score });
    }
  }
  return matches.sort((a, b) => b.score - a.score || key(a).localeCompare(key(b))).slice(0, o.limit);
}

type Item = Omit<SchemaMatch, 'score'>;

/** The tables and views of one database, then their columns, as search items. */
async function schemaItems(request: SessionRequest, database: string): Promise<Item[]> {
  const tables: Item[] = (await listTables(request, database)).map((t) => ({
    database,
    schema: t.schema,
    table: t.name,
    kind: t.kind,
    ...(t.description ? { description: t.description } : {}),
  }));
  const columns: Item[] = (await listColumns(request, database)).map((c) => ({
    database,
    schema: c.schema,
    table: c.table,
    column: c.column,
    kind: 'column',
    ...(c.description ? { description: c.description } : {}),
  }));
  return [...tables, ...columns];
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

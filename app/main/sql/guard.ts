import { createRequire } from 'node:module';

/**
 * What a statement may do, decided from its parse tree (node-sql-parser's T-SQL grammar), not from a regex.
 * Read-only mode accepts exactly one SELECT, without INTO, linked-server/ad-hoc functions or references to
 * blocked databases; anything the grammar cannot parse is refused. The runner adds a rollback-only transaction
 * as a second line of defence, and the README advises a least-privilege login as the third.
 */

interface ParserLike {
  astify(sql: string, opt: { database: string }): unknown;
  tableList(sql: string, opt: { database: string }): string[];
}
const { Parser } = createRequire(import.meta.url)('node-sql-parser') as { Parser: new () => ParserLike };
const parser = new Parser();
const OPT = { database: 'transactsql' };

const FORBIDDEN_FUNCTIONS = new Set(['OPENQUERY', 'OPENROWSET', 'OPENDATASOURCE', 'OPENXML']);

export type GuardResult = { ok: true; kind: string; databases: string[] } | { ok: false; reason: string };

export interface GuardPolicy {
  mode: 'read' | 'write';
  blockedDatabases: readonly string[];
  allowedDatabases: readonly string[];
}

export function checkStatement(sqlText: string, policy: GuardPolicy): GuardResult {
  let ast: unknown;
  let tables: string[];
  try {
    const parseable = withoutSystemVariables(sqlText);
    ast = parser.astify(parseable, OPT);
    tables = parser.tableList(parseable, OPT);
  } catch (err) {
    const detail = ((err as Error).message ?? '').split('\n')[0]!.slice(0, 160);
    return {
      ok: false,
      reason:
        policy.mode === 'read'
          ? `Read-only mode runs only statements it can parse as a single SELECT; this one could not be parsed (${detail}).`
          : `The statement could not be parsed, so it cannot be checked (${detail}).`,
    };
  }
  const statements = (Array.isArray(ast) ? ast : [ast]).filter(Boolean) as Array<Record<string, unknown>>;
  if (statements.length !== 1) {
    return {
      ok: false,
      reason: `Only one statement per call is allowed; this text holds ${statements.length}. Send each statement separately.`,
    };
  }
  const st = statements[0]!;
  const kind = String(st.type ?? 'unknown');
  if (kind === 'use')
    return { ok: false, reason: 'USE is not allowed; pass the database in the "database" argument instead.' };
  if (policy.mode === 'read') {
    if (kind !== 'select')
      return {
        ok: false,
        reason: `Read-only mode allows only SELECT statements; this is ${kind.toUpperCase()}.`,
      };
    const into = st.into as { expr?: unknown; position?: unknown } | undefined;
    if (into && (into.expr || into.position))
      return { ok: false, reason: 'SELECT ... INTO creates a table, which read-only mode does not allow.' };
  } else if (!['select', 'insert', 'update', 'delete', 'replace'].includes(kind)) {
    return {
      ok: false,
      reason: `execute_statement runs SELECT, INSERT, UPDATE and DELETE; ${kind.toUpperCase()} is not allowed.`,
    };
  }
  const fn = findForbiddenFunction(st);
  if (fn)
    return {
      ok: false,
      reason: `${fn} reaches outside this database (linked servers, files) and is not allowed.`,
    };
  const databases = [
    ...new Set(
      tables
        .map((t) => t.split('::')[1] ?? 'null')
        .filter((d) => d !== 'null')
        .map((d) => d.split('.')[0]!.replace(/^\[|\]$/g, '')),
    ),
  ];
  for (const db of databases) {
    const refusal = databaseRefusal(db, policy);
    if (refusal) return { ok: false, reason: refusal };
  }
  return { ok: true, kind, databases };
}

export function databaseRefusal(
  db: string,
  policy: Pick<GuardPolicy, 'blockedDatabases' | 'allowedDatabases'>,
): string | undefined {
  const lower = db.toLowerCase();
  if (policy.blockedDatabases.some((b) => b.toLowerCase() === lower))
    return `Database "${db}" is blocked for this connection (blocked_databases).`;
  if (policy.allowedDatabases.length && !policy.allowedDatabases.some((a) => a.toLowerCase() === lower)) {
    return `Database "${db}" is not in this connection's allowed_databases.`;
  }
  return undefined;
}

function findForbiddenFunction(node: unknown, depth = 0): string | undefined {
  if (!node || typeof node !== 'object' || depth > 200) return undefined;
  const n = node as Record<string, unknown>;
  const name = functionName(n);
  if (name && FORBIDDEN_FUNCTIONS.has(name.toUpperCase())) return name.toUpperCase();
  for (const v of Object.values(n)) {
    const found = Array.isArray(v)
      ? v.map((x) => findForbiddenFunction(x, depth + 1)).find(Boolean)
      : findForbiddenFunction(v, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** node-sql-parser names functions as a string, or as { name: [{ value }] } in newer versions. */
function functionName(n: Record<string, unknown>): string | undefined {
  if (n.type !== 'function' && n.type !== 'expr_func') {
    if (typeof n.table === 'string' && FORBIDDEN_FUNCTIONS.has(n.table.toUpperCase())) return n.table;
    return undefined;
  }
  const name = n.name as unknown;
  if (typeof name === 'string') return name;
  const parts = (name as { name?: Array<{ value?: string }> } | undefined)?.name;
  return parts?.map((p) => p.value).join('.');
}

/**
 * The grammar does not accept every use of system variables (`SELECT @@VERSION AS v`); for parsing only,
 * `@@NAME` outside strings, quoted names and comments becomes a plain column name. What runs is the original.
 */
export function withoutSystemVariables(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const two = text.slice(i, i + 2);
    let end = i + 1;
    if (c === "'" || c === '"' || c === '[') {
      const close = c === '[' ? ']' : c;
      end = i + 1;
      while (end < text.length && !(text[end] === close && text[end + 1] !== close))
        end += text[end] === close ? 2 : 1;
      end = Math.min(end + 1, text.length);
    } else if (two === '--') {
      end = text.indexOf('\n', i);
      if (end === -1) end = text.length;
    } else if (two === '/*') {
      end = text.indexOf('*/', i + 2);
      end = end === -1 ? text.length : end + 2;
    } else if (two === '@@') {
      const m = /^@@(\w+)/.exec(text.slice(i));
      if (m) {
        out += `__sysvar_${m[1]}`;
        i += m[0].length;
        continue;
      }
    }
    out += text.slice(i, end);
    i = end;
  }
  return out;
}

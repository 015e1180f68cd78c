import { closeOf, lastTopLevel, splitTop, TranslateError, type Token } from './syntax.js';
import { constantOf, renamed } from './functions.js';
import { transform, TVF } from './transforms.js';

export { TranslateError, type Token };

/**
 * T-SQL to PostgreSQL, for the dialect the product and its tests use. A tokenizer-based rewrite, not a
 * parser: it splits batches into statements, classifies the ones the server handles itself (SET, USE,
 * EXECUTE AS, REVERT, transactions, WAITFOR, PRINT) and rewrites the rest. Anything it cannot rewrite is
 * refused with an error that names the construct.
 */

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth) {
        const pair = sql.slice(i, i + 2);
        if (pair === '/*' || pair === '*/') {
          depth += pair === '/*' ? 1 : -1;
          i += 2;
        } else i++;
      }
      if (depth) throw new TranslateError("Missing end comment mark '*/'.", 113);
      continue;
    }
    if (c === "'" || ((c === 'N' || c === 'n') && sql[i + 1] === "'")) {
      const nstring = c !== "'";
      let j = i + (nstring ? 2 : 1);
      let value = '';
      for (;;) {
        if (j >= n)
          throw new TranslateError(`Unclosed quotation mark after the character string '${value}'.`, 105);
        if (sql[j] === "'") {
          if (sql[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += sql[j++];
      }
      out.push({ kind: nstring ? 'nstring' : 'string', text: sql.slice(i, j + 1), value });
      i = j + 1;
      continue;
    }
    if (c === '[' || c === '"') {
      const close = c === '[' ? ']' : '"';
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= n) throw new TranslateError(`Unclosed quotation mark after the identifier '${value}'.`, 105);
        if (sql[j] === close) {
          if (sql[j + 1] === close) {
            value += close;
            j += 2;
            continue;
          }
          break;
        }
        value += sql[j++];
      }
      out.push({ kind: 'ident', text: sql.slice(i, j + 1), value });
      i = j + 1;
      continue;
    }
    if (c === '0' && (sql[i + 1] === 'x' || sql[i + 1] === 'X')) {
      const m = /^0x[0-9a-fA-F]*/.exec(sql.slice(i))![0];
      out.push({ kind: 'binary', text: m, value: m.slice(2) });
      i += m.length;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(sql.slice(i))![0];
      out.push({ kind: 'number', text: m, value: m });
      i += m.length;
      continue;
    }
    if (c === '@') {
      const m = /^@@?[\p{L}\p{N}_#$@]+/u.exec(sql.slice(i));
      if (!m) throw new TranslateError("Incorrect syntax near '@'.");
      out.push({ kind: m[0].startsWith('@@') ? 'sysvar' : 'var', text: m[0], value: m[0] });
      i += m[0].length;
      continue;
    }
    if (/[\p{L}_#]/u.test(c)) {
      const m = /^[\p{L}_#][\p{L}\p{N}_#$@]*/u.exec(sql.slice(i))![0];
      out.push({ kind: 'word', text: m, value: m });
      i += m.length;
      continue;
    }
    const two = sql.slice(i, i + 2);
    if (['<>', '!=', '<=', '>=', '!<', '!>', '::'].includes(two)) {
      out.push({ kind: 'op', text: two, value: two });
      i += 2;
      continue;
    }
    // ':' separates a key from its value in JSON_OBJECT('k': v).
    if ('(),;.:'.includes(c)) {
      out.push({ kind: 'punct', text: c, value: c });
      i++;
      continue;
    }
    if ('=<>+-*/%&|^~'.includes(c)) {
      out.push({ kind: 'op', text: c, value: c });
      i++;
      continue;
    }
    throw new TranslateError(`Incorrect syntax near '${c}'.`);
  }
  return out;
}

const upper = (t: Token | undefined) => (t && t.kind === 'word' ? t.value.toUpperCase() : '');

/** Keywords that begin a statement when they appear at the top level. */
const STARTERS = new Set([
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'SET',
  'USE',
  'EXEC',
  'EXECUTE',
  'REVERT',
  'BEGIN',
  'COMMIT',
  'ROLLBACK',
  'WAITFOR',
  'DECLARE',
  'PRINT',
  'CREATE',
  'DROP',
  'ALTER',
  'GRANT',
  'DENY',
  'TRUNCATE',
  'MERGE',
  'IF',
  'WHILE',
  'RETURN',
  'SAVE',
]);

/** Splits a batch into statements: at `;` and where a statement keyword starts a new one at depth 0. */
export function splitStatements(tokens: Token[]): Token[][] {
  const statements: Token[][] = [];
  let cur: Token[] = [];
  /** The current statement's words at parenthesis depth 0 (what decides where the next one starts). */
  let top: string[] = [];
  let depth = 0;
  const push = () => {
    if (cur.length) statements.push(cur);
    cur = [];
    top = [];
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.text === ';' && depth === 0) {
      push();
      continue;
    }
    const kw = upper(t);
    if (depth === 0 && cur.length && STARTERS.has(kw) && startsNewStatement(top, kw, upper(tokens[i - 1])))
      push();
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    if (depth === 0 && kw) top.push(kw);
    cur.push(t);
  }
  push();
  return statements;
}

const DML = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];

function startsNewStatement(top: string[], kw: string, prev: string): boolean {
  const first = top[0];
  // ON DELETE / ON UPDATE / FOR UPDATE belong to the statement; so does everything in a GRANT.
  if ((prev === 'ON' || prev === 'FOR') && ['DELETE', 'UPDATE', 'INSERT'].includes(kw)) return false;
  if (['GRANT', 'DENY', 'REVOKE'].includes(first ?? '') || ['GRANT', 'DENY', 'REVOKE'].includes(prev))
    return false;
  // A CTE's statement continues through its first top-level DML (its main query).
  if (first === 'WITH' && DML.includes(kw) && !top.slice(1).some((w) => DML.includes(w))) return false;
  // Join hints: `LEFT OUTER MERGE JOIN` is part of the query.
  if (kw === 'MERGE' && ['INNER', 'OUTER', 'LEFT', 'RIGHT', 'FULL'].includes(prev)) return false;
  switch (kw) {
    case 'SELECT':
      if (['UNION', 'ALL', 'EXCEPT', 'INTERSECT'].includes(prev)) return false;
      if (first === 'INSERT' && !top.includes('SELECT') && !top.includes('VALUES')) return false;
      if (first === 'CREATE' && prev === 'AS') return false;
      return true;
    case 'SET':
      return !(first === 'UPDATE' && !top.includes('SET'));
    default:
      return true;
  }
}

// ---------------------------------------------------------------- classification

export type Statement =
  | { kind: 'nocount'; on: boolean }
  | { kind: 'showplan'; on: boolean }
  | { kind: 'set-option' }
  | { kind: 'use'; database: string }
  | { kind: 'execute-as'; user: string }
  | { kind: 'revert' }
  | { kind: 'begin' }
  | { kind: 'commit' }
  | { kind: 'rollback' }
  | { kind: 'waitfor'; ms: number }
  | { kind: 'print'; text: string }
  | { kind: 'exec-proc'; name: string; args: Array<{ name?: string; value: Token[] }> }
  | { kind: 'declare'; vars: Array<{ name: string; type: Token[]; init?: Token[] }> }
  | { kind: 'set-var'; name: string; op: string; expr: Token[] }
  | { kind: 'sql'; tokens: Token[]; verb: string; isQuery: boolean; ddl: boolean };

export function classify(tokens: Token[]): Statement {
  const w = tokens.map(upper);
  const first = tokens[0]?.text === '(' ? '(' : w[0];
  switch (first) {
    case 'SET': {
      if (tokens[1]?.kind === 'var') {
        const op = tokens[2]?.text === '=' ? '' : tokens[3]?.text === '=' ? tokens[2]!.text : undefined;
        if (op === undefined) throw new TranslateError("Incorrect syntax near 'SET'.");
        return { kind: 'set-var', name: tokens[1].value.toLowerCase(), op, expr: tokens.slice(op ? 4 : 3) };
      }
      if (w[1] === 'NOCOUNT') return { kind: 'nocount', on: w[2] === 'ON' };
      if (w[1] === 'SHOWPLAN_XML') return { kind: 'showplan', on: w[2] === 'ON' };
      if (w[1] === 'SHOWPLAN_ALL' || w[1] === 'SHOWPLAN_TEXT' || w[1] === 'STATISTICS') {
        throw new TranslateError(`SET ${w[1]} is not supported by the TDS test server.`, 50000);
      }
      return { kind: 'set-option' };
    }
    case 'USE': {
      const t = tokens[1];
      if (!t || tokens.length !== 2) throw new TranslateError("Incorrect syntax near 'USE'.");
      return { kind: 'use', database: t.value };
    }
    case 'EXEC':
    case 'EXECUTE': {
      if (w[1] === 'AS') {
        if (
          w[2] !== 'USER' ||
          tokens[3]?.text !== '=' ||
          !tokens[4] ||
          !['string', 'nstring'].includes(tokens[4].kind)
        ) {
          throw new TranslateError("Only EXECUTE AS USER = 'name' is supported by the TDS test server.");
        }
        return { kind: 'execute-as', user: tokens[4].value };
      }
      if (tokens[1]?.text === '(')
        throw new TranslateError('Dynamic SQL (EXEC(...)) is not supported by the TDS test server.');
      let k = 1;
      const parts: string[] = [];
      while (
        tokens[k] &&
        (tokens[k]!.kind === 'word' || tokens[k]!.kind === 'ident' || tokens[k]!.text === '.')
      ) {
        if (tokens[k]!.text !== '.') parts.push(tokens[k]!.value);
        k++;
      }
      const args = tokens.length > k ? splitTopLevel(tokens.slice(k)) : [];
      return {
        kind: 'exec-proc',
        name: parts.join('.'),
        args: args.map((a) =>
          a[0]?.kind === 'var' && a[1]?.text === '='
            ? { name: a[0].value.toLowerCase(), value: a.slice(2) }
            : { value: a },
        ),
      };
    }
    case 'REVERT':
      return { kind: 'revert' };
    case 'BEGIN':
      if (w[1] === 'TRAN' || w[1] === 'TRANSACTION') return { kind: 'begin' };
      throw new TranslateError('BEGIN ... END blocks are not supported by the TDS test server.');
    case 'COMMIT':
      return { kind: 'commit' };
    case 'ROLLBACK':
      return { kind: 'rollback' };
    case 'WAITFOR': {
      if (w[1] !== 'DELAY' || !tokens[2] || !['string', 'nstring'].includes(tokens[2].kind)) {
        throw new TranslateError("Only WAITFOR DELAY 'hh:mm:ss' is supported by the TDS test server.");
      }
      const m = /^(\d+):(\d+):(\d+)(?:\.(\d+))?$/.exec(tokens[2].value);
      if (!m) throw new TranslateError(`Incorrect time syntax in WAITFOR DELAY '${tokens[2].value}'.`, 148);
      return {
        kind: 'waitfor',
        ms:
          ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 +
          Number((m[4] ?? '0').padEnd(3, '0').slice(0, 3)),
      };
    }
    case 'PRINT':
      return { kind: 'print', text: tokens[1]?.value ?? '' };
    case 'DECLARE':
      return {
        kind: 'declare',
        vars: splitTopLevel(tokens.slice(1)).map((d) => {
          if (d.some((t) => upper(t) === 'CURSOR'))
            throw new TranslateError('DECLARE ... CURSOR is not supported by the TDS test server.');
          if (d[0]?.kind !== 'var') throw new TranslateError("Incorrect syntax near 'DECLARE'.");
          let typeEnd = d.findIndex((t, i) => i > 0 && t.text === '=');
          if (typeEnd === -1) typeEnd = d.length;
          const type = d.slice(upper(d[1]) === 'AS' ? 2 : 1, typeEnd);
          if (upper(type[0]) === 'TABLE' || upper(type[0]) === 'CURSOR')
            throw new TranslateError(
              `DECLARE ... ${upper(type[0])} is not supported by the TDS test server.`,
            );
          return {
            name: d[0].value.toLowerCase(),
            type,
            init: typeEnd < d.length ? d.slice(typeEnd + 1) : undefined,
          };
        }),
      };
    case '(':
    case 'SELECT':
    case 'INSERT':
    case 'UPDATE':
    case 'DELETE':
    case 'WITH':
    case 'CREATE':
    case 'DROP':
    case 'ALTER':
    case 'GRANT':
    case 'TRUNCATE': {
      const ddl = ['CREATE', 'DROP', 'ALTER', 'GRANT', 'TRUNCATE'].includes(first);
      const mainVerb =
        first === '('
          ? 'SELECT'
          : first === 'WITH'
            ? (w.find((x, i) => i > 0 && ['SELECT', 'INSERT', 'UPDATE', 'DELETE'].includes(x)) ?? 'SELECT')
            : first;
      if (mainVerb === 'SELECT' && w.includes('INTO') && !ddl) {
        const into = w.indexOf('INTO');
        if (w.lastIndexOf('SELECT', into) !== -1)
          throw new TranslateError('SELECT ... INTO is not supported by the TDS test server.');
      }
      return { kind: 'sql', tokens, verb: mainVerb, isQuery: mainVerb === 'SELECT', ddl };
    }
    default:
      throw new TranslateError(
        `The TDS test server does not support ${first || tokens[0]?.text || 'this'} statements.`,
      );
  }
}

// ---------------------------------------------------------------- rewriting

export interface NameContext {
  /** Current database. */
  database: string;
  isDatabase(name: string): string | undefined;
  /** Canonical schema name in `db` (case-insensitive lookup). */
  schemaOf(db: string, name: string): string | undefined;
  /** A relation (table or view) in a PostgreSQL schema, with its columns' canonical names. */
  relation(pgSchema: string, name: string): { name: string; columns: Map<string, string> } | undefined;
  /** Canonical spelling of any other name (case-insensitive, catalog-wide). */
  canonical(name: string): string;
  /** Values for @@ variables and the current user. */
  sysvar(name: string): string | number | undefined;
  /** Parameter name (lower case, with @) to its $n placeholder text, e.g. `($1::int4)`. */
  param(name: string): string | undefined;
}

export const pgSchema = (db: string, schema: string) => `${db}$${schema}`;
const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

const KEYWORDS = new Set(
  (
    'SELECT FROM WHERE AND OR NOT NULL IS IN EXISTS BETWEEN LIKE AS ON JOIN INNER LEFT RIGHT FULL OUTER CROSS GROUP BY ' +
    'ORDER HAVING ASC DESC DISTINCT UNION ALL EXCEPT INTERSECT CASE WHEN THEN ELSE END INSERT INTO VALUES UPDATE SET DELETE ' +
    'OFFSET ROWS ROW FETCH NEXT FIRST ONLY CAST TRUE FALSE COLLATE OVER PARTITION ESCAPE CREATE TABLE VIEW INDEX DROP ALTER ' +
    'ADD COLUMN PRIMARY KEY FOREIGN REFERENCES UNIQUE DEFAULT CHECK CONSTRAINT GRANT REVOKE TO TRUNCATE ANY SOME WITH ' +
    'RECURSIVE CURRENT_TIMESTAMP CURRENT_USER SESSION_USER LATERAL APPLY USING IF CASCADE RESTRICT SCHEMA ROLE USER PUBLIC ' +
    'EXECUTE PRECEDING FOLLOWING UNBOUNDED CURRENT RANGE NULLS LAST FILTER WITHIN TEMPORARY TEMP RETURNING TIES PERCENT OF ' +
    'ROLLUP CUBE GROUPING SETS WINDOW LEADING TRAILING BOTH'
  ).split(/\s+/),
);

/** Words the translator treats as keywords that T-SQL does not reserve, so they may name a column (`AS Rows`). */
const ALIAS_WORDS = new Set(
  'ROWS ROW FIRST NEXT ONLY LAST NULLS RANGE CURRENT FOLLOWING PRECEDING UNBOUNDED TIES LEADING TRAILING BOTH WINDOW SETS ROLE TEMP TEMPORARY RECURSIVE LATERAL APPLY WITHIN FILTER RETURNING'.split(
    ' ',
  ),
);

const TYPES: Record<string, string> = {
  INT: 'integer',
  INTEGER: 'integer',
  BIGINT: 'bigint',
  SMALLINT: 'smallint',
  TINYINT: 'smallint',
  BIT: 'boolean',
  DECIMAL: 'numeric',
  NUMERIC: 'numeric',
  MONEY: 'numeric(19,4)',
  SMALLMONEY: 'numeric(10,4)',
  FLOAT: 'double precision',
  REAL: 'real',
  NVARCHAR: 'text',
  NCHAR: 'text',
  NTEXT: 'text',
  VARCHAR: 'varchar',
  CHAR: 'varchar',
  TEXT: 'varchar',
  SYSNAME: 'text',
  DATE: 'date',
  TIME: 'time',
  DATETIME: 'timestamp(3)',
  DATETIME2: 'timestamp',
  SMALLDATETIME: 'timestamp(0)',
  DATETIMEOFFSET: 'timestamptz',
  UNIQUEIDENTIFIER: 'uuid',
  VARBINARY: 'bytea',
  BINARY: 'bytea',
  IMAGE: 'bytea',
  XML: 'xml',
};
const LENGTH_ONLY_TYPES = new Set([
  'NVARCHAR',
  'NCHAR',
  'NTEXT',
  'VARCHAR',
  'CHAR',
  'TEXT',
  'VARBINARY',
  'BINARY',
  'DATETIME2',
  'TIME',
  'DATETIMEOFFSET',
  'FLOAT',
]);

/** Marks a function name so that its `(` is joined to it in the output. */
const CALL = '\u0001';

/** Rewrites one statement's tokens into PostgreSQL text. */
export function rewrite(tokens: Token[], ctx: NameContext): string {
  const rels = referencedRelations(tokens, ctx);
  const shaped = transform(tokens, {
    typeText,
    columnsOf: (parts) => {
      const rel = lookupRelation(parts, ctx);
      return rel ? [...rel.columns.values()] : undefined;
    },
  });
  return rewriteWith(shaped, ctx, rels);
}

type Rel = { name: string; columns: Map<string, string> };

/** The relations a statement names, so its column names resolve against them first. */
function referencedRelations(tokens: Token[], ctx: NameContext): Rel[] {
  const found: Rel[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'word' && t.kind !== 'ident') continue;
    const parts = [t.value];
    let j = i;
    while (
      tokens[j + 1]?.text === '.' &&
      tokens[j + 2] &&
      (tokens[j + 2]!.kind === 'word' || tokens[j + 2]!.kind === 'ident')
    ) {
      parts.push(tokens[j + 2]!.value);
      j += 2;
    }
    const rel = lookupRelation(parts, ctx);
    if (rel) found.push(rel);
    i = j;
  }
  return found;
}

function lookupRelation(parts: string[], ctx: NameContext): Rel | undefined {
  if (parts.length === 3) {
    const db = ctx.isDatabase(parts[0]!);
    const schema = db && ctx.schemaOf(db, parts[1] || 'dbo');
    return db && schema ? ctx.relation(pgSchema(db, schema), parts[2]!) : undefined;
  }
  if (parts.length === 2) {
    const schema = ctx.schemaOf(ctx.database, parts[0]!);
    return schema ? ctx.relation(pgSchema(ctx.database, schema), parts[1]!) : undefined;
  }
  return parts.length === 1 ? ctx.relation(pgSchema(ctx.database, 'dbo'), parts[0]!) : undefined;
}

function rewriteWith(tokens: Token[], ctx: NameContext, rels: Rel[]): string {
  const rewrite = (t: Token[], c: NameContext) => rewriteWith(t, c, rels);
  const out: string[] = [];
  /** Depth at which a TOP limit waits to be appended, and its count. */
  const limits: Array<{ depth: number; count: string; ties: boolean }> = [];
  let depth = 0;
  const closeLimitsAt = (d: number) => {
    while (limits.length && limits[limits.length - 1]!.depth === d) {
      const l = limits.pop()!;
      out.push(l.ties ? `FETCH FIRST (${l.count}) ROWS WITH TIES` : `LIMIT ${l.count}`);
    }
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const kw = upper(t);
    const next = tokens[i + 1];
    if (t.text === '(') {
      depth++;
      out.push('(');
      continue;
    }
    if (t.text === ')') {
      closeLimitsAt(depth);
      depth--;
      out.push(')');
      continue;
    }
    if (kw === 'TOP') {
      const top = readTop(tokens, i, ctx, rewrite);
      limits.push({ depth, ...top.limit });
      i = top.end;
      continue;
    }
    if (kw === 'CONVERT' && next?.text === '(') {
      const close = closeOf(tokens, i + 1);
      const args = splitTop(tokens.slice(i + 2, close));
      if (args.length < 2) throw new TranslateError("Incorrect syntax near 'CONVERT'.");
      out.push(`CAST(${rewrite(args[1]!, ctx)} AS ${typeText(args[0]!)})`);
      i = close;
      continue;
    }
    if (kw === 'CAST' && next?.text === '(') {
      const close = closeOf(tokens, i + 1);
      const inner = tokens.slice(i + 2, close);
      const as = lastTopLevel(inner, 'AS');
      if (as === -1) throw new TranslateError("Incorrect syntax near 'CAST'.");
      out.push(`CAST(${rewrite(inner.slice(0, as), ctx)} AS ${typeText(inner.slice(as + 1))})`);
      i = close;
      continue;
    }
    const literal = literalText(t, upper(tokens[i - 1]), ctx);
    if (literal !== undefined) {
      out.push(literal);
      continue;
    }
    // Words and identifiers. An alias after AS keeps the spelling it was given.
    const prevWord = upper(tokens[i - 1]);
    if (
      (t.kind === 'word' || t.kind === 'ident') &&
      prevWord === 'AS' &&
      (!KEYWORDS.has(kw) || (ALIAS_WORDS.has(kw) && next?.text !== '('))
    ) {
      out.push(q(t.value));
      continue;
    }
    if (['OPENROWSET', 'OPENQUERY', 'OPENDATASOURCE', 'OPENXML'].includes(kw)) {
      throw new TranslateError(`${kw} is not supported by the TDS test server.`);
    }
    const isRelation =
      !(TVF.has(kw) && next?.text === '(') &&
      (rels.some((r) => r.name.toLowerCase() === t.value.toLowerCase()) ||
        ['INTO', 'TABLE', 'REFERENCES', 'UPDATE', 'FROM', 'JOIN', 'LATERAL'].includes(prevWord));
    if (t.kind === 'word' && next?.text === '(' && !isRelation && !KEYWORDS.has(kw)) {
      const call = functionCall(tokens, i, ctx, rewrite);
      if (call) {
        out.push(call.text);
        i = call.end;
        continue;
      }
      out.push(`${renamed(kw) ?? t.value}${CALL}`);
      continue;
    }
    if (t.kind === 'word' && kw === 'CURRENT_TIMESTAMP') {
      out.push(constantOf(kw)!);
      continue;
    }
    // A word T-SQL does not reserve names a column where a column stands (SELECT Window, ORDER BY Rows), unless
    // it starts a window frame (ROWS BETWEEN / UNBOUNDED / CURRENT) or a call.
    if (
      t.kind === 'word' &&
      ALIAS_WORDS.has(kw) &&
      next?.text !== '(' &&
      ['BY', ',', 'SELECT', '.'].includes(upper(tokens[i - 1]) || (tokens[i - 1]?.text ?? '')) &&
      !['BETWEEN', 'UNBOUNDED', 'CURRENT'].includes(upper(next))
    ) {
      out.push(q(t.value));
      continue;
    }
    // AT TIME ZONE is three keywords together; alone, At and Zone may name columns and TIME is a type.
    const atTimeZone = (k: number) =>
      upper(tokens[k]) === 'AT' && upper(tokens[k + 1]) === 'TIME' && upper(tokens[k + 2]) === 'ZONE';
    const timeZone = atTimeZone(i) || atTimeZone(i - 1) || atTimeZone(i - 2);
    if (t.kind === 'word' && (KEYWORDS.has(kw) || kw === 'NOLOCK' || timeZone)) {
      if (
        kw === 'WITH' &&
        next?.text === '(' &&
        ['NOLOCK', 'READUNCOMMITTED', 'ROWLOCK', 'UPDLOCK', 'HOLDLOCK'].includes(upper(tokens[i + 2]))
      ) {
        i = closeOf(tokens, i + 1); // table hints have no PostgreSQL meaning
        continue;
      }
      out.push(kw);
      continue;
    }
    const name = readName(tokens, i);
    out.push(resolveName(name.parts, ctx, rels));
    i = name.end;
  }
  closeLimitsAt(0);
  if (limits.length) throw new TranslateError("Incorrect syntax near 'TOP'.");
  return out
    .join(' ')
    .replace(new RegExp(`${CALL} \\( ?`, 'g'), '(')
    .replace(/ \( /g, ' (')
    .replace(/ \)/g, ')')
    .replace(/ \. /g, '.')
    .replace(/ , /g, ', ');
}

type Rewrite = (t: Token[], c: NameContext) => string;

/** `TOP (n)` / `TOP n [PERCENT] [WITH TIES]` at `i`: the limit to append at the end of its query. */
function readTop(
  tokens: Token[],
  i: number,
  ctx: NameContext,
  rewrite: Rewrite,
): { limit: { count: string; ties: boolean }; end: number } {
  const topAt = i;
  const next = tokens[i + 1];
  let count: string;
  if (next?.text === '(') {
    const close = closeOf(tokens, i + 1);
    count = rewrite(tokens.slice(i + 2, close), ctx);
    i = close;
  } else {
    if (!next || (next.kind !== 'number' && next.kind !== 'var'))
      throw new TranslateError("Incorrect syntax near 'TOP'.");
    count = next.kind === 'var' ? paramOrThrow(ctx, next) : next.text;
    i++;
  }
  let ties = false;
  if (upper(tokens[i + 1]) === 'PERCENT') {
    // LIMIT accepts a scalar subquery: the same query's row count, scaled.
    const selectAt = upper(tokens[topAt - 1]) === 'SELECT' ? topAt - 1 : topAt - 2;
    const end = queryEnd(tokens, i + 2);
    const counted = rewrite([...tokens.slice(selectAt, topAt), ...tokens.slice(i + 2, end)], ctx);
    count = `(SELECT ceil(count(*) * (${count}) / 100.0)::bigint FROM (${counted}) AS tds_pct)`;
    i++;
  }
  if (upper(tokens[i + 1]) === 'WITH' && upper(tokens[i + 2]) === 'TIES') {
    ties = true;
    i += 2;
  }
  return { limit: { count, ties }, end: i };
}

/** A literal, variable, operator or punctuation token as PostgreSQL text; undefined for words and names. */
function literalText(t: Token, prevWord: string, ctx: NameContext): string | undefined {
  switch (t.kind) {
    case 'raw':
    case 'number':
    case 'op':
    case 'punct':
      return t.text;
    case 'string':
    case 'nstring':
      // `AS 'Customer Name'` names a column.
      return prevWord === 'AS' ? q(t.value) : `'${t.value.replace(/'/g, "''")}'`;
    case 'binary':
      return `'\\x${t.value}'::bytea`;
    case 'var':
      return paramOrThrow(ctx, t);
    case 'sysvar': {
      const v = ctx.sysvar(t.value.toUpperCase());
      if (v === undefined) throw new TranslateError(`${t.value} is not supported by the TDS test server.`);
      return typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`;
    }
    default:
      return undefined;
  }
}

/** A built-in function call at `i` that PostgreSQL spells differently, or undefined to keep the call as is. */
function functionCall(
  tokens: Token[],
  i: number,
  ctx: NameContext,
  rewrite: Rewrite,
): { text: string; end: number } | undefined {
  const kw = upper(tokens[i]);
  const constant = constantOf(kw);
  if (constant) return { text: constant, end: closeOf(tokens, i + 1) };
  if (kw === 'DB_NAME' && tokens[i + 2]?.text === ')')
    return { text: `'${ctx.database.replace(/'/g, "''")}'`, end: i + 2 };
  if ((kw === 'USER_NAME' || kw === 'CURRENT_USER') && tokens[i + 2]?.text === ')')
    return { text: 'CAST(current_user AS text)', end: i + 2 };
  if (kw === 'SUSER_SNAME' || kw === 'SUSER_NAME' || kw === 'SYSTEM_USER')
    return { text: `'${String(ctx.sysvar('LOGIN'))}'`, end: closeOf(tokens, i + 1) };
  if (kw === 'COUNT') {
    // SQL Server's COUNT is int (COUNT_BIG is bigint); PostgreSQL's count is bigint. A window (OVER (...) or
    // OVER name) goes inside the cast.
    const close = closeOf(tokens, i + 1);
    const args = rewrite(tokens.slice(i + 2, close), ctx);
    if (upper(tokens[close + 1]) !== 'OVER') return { text: `CAST(count(${args}) AS integer)`, end: close };
    const end = tokens[close + 2]?.text === '(' ? closeOf(tokens, close + 2) : close + 2;
    const window = rewrite(tokens.slice(close + 2, end + 1), ctx);
    return { text: `CAST(count(${args}) OVER ${window} AS integer)`, end };
  }
  return undefined;
}

/** A (multi-part) name starting at `i`; `db..name` leaves the schema out (dbo). */
function readName(tokens: Token[], i: number): { parts: Token[]; end: number } {
  const parts: Token[] = [tokens[i]!];
  const isName = (t: Token | undefined) => !!t && (t.kind === 'word' || t.kind === 'ident');
  for (;;) {
    if (tokens[i + 1]?.text === '.' && tokens[i + 2]?.text === '.' && isName(tokens[i + 3])) {
      parts.push({ kind: 'ident', text: '[dbo]', value: 'dbo' }, tokens[i + 3]!);
      i += 3;
      continue;
    }
    if (tokens[i + 1]?.text === '.' && (isName(tokens[i + 2]) || tokens[i + 2]?.text === '*')) {
      parts.push(tokens[i + 2]!);
      i += 2;
      continue;
    }
    return { parts, end: i };
  }
}

function paramOrThrow(ctx: NameContext, t: Token): string {
  const p = ctx.param(t.value.toLowerCase());
  if (!p) throw new TranslateError(`Must declare the scalar variable "${t.value}".`, 137);
  return p;
}

function resolveName(parts: Token[], ctx: NameContext, rels: Rel[]): string {
  const names = parts.map((p) => p.value);
  const canonical = (n: string) => {
    const lower = n.toLowerCase();
    for (const r of rels) {
      if (r.name.toLowerCase() === lower) return r.name;
      const c = r.columns.get(lower);
      if (c) return c;
    }
    return ctx.canonical(n);
  };
  const last = (n: string) => (n === '*' ? '*' : q(canonical(n)));
  if (names.length === 4 && ctx.isDatabase(names[0]!)) {
    // database.schema.table.column
    const db = ctx.isDatabase(names[0]!)!;
    const schema = ctx.schemaOf(db, names[1] || 'dbo') ?? names[1]!;
    return `${q(pgSchema(db, schema))}.${q(canonical(names[2]!))}.${last(names[3]!)}`;
  }
  if (names.length >= 4)
    throw new TranslateError(`Linked servers are not supported by the TDS test server (${names.join('.')}).`);
  if (names.length === 3) {
    const db = ctx.isDatabase(names[0]!);
    if (db) {
      const schema = ctx.schemaOf(db, names[1] || 'dbo') ?? names[1]!;
      return `${q(pgSchema(db, schema))}.${last(names[2]!)}`;
    }
    const schema = ctx.schemaOf(ctx.database, names[0]!);
    if (schema) return `${q(pgSchema(ctx.database, schema))}.${q(canonical(names[1]!))}.${last(names[2]!)}`;
    throw new TranslateError(
      `Database '${names[0]}' does not exist. Make sure that the name is entered correctly.`,
      911,
    );
  }
  if (names.length === 2) {
    const schema = ctx.schemaOf(ctx.database, names[0]!);
    if (schema) return `${q(pgSchema(ctx.database, schema))}.${last(names[1]!)}`;
    return `${q(canonical(names[0]!))}.${last(names[1]!)}`;
  }
  return last(names[0]!);
}

/** Where the query that contains position `from` ends: its closing parenthesis or the statement's end. */
function queryEnd(tokens: Token[], from: number): number {
  let depth = 0;
  for (let i = from; i < tokens.length; i++) {
    if (tokens[i]!.text === '(') depth++;
    if (tokens[i]!.text === ')') {
      if (depth === 0) return i;
      depth--;
    }
    if (depth === 0 && (upper(tokens[i]) === 'ORDER' || upper(tokens[i]) === 'OFFSET')) return i;
  }
  return tokens.length;
}

export function splitTopLevel(tokens: Token[]): Token[][] {
  return splitTop(tokens).filter((a) => a.length);
}

export function typeText(tokens: Token[]): string {
  const name = upper(tokens[0]) || tokens[0]?.value.toUpperCase() || '';
  const mapped = TYPES[name];
  if (!mapped) throw new TranslateError(`Type ${tokens[0]?.value ?? ''} is not a defined system type.`, 243);
  const args = tokens
    .slice(1)
    .map((t) => t.text)
    .join('');
  if (!args || mapped.includes('(') || /\(max\)/i.test(args) || name === 'TINYINT' || name === 'INT')
    return mapped;
  if (LENGTH_ONLY_TYPES.has(name)) return name === 'VARCHAR' || name === 'CHAR' ? `varchar${args}` : mapped;
  return `${mapped}${args}`;
}

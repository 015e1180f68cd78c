import type { ConnectionProfileConfig } from '../../shared/config-schema.js';
import { forGrammar, lex, tokenAt, type LexToken } from './tsql-lexer.js';
import { parseBatch, TsqlSyntaxError, type AstStatement } from './tsql-parser.js';

/** What the guard asks of the access policy about each table a statement names (the policy implements it). */
export interface TableAccess {
  databaseRefusal(database: string): string | undefined;
  /** `schema.table` in `database`; unqualified names are taken as `dbo` by the caller. */
  tableRefusal(database: string, schema: string, table: string): string | undefined;
  /** Whether some table may be refused: names must be seen. */
  readonly tablesRestricted: boolean;
}

/**
 * What a batch may do, decided from its parse tree (sqlparser-rs's T-SQL grammar), walked node by node: a
 * write hidden in a CTE, a blocked database in a three-part name or a linked server inside a subquery are
 * found wherever they stand. Read-only mode accepts a batch of DECLARE, SET @variable, SET NOCOUNT and
 * SELECT statements (CTEs, APPLY, PIVOT, set operators, FOR JSON/XML, hints...) plus read-only catalog
 * procedures. Anything the grammar cannot read is refused. The runner adds a rollback-only transaction as
 * the second line of defence and impersonation as the third; the README advises a least-privilege login.
 */

export type GuardResult =
  { ok: true; statements: string[] } | { ok: false; reason: string; line?: number; column?: number };

export interface GuardPolicy {
  mode: 'read' | 'write';
  blockedDatabases: readonly string[];
  allowedDatabases: readonly string[];
  /** Procedures the administrator declares read-only for this connection (`schema.name` or `name`). */
  readOnlyProcedures?: readonly string[];
  /** The signed-in person's access policy: databases and tables named anywhere in the batch are checked. */
  access?: TableAccess;
  /** The call's database, which one- and two-part table names are in. */
  database?: string;
}

/** A connection profile's part of the guard's policy, with the person's access (the mode comes from the tool). */
export function connectionPolicy(
  p: ConnectionProfileConfig,
  access?: GuardPolicy['access'],
): Omit<GuardPolicy, 'mode'> {
  return {
    blockedDatabases: p.blocked_databases,
    allowedDatabases: p.allowed_databases,
    readOnlyProcedures: p.read_only_procedures ?? [],
    access,
  };
}

/** Catalog procedures that only read metadata. */
export const READ_ONLY_PROCEDURES = [
  'sp_help',
  'sp_helptext',
  'sp_columns',
  'sp_tables',
  'sp_pkeys',
  'sp_fkeys',
  'sp_helpindex',
  'sp_spaceused',
  'sp_describe_first_result_set',
] as const;
const BUILTIN_PROCS = new Set<string>(READ_ONLY_PROCEDURES);
/** The catalog procedures whose arguments name objects (or hold a statement): checked, so they must be literals. */
const NAME_ARGUMENT_PROCS = BUILTIN_PROCS;

/** Functions that reach outside the database (linked servers, files, other providers). */
const OUTSIDE_FUNCTIONS = new Set(['OPENQUERY', 'OPENROWSET', 'OPENDATASOURCE', 'OPENXML']);
/** Table hints that take locks other sessions' writes would wait for until the call ends. */
const LOCKING_HINTS = new Set([
  'UPDLOCK',
  'XLOCK',
  'TABLOCK',
  'TABLOCKX',
  'HOLDLOCK',
  'SERIALIZABLE',
  'REPEATABLEREAD',
  'PAGLOCK',
]);
/** AST node kinds that change data, wherever they appear (a CTE's body, a subquery). */
const WRITE_NODES: Record<string, string> = {
  Insert: 'INSERT',
  Update: 'UPDATE',
  Delete: 'DELETE',
  Merge: 'MERGE',
};
/** First words of T-SQL statements, to name a statement the grammar cannot read. */
const STATEMENT_KEYWORDS = new Set(
  (
    'ALTER BACKUP BEGIN BULK CHECKPOINT CLOSE COMMIT CREATE DBCC DEALLOCATE DELETE DENY DISABLE DROP ENABLE EXEC ' +
    'EXECUTE FETCH GET GO GOTO GRANT IF INSERT KILL MERGE MOVE OPEN PRINT RAISERROR READTEXT RECEIVE RECONFIGURE ' +
    'RESTORE RETURN REVERT REVOKE ROLLBACK SAVE SEND SET SETUSER SHUTDOWN THROW TRUNCATE UPDATE UPDATETEXT USE ' +
    'WAITFOR WHILE WRITETEXT'
  ).split(' '),
);
const READ_ONLY_SCOPE = 'read-only mode runs SELECT, DECLARE, SET @variable and catalog procedures only';
/**
 * Temporary tables are refused like any table: they are writes (to tempdb, shared by the whole server), and the
 * guard would have to tell a #table's INSERT from any other. What people build them for, a named intermediate
 * result, a CTE gives in one statement.
 */
const INTERMEDIATE =
  'name the intermediate result in a CTE instead (WITH t AS (SELECT ...) SELECT ... FROM t), or use a derived table';
const WRITE_KINDS = new Set(['Query', 'Insert', 'Update', 'Delete']);

type Span = { start: { line: number; column: number } };
type Node = Record<string, unknown>;

class Refusal extends Error {
  constructor(
    readonly what: string,
    readonly why: string,
    readonly span?: Span,
    /** Refused as a whole statement: located at its first keyword. */
    readonly statementLevel = false,
  ) {
    super(why);
  }
}

export function checkStatement(sqlText: string, policy: GuardPolicy): GuardResult {
  const tokens = lex(sqlText);
  if (!tokens.length) return { ok: false, reason: 'The statement is empty.' };
  let batch: AstStatement[];
  try {
    batch = parseBatch(forGrammar(sqlText, tokens));
  } catch (err) {
    if (!(err instanceof TsqlSyntaxError)) throw err;
    return syntaxRefusal(err, tokens, policy);
  }
  if (!batch.length) return { ok: false, reason: 'The statement is empty.' };
  const walker = new Walker(policy, tokens);
  try {
    if (policy.mode === 'write') {
      if (batch.length !== 1)
        throw new Refusal(
          'the batch',
          `execute_statement runs one statement at a time; this text holds ${batch.length}. Send each separately.`,
        );
      const kind = kindOf(batch[0]!);
      if (!WRITE_KINDS.has(kind))
        throw new Refusal(
          keyword(kind),
          'execute_statement runs SELECT, INSERT, UPDATE and DELETE only',
          firstSpan(batch[0]),
          true,
        );
      walker.ctes = new Set();
      walker.walk(batch[0], true);
    } else {
      for (const st of batch) walker.statement(st);
    }
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    const at =
      (err.statementLevel ? locate(tokens, err.what) : undefined) ??
      err.span?.start ??
      locate(tokens, err.what);
    const where = at ? ` at line ${at.line}, column ${at.column}` : '';
    return {
      ok: false,
      reason: `\`${err.what}\`${where}: ${err.why.replace(/\.+$/, '')}.`,
      ...(at ? { line: at.line, column: at.column } : {}),
    };
  }
  return { ok: true, statements: batch.map(kindOf) };
}

/** Statements the grammar does not know are named by their first word; other syntax errors by position. */
function syntaxRefusal(err: TsqlSyntaxError, tokens: LexToken[], policy: GuardPolicy): GuardResult {
  const token = err.line ? tokenAt(tokens, err.line, err.column ?? 1) : undefined;
  const where = err.line ? ` at line ${err.line}, column ${err.column}` : '';
  const pos = err.line ? { line: err.line, column: err.column } : {};
  const startsStatement = (() => {
    if (!token) return false;
    const i = tokens.indexOf(token);
    return i === 0 || tokens[i - 1]!.text === ';';
  })();
  if (
    token &&
    token.kind === 'word' &&
    startsStatement &&
    /^SP_|^XP_/.test(token.text) &&
    policy.mode === 'read'
  )
    return {
      ok: false,
      reason: `\`${token.text.toLowerCase()}\`${where}: call a procedure with EXEC (\`EXEC ${token.text.toLowerCase()} ...\`).`,
      ...pos,
    };
  if (token && token.kind === 'word' && startsStatement && STATEMENT_KEYWORDS.has(token.text)) {
    const why =
      policy.mode === 'read'
        ? READ_ONLY_SCOPE
        : 'execute_statement runs SELECT, INSERT, UPDATE and DELETE only';
    return { ok: false, reason: `\`${token.text}\`${where}: ${why}.`, ...pos };
  }
  const near = token ? ` near \`${token.kind === 'word' ? token.text : token.text.slice(0, 40)}\`` : '';
  return {
    ok: false,
    reason: `The statement could not be read${near}${where}. Check the T-SQL syntax there; ${
      policy.mode === 'read' ? READ_ONLY_SCOPE : 'execute_statement runs one INSERT, UPDATE or DELETE'
    }.`,
    ...pos,
  };
}

class Walker {
  /**
   * CTE names in scope where the walk is: one-part references to them are not tables. As T-SQL scopes them, a CTE
   * is visible in its own body (recursion), in the CTEs after it and in the statement of its own WITH, nowhere
   * else; a later CTE or a nested query's CTE never hides a table named before or beside it.
   */
  ctes = new Set<string>();

  constructor(
    private readonly policy: GuardPolicy,
    private readonly tokens: LexToken[],
  ) {}

  statement(st: AstStatement): void {
    this.ctes = new Set();
    const kind = kindOf(st);
    const body = st[kind] as Node;
    switch (kind) {
      case 'Query':
        return this.walk(body, false);
      case 'Declare':
        return this.declare(body);
      case 'Set':
        return this.set(body);
      case 'Execute':
        return this.execute(body);
      case 'Use':
        throw new Refusal(
          'USE',
          'a call cannot switch databases; pass the database in the "database" argument instead',
        );
      case 'CreateTable':
        throw new Refusal(
          keyword(kind),
          `read-only mode creates no table, temporary ones included; ${INTERMEDIATE}`,
          firstSpan(body),
          true,
        );
      default:
        throw new Refusal(keyword(kind), READ_ONLY_SCOPE, firstSpan(body), true);
    }
  }

  private declare(body: Node): void {
    for (const d of (body.stmts as Node[]) ?? []) {
      const name = ((d.names as Array<{ value: string }>)?.[0]?.value ?? '').toString();
      if (d.declare_type === 'Cursor')
        throw new Refusal(
          `DECLARE ${name} CURSOR`,
          'cursors are not offered in read-only mode; use a SELECT',
        );
      const type = d.data_type as Node | undefined;
      if (type && typeof type === 'object' && 'Table' in type)
        throw new Refusal(
          `DECLARE ${name} TABLE`,
          `table variables need INSERT, which read-only mode does not run; ${INTERMEDIATE}`,
        );
      if (!name.startsWith('@'))
        throw new Refusal(`DECLARE ${name}`, 'only @variables can be declared in read-only mode');
      this.walk(d.assignment, false);
    }
  }

  private set(body: Node): void {
    const single = body.SingleAssignment as Node | undefined;
    if (single) {
      for (const v of (single.variable as Node[]) ?? []) {
        const name = String((v.Identifier as { value?: string } | undefined)?.value ?? '');
        if (!name.startsWith('@'))
          throw new Refusal(`SET ${name}`, 'read-only mode sets @variables and NOCOUNT only');
      }
      return this.walk(single.values, false);
    }
    const generic = (body.SetSessionParam as Node | undefined)?.Generic as Node | undefined;
    const names = ((generic?.names as string[]) ?? []).map((n) => n.toUpperCase());
    if (names.length === 1 && names[0] === 'NOCOUNT') return;
    const what = names.length ? `SET ${names.join(' ')}` : 'SET';
    throw new Refusal(
      what,
      'session settings would outlive this call on a pooled connection; read-only mode sets @variables and NOCOUNT only',
    );
  }

  private execute(body: Node): void {
    const parts = nameParts(body.name);
    if (!parts.length)
      throw new Refusal('EXEC (...)', 'dynamic SQL is not run in read-only mode; send the statement itself');
    const first = parts[0]!;
    if (parts.length === 1 && first.value.toUpperCase() === 'AS')
      throw new Refusal(
        'EXECUTE AS',
        'the bridge runs every call as the signed-in user itself; changing the user is not allowed',
        first.span,
      );
    if (first.value.startsWith('@'))
      throw new Refusal(
        `EXEC ${first.value}`,
        'a procedure chosen at run time cannot be checked',
        first.span,
      );
    this.objectName(parts, 'procedure');
    const proc = parts[parts.length - 1]!.value.toLowerCase();
    const schema = parts.length >= 2 ? parts[parts.length - 2]!.value.toLowerCase() : undefined;
    const full = `${schema || 'dbo'}.${proc}`;
    if (proc === 'sp_executesql')
      throw new Refusal(
        'sp_executesql',
        'dynamic SQL is not run in read-only mode; send the statement itself',
        first.span,
      );
    const builtin = BUILTIN_PROCS.has(proc) && (!schema || schema === 'sys' || schema === 'dbo');
    const declared = (this.policy.readOnlyProcedures ?? []).some((p) => {
      const [s, n] = p.includes('.') ? p.toLowerCase().split('.', 2) : ['dbo', p.toLowerCase()];
      return `${s}.${n}` === full || (!schema && n === proc && s === 'dbo');
    });
    if (!builtin && !declared)
      throw new Refusal(
        `EXEC ${parts.map((p) => p.value).join('.')}`,
        `read-only mode runs only the catalog procedures ${READ_ONLY_PROCEDURES.join(', ')} and those this connection lists in read_only_procedures`,
        first.span,
      );
    for (const param of (body.parameters as Node[]) ?? []) this.procedureArgument(proc, param);
  }

  /** Object names and database qualifiers passed as strings are checked like names in the text. */
  private procedureArgument(proc: string, param: Node): void {
    const named = param.BinaryOp as { left?: Node; right?: Node } | undefined;
    const argName = named
      ? String((named.left?.Identifier as { value?: string } | undefined)?.value ?? '').toLowerCase()
      : '';
    const value = stringValue(named ? named.right : param);
    this.walk(named ? named.right : param, false);
    // A name in a variable or an expression cannot be checked before it runs: under a table policy, refused.
    if (value === undefined) {
      if (this.policy.access?.tablesRestricted && NAME_ARGUMENT_PROCS.has(proc))
        throw new Refusal(
          proc,
          'your access policy limits tables, so its object name or statement must be written as a literal (not a variable or an expression) for the bridge to check it',
        );
      return;
    }
    if (proc === 'sp_describe_first_result_set' && (argName === '' || argName === '@tsql')) {
      const inner = checkStatement(value, { ...this.policy, mode: 'read' });
      if (!inner.ok)
        throw new Refusal('sp_describe_first_result_set', `its statement is refused: ${inner.reason}`);
      return;
    }
    if (argName.endsWith('_qualifier')) {
      const refusal = databaseRefusal(value, this.policy);
      if (refusal) throw new Refusal(`${argName} = '${value}'`, refusal);
      return;
    }
    let named2: AstStatement[];
    try {
      named2 = parseBatch(`SELECT 1 FROM ${value}`);
    } catch {
      return; // not an object name: SQL Server answers for it
    }
    this.walk(named2[0], false);
  }

  /** Walks any subtree, refusing what read-only mode (or any mode) never runs. */
  walk(node: unknown, writeAllowed: boolean, depth = 0): void {
    if (!node || typeof node !== 'object' || depth > 400) return;
    if (Array.isArray(node)) {
      for (const x of node) this.walk(x, writeAllowed, depth + 1);
      return;
    }
    const n = node as Node;
    const ctes = (n.with as { cte_tables?: unknown } | undefined)?.cte_tables;
    if (Array.isArray(ctes)) return this.withScope(n, ctes as Node[], writeAllowed, depth);
    for (const [key, value] of Object.entries(n)) this.entry(key, value, writeAllowed, depth);
  }

  /** A query with a WITH clause: each CTE sees itself and those before it; the rest of the query sees them all. */
  private withScope(n: Node, ctes: Node[], writeAllowed: boolean, depth: number): void {
    const outer = this.ctes;
    const scope = new Set(outer);
    try {
      for (const cte of ctes) {
        const name = (cte.alias as { name?: { value?: string } } | undefined)?.name?.value;
        if (name) scope.add(name.toLowerCase());
        this.ctes = new Set(scope);
        this.walk(cte, writeAllowed, depth + 1);
      }
      this.ctes = scope;
      for (const [key, value] of Object.entries(n))
        if (key !== 'with') this.entry(key, value, writeAllowed, depth);
    } finally {
      this.ctes = outer;
    }
  }

  private entry(key: string, value: unknown, writeAllowed: boolean, depth: number): void {
    {
      if (WRITE_NODES[key] && value && typeof value === 'object' && !writeAllowed)
        throw new Refusal(WRITE_NODES[key], READ_ONLY_SCOPE, firstSpan(value));
      if (key === 'into' && value && typeof value === 'object' && !Array.isArray(value) && 'name' in value)
        throw new Refusal(
          'SELECT ... INTO',
          `it creates a table (temporary ones too), which read-only mode does not allow; ${INTERMEDIATE}`,
          firstSpan(value),
        );
      if (key === 'Table' && value && typeof value === 'object') this.table(value as Node);
      if (key === 'Function' && value && typeof value === 'object') this.func(value as Node);
      if (key === 'span') return;
      this.walk(value, writeAllowed, depth + 1);
    }
  }

  private table(t: Node): void {
    const parts = nameParts(t.name);
    if (!parts.length) return;
    const last = parts[parts.length - 1]!;
    if (OUTSIDE_FUNCTIONS.has(last.value.toUpperCase()))
      throw new Refusal(
        last.value.toUpperCase(),
        'it reaches outside this database (linked servers, files) and is not allowed',
        last.span,
      );
    this.objectName(parts, 'table');
    this.tableAccess(parts, t.args !== undefined && t.args !== null);
    for (const hint of (t.with_hints as Node[]) ?? []) {
      const id = hint.Identifier as { value?: string; span?: Span } | undefined;
      const h = String(id?.value ?? '').toUpperCase();
      if (LOCKING_HINTS.has(h))
        throw new Refusal(
          `WITH (${h})`,
          "it takes locks that would hold other users' writes until the call ends; read without locking hints",
          id?.span,
        );
    }
  }

  private func(f: Node): void {
    const parts = nameParts(f.name);
    const last = parts[parts.length - 1];
    if (!last) return;
    if (OUTSIDE_FUNCTIONS.has(last.value.toUpperCase()))
      throw new Refusal(
        last.value.toUpperCase(),
        'it reaches outside this database (linked servers, files) and is not allowed',
        last.span,
      );
    if (parts.length >= 3) this.objectName(parts, 'function');
  }

  /** The person's table rules; CTEs, temporary tables and built-in table functions are not tables to check. */
  private tableAccess(parts: Array<{ value: string; span?: Span }>, isFunction: boolean): void {
    const access = this.policy.access;
    if (!access) return;
    const last = parts[parts.length - 1]!;
    if (parts.length === 1 && (isFunction || this.ctes.has(last.value.toLowerCase()))) return;
    if (last.value.startsWith('#') || last.value.startsWith('@')) return;
    const db = (parts.length === 3 && parts[0]!.value) || this.policy.database || '';
    const schema = (parts.length >= 2 && parts[parts.length - 2]!.value) || 'dbo';
    const refusal = access.tableRefusal(db, schema, last.value);
    if (refusal) throw new Refusal(parts.map((p) => p.value).join('.'), refusal, parts[0]!.span);
  }

  /** `server.db.schema.name` and `db.schema.name`: linked servers refused, databases checked. */
  private objectName(parts: Array<{ value: string; span?: Span }>, what: string): void {
    const text = parts.map((p) => p.value).join('.');
    if (parts.length > 3)
      throw new Refusal(
        text,
        `a four-part ${what} name goes through a linked server, which is not allowed`,
        parts[0]!.span,
      );
    if (parts.length === 3 && parts[0]!.value) {
      const refusal = databaseRefusal(parts[0]!.value, this.policy);
      if (refusal) throw new Refusal(text, refusal, parts[0]!.span);
    }
  }
}

export function databaseRefusal(
  db: string,
  policy: Pick<GuardPolicy, 'blockedDatabases' | 'allowedDatabases' | 'access'>,
): string | undefined {
  const byPolicy = policy.access?.databaseRefusal(db);
  if (byPolicy) return byPolicy;
  const lower = db.toLowerCase();
  if (policy.blockedDatabases.some((b) => b.toLowerCase() === lower))
    return `Database "${db}" is blocked for this connection (blocked_databases).`;
  if (policy.allowedDatabases.length && !policy.allowedDatabases.some((a) => a.toLowerCase() === lower)) {
    return `Database "${db}" is not in this connection's allowed_databases.`;
  }
  return undefined;
}

function kindOf(st: AstStatement): string {
  return Object.keys(st)[0] ?? 'unknown';
}

/** `CreateTable` -> `CREATE TABLE`, `StartTransaction` -> `BEGIN TRANSACTION`. */
function keyword(kind: string): string {
  const special: Record<string, string> = {
    StartTransaction: 'BEGIN TRANSACTION',
    WaitFor: 'WAITFOR',
    RaisError: 'RAISERROR',
    Query: 'SELECT',
  };
  return special[kind] ?? kind.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}

function nameParts(name: unknown): Array<{ value: string; span?: Span }> {
  if (!Array.isArray(name)) return [];
  return name
    .map((p: Node) => (p.Identifier ?? p) as { value?: string; span?: Span })
    .filter((p) => typeof p.value === 'string')
    .map((p) => ({ value: p.value!, span: p.span }));
}

function stringValue(node: unknown): string | undefined {
  const v = ((node as Node | undefined)?.Value as Node | undefined)?.value as Node | undefined;
  if (!v) return undefined;
  const s = v.SingleQuotedString ?? v.NationalStringLiteral ?? v.DoubleQuotedString;
  return typeof s === 'string' ? s : undefined;
}

function firstSpan(node: unknown, depth = 0): Span | undefined {
  if (!node || typeof node !== 'object' || depth > 50) return undefined;
  const n = node as Node;
  const span = n.span as Span | undefined;
  if (span?.start?.line) return span;
  for (const v of Object.values(n)) {
    const found = firstSpan(v, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** For refusals without a span: the first token spelling the construct's first word. */
function locate(tokens: LexToken[], what: string): { line: number; column: number } | undefined {
  const word = what.split(/[\s.(]/)[0]!.toUpperCase();
  const t = tokens.find((x) => x.text.toUpperCase() === word);
  return t ? { line: t.line, column: t.column } : undefined;
}

/**
 * A T-SQL lexer for the guard: words, quoted names, strings, numbers and punctuation with their line and
 * column. The guard parses with a real grammar (sqlparser-rs); this lexer only lets it name the token at a
 * position and rewrite, in place, the few constructs the grammar lacks (`forGrammar`).
 */

export interface LexToken {
  kind: 'word' | 'ident' | 'string' | 'number' | 'var' | 'punct';
  /** Upper-cased for words, the raw text otherwise. */
  text: string;
  start: number;
  end: number;
  line: number;
  column: number;
}

export function lex(sql: string): LexToken[] {
  const out: LexToken[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const advance = (to: number) => {
    for (let k = i; k < to && k < sql.length; k++)
      if (sql[k] === '\n') {
        line++;
        lineStart = k + 1;
      }
    i = to;
  };
  const push = (kind: LexToken['kind'], end: number) => {
    const raw = sql.slice(i, end);
    out.push({
      kind,
      text: kind === 'word' ? raw.toUpperCase() : raw,
      start: i,
      end,
      line,
      column: i - lineStart + 1,
    });
    advance(end);
  };
  const closeQuote = (from: number, close: string) => {
    let j = from;
    while (j < sql.length) {
      if (sql[j] === close) {
        if (sql[j + 1] === close) j += 2;
        else return j + 1;
      } else j++;
    }
    return sql.length;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const two = sql.slice(i, i + 2);
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\f' || c === '\v') advance(i + 1);
    else if (two === '--') {
      const nl = sql.indexOf('\n', i);
      advance(nl === -1 ? sql.length : nl);
    } else if (two === '/*') {
      let depth = 1;
      let j = i + 2;
      while (j < sql.length && depth) {
        const p = sql.slice(j, j + 2);
        if (p === '/*' || p === '*/') {
          depth += p === '/*' ? 1 : -1;
          j += 2;
        } else j++;
      }
      advance(j);
    } else if (c === "'") push('string', closeQuote(i + 1, "'"));
    else if ((c === 'N' || c === 'n') && sql[i + 1] === "'") push('string', closeQuote(i + 2, "'"));
    else if (c === '[') push('ident', closeQuote(i + 1, ']'));
    else if (c === '"') push('ident', closeQuote(i + 1, '"'));
    else if (isDigit(c)) {
      let j = i + 1;
      while (j < sql.length && (isWordChar(sql[j]!) || sql[j] === '.')) j++;
      push('number', j);
    } else if (c === '@' || isWordStart(c)) {
      let j = i + 1;
      while (j < sql.length && (isWordChar(sql[j]!) || sql[j] === '@' || sql[j] === '$')) j++;
      push(c === '@' ? 'var' : 'word', j);
    } else push('punct', i + 1);
  }
  return out;
}

const isDigit = (c: string) => c >= '0' && c <= '9';
const isWordStart = (c: string) => /\p{L}/u.test(c) || c === '_' || c === '#';
const isWordChar = (c: string) => /[\p{L}\p{N}]/u.test(c) || c === '_' || c === '#';

/** The token that starts at (or covers) a line and column, for naming it in a message. */
export function tokenAt(tokens: LexToken[], line: number, column: number): LexToken | undefined {
  return (
    tokens.find((t) => t.line === line && t.column === column) ??
    tokens.find((t) => t.line === line && t.column <= column && column < t.column + (t.end - t.start)) ??
    tokens.find((t) => t.line > line || (t.line === line && t.column >= column))
  );
}

const JOIN_HINTS = new Set(['HASH', 'LOOP', 'MERGE', 'REMOTE']);
const JOIN_KINDS = new Set(['INNER', 'OUTER', 'LEFT', 'RIGHT', 'FULL', 'CROSS']);
/** Operators of T-SQL's compound assignment (`+=` ... `^=`). */
const COMPOUND = new Set(['+', '-', '*', '/', '%', '&', '|', '^']);

/** The index of the `)` that closes the `(` at `open`, or -1. */
function closing(tokens: LexToken[], open: number): number {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    if (tokens[j]!.text === '(') depth++;
    if (tokens[j]!.text === ')' && --depth === 0) return j;
  }
  return -1;
}

/**
 * The text sqlparser-rs's T-SQL grammar is given, every character kept where it was (so a position it reports is
 * a position in what the person wrote), rewritten only where the grammar lacks a construct that cannot read or
 * write anything by itself:
 * - optimizer hints are blanked: join hints (`INNER HASH JOIN`), `WITH ROLLUP`/`WITH CUBE`, `OPTION (...)`;
 * - `GROUP BY GROUPING SETS (...)` is read as a call `SETS(...)` (its empty set `()` as `0`): the grammar's
 *   T-SQL dialect lacks grouping sets, and every expression inside is still walked;
 * - `PARSE(x AS type USING culture)` and `TRY_PARSE(...)` are read as `CAST(x AS type)` and `TRY_CAST(...)`:
 *   the culture is a string or a variable, and `x` is still walked;
 * - compound assignment (`SET @i += 1`, `SET a *= 2`) is read as plain assignment, its expression still walked;
 * - a variable row count after `FETCH NEXT`/`FETCH FIRST` is read as `1` (a variable reads and writes nothing).
 * What runs on the server is always the original text.
 */
export function forGrammar(sql: string, tokens: LexToken[]): string {
  const chars = sql.split('');
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (chars[k] !== '\n') chars[k] = ' ';
  };
  const write = (at: number, text: string) => {
    for (let k = 0; k < text.length; k++) chars[at + k] = text[k]!;
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    const prev = tokens[i - 1];
    if (t.kind === 'punct' && COMPOUND.has(t.text) && next?.text === '=' && next.start === t.end)
      blank(t.start, t.end);
    if (t.kind !== 'word') continue;
    if ((t.text === 'FIRST' || t.text === 'NEXT') && prev?.text === 'FETCH' && next?.kind === 'var') {
      blank(next.start, next.end);
      write(next.start, '1');
    } else if (JOIN_HINTS.has(t.text) && next?.text === 'JOIN' && prev && JOIN_KINDS.has(prev.text))
      blank(t.start, t.end);
    else if (t.text === 'WITH' && next && (next.text === 'ROLLUP' || next.text === 'CUBE'))
      blank(t.start, next.end);
    else if (t.text === 'OPTION' && next?.text === '(') {
      const j = closing(tokens, i + 1);
      blank(t.start, tokens[j === -1 ? tokens.length - 1 : j]!.end);
      i = j === -1 ? tokens.length : j;
    } else if (t.text === 'GROUPING' && next?.text === 'SETS' && tokens[i + 2]?.text === '(') {
      blank(t.start, t.end);
      const end = closing(tokens, i + 2);
      for (let j = i + 3; j < end; j++)
        // An empty grouping set: `(` `)` standing as an element (after `(` or `,`), not a call's empty arguments.
        if (tokens[j]!.text === '(' && tokens[j + 1]?.text === ')' && /^[(,]$/.test(tokens[j - 1]!.text)) {
          write(tokens[j]!.start, '0');
          blank(tokens[j + 1]!.start, tokens[j + 1]!.end);
        }
    } else if ((t.text === 'PARSE' || t.text === 'TRY_PARSE') && next?.text === '(' && prev?.text !== '.') {
      const end = closing(tokens, i + 1);
      let depth = 0;
      for (let j = i + 1; j < end; j++) {
        const u = tokens[j]!;
        if (u.text === '(') depth++;
        if (u.text === ')') depth--;
        const culture = tokens[j + 1];
        if (depth === 1 && u.text === 'USING' && (culture?.kind === 'string' || culture?.kind === 'var'))
          blank(u.start, culture.end);
      }
      blank(t.start, t.end);
      write(t.start, t.text === 'PARSE' ? 'CAST' : 'TRY_CAST');
    }
  }
  return chars.join('');
}

/** The `@name` parameters a statement uses (not `@@` functions), each once, as written (without the `@`). */
export function parameterNames(sql: string): string[] {
  const names = lex(sql)
    .filter((t) => t.kind === 'var' && !t.text.startsWith('@@'))
    .map((t) => t.text.slice(1));
  return [...new Set(names)];
}

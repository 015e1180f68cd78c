/**
 * A T-SQL lexer for the guard: words, quoted names, strings, numbers and punctuation with their line and
 * column. The guard parses with a real grammar (sqlparser-rs); this lexer only lets it name the token at a
 * position and blank optimizer hints the grammar lacks, keeping every other character where it was.
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

/**
 * Blanks the optimizer hints that sqlparser-rs's T-SQL grammar does not know, so the statement can be
 * classified: join hints (`INNER HASH JOIN`), `WITH ROLLUP`/`WITH CUBE` and query hints (`OPTION (...)`).
 * None of them can read or write anything; what runs on the server is always the original text.
 */
export function blankHints(sql: string, tokens: LexToken[]): string {
  const chars = sql.split('');
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (chars[k] !== '\n') chars[k] = ' ';
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'word') continue;
    const next = tokens[i + 1];
    const prev = tokens[i - 1];
    if (JOIN_HINTS.has(t.text) && next?.text === 'JOIN' && prev && JOIN_KINDS.has(prev.text))
      blank(t.start, t.end);
    else if (t.text === 'WITH' && next && (next.text === 'ROLLUP' || next.text === 'CUBE'))
      blank(t.start, next.end);
    else if (t.text === 'OPTION' && next?.text === '(') {
      let depth = 0;
      let j = i + 1;
      for (; j < tokens.length; j++) {
        if (tokens[j]!.text === '(') depth++;
        if (tokens[j]!.text === ')' && --depth === 0) break;
      }
      blank(t.start, tokens[Math.min(j, tokens.length - 1)]!.end);
      i = j;
    }
  }
  return chars.join('');
}

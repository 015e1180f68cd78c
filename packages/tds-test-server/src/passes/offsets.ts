/** Pass 11. Expressions as OFFSET/FETCH counts, parenthesized: after every expression is rewritten. */
import { type Token } from '../syntax.js';
import { up, raw } from './tokens.js';

/** `OFFSET (@p - 1) * @n ROWS`, `FETCH NEXT @n + 1 ROWS`: PostgreSQL takes an expression there only in parentheses. */
export function offsetExpressions(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    out.push(t);
    const kw = up(t);
    if (kw !== 'OFFSET' && !((kw === 'NEXT' || kw === 'FIRST') && up(tokens[i - 1]) === 'FETCH')) continue;
    let depth = 0;
    let j = i + 1;
    for (; j < tokens.length; j++) {
      if (tokens[j]!.text === '(') depth++;
      if (tokens[j]!.text === ')') depth--;
      if (depth === 0 && (up(tokens[j]) === 'ROWS' || up(tokens[j]) === 'ROW')) break;
    }
    if (j >= tokens.length || j - i <= 2) continue;
    out.push(raw('('), ...tokens.slice(i + 1, j), raw(')'));
    i = j - 1;
  }
  return out;
}

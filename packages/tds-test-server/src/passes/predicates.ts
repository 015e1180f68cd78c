/** Pass 9. LIKE under SQL Server's collation: on the final expressions. */
import { type Token } from '../syntax.js';
import { up, raw } from './tokens.js';

/** LIKE under SQL Server's case-insensitive default collation, with its [character classes]. */
export function predicates(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const kw = up(tokens[i]);
    if (kw === 'NOT' && up(tokens[i + 1]) === 'LIKE') {
      out.push(raw('!~~#'));
      i++;
    } else if (kw === 'LIKE') out.push(raw('~~#'));
    else out.push(tokens[i]!);
  }
  return out;
}

/** Pass 3. `WITH ROLLUP`/`WITH CUBE` to `ROLLUP (...)`: before functions, which would read WITH as a hint. */
import { type Token } from '../syntax.js';
import { up, raw, word } from './tokens.js';

/** `GROUP BY a, b WITH ROLLUP` -> `GROUP BY ROLLUP (a, b)` (and CUBE). */
export function groupByWith(tokens: Token[]): Token[] {
  for (let i = 0; i < tokens.length - 1; i++) {
    if (up(tokens[i]) !== 'WITH' || !['ROLLUP', 'CUBE'].includes(up(tokens[i + 1]))) continue;
    let g = i - 1;
    let depth = 0;
    for (; g > 0; g--) {
      if (tokens[g]!.text === ')') depth++;
      if (tokens[g]!.text === '(') depth--;
      if (depth === 0 && up(tokens[g]) === 'BY' && up(tokens[g - 1]) === 'GROUP') break;
    }
    if (g <= 0) continue;
    return groupByWith([
      ...tokens.slice(0, g + 1),
      word(up(tokens[i + 1])),
      raw('('),
      ...tokens.slice(g + 1, i),
      raw(')'),
      ...tokens.slice(i + 2),
    ]);
  }
  return tokens;
}

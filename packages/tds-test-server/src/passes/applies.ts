/** Pass 8. CROSS/OUTER APPLY to LATERAL joins, once every table source is in its final form. */
import { closeOf, type Token } from '../syntax.js';
import { up, word, isName } from './tokens.js';

/** CROSS APPLY -> CROSS JOIN LATERAL; OUTER APPLY x alias -> LEFT JOIN LATERAL x alias ON TRUE. */
export function applies(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const kw = up(tokens[i]);
    if ((kw === 'CROSS' || kw === 'OUTER') && up(tokens[i + 1]) === 'APPLY') {
      out.push(
        ...(kw === 'CROSS' ? [word('CROSS'), word('JOIN')] : [word('LEFT'), word('JOIN')]),
        word('LATERAL'),
      );
      i++;
      if (kw === 'OUTER') {
        // Find the end of the applied source and its alias, then add ON TRUE.
        let j = i + 1;
        while (isName(tokens[j]) && tokens[j + 1]?.text === '.') j += 2;
        if (isName(tokens[j]) && tokens[j + 1]?.text === '(') j++;
        if (tokens[j]?.text === '(') j = closeOf(tokens, j);
        let k = j + 1;
        if (up(tokens[k]) === 'AS') k++;
        if (
          isName(tokens[k]) &&
          !['WHERE', 'JOIN', 'CROSS', 'OUTER', 'LEFT', 'INNER', 'ORDER', 'GROUP'].includes(up(tokens[k]))
        )
          k++;
        if (tokens[k]?.text === '(') k = closeOf(tokens, k) + 1;
        out.push(...tokens.slice(i + 1, k), word('ON'), word('TRUE'));
        i = k - 1;
      }
      continue;
    }
    out.push(tokens[i]!);
  }
  return out;
}

/** Pass 10. `alias = expression` in a select list, once expressions no longer change. */
import { closeOf, splitTop, type Token } from '../syntax.js';
import { up, raw, word, isName } from './tokens.js';

/** `SELECT Total = SUM(x)` and `[Order Count] = COUNT(*)`: T-SQL's alias = expression form. */
export function selectAliases(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    out.push(tokens[i]!);
    if (up(tokens[i]) !== 'SELECT') continue;
    let j = i + 1;
    if (up(tokens[j]) === 'DISTINCT' || up(tokens[j]) === 'ALL') out.push(tokens[j++]!);
    if (up(tokens[j]) === 'TOP') {
      out.push(tokens[j++]!);
      if (tokens[j]?.text === '(') {
        const c = closeOf(tokens, j);
        out.push(...tokens.slice(j, c + 1));
        j = c + 1;
      } else out.push(tokens[j++]!);
      while (['PERCENT', 'WITH', 'TIES'].includes(up(tokens[j]))) out.push(tokens[j++]!);
    }
    let depth = 0;
    let end = j;
    for (; end < tokens.length; end++) {
      const t = tokens[end]!;
      if (t.text === '(') depth++;
      if (t.text === ')') {
        if (depth === 0) break;
        depth--;
      }
      if (
        depth === 0 &&
        [
          'FROM',
          'WHERE',
          'GROUP',
          'ORDER',
          'UNION',
          'EXCEPT',
          'INTERSECT',
          'INTO',
          'HAVING',
          'FOR',
          'OPTION',
        ].includes(up(t))
      )
        break;
      if (depth === 0 && t.text === ';') break;
    }
    const items = splitTop(tokens.slice(j, end));
    items.forEach((item, k) => {
      if (k) out.push(raw(','));
      if (
        item.length > 2 &&
        (isName(item[0]) || item[0]!.kind === 'string') &&
        item[1]!.text === '=' &&
        item[1]!.kind === 'op'
      )
        out.push(...item.slice(2), word('AS'), { ...item[0]!, kind: 'ident' });
      else out.push(...item);
    });
    i = end - 1;
  }
  return out;
}

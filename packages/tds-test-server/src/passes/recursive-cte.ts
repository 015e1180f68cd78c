/** Pass 2. WITH RECURSIVE where a CTE names itself: before functions, which rewrite inside CTE bodies. */
import { closeOf, type Token } from '../syntax.js';
import { up, word, isName } from './tokens.js';

/** A CTE that names itself in its body is recursive: PostgreSQL wants WITH RECURSIVE. */
export function recursiveCte(tokens: Token[]): Token[] {
  const w = tokens.findIndex((t) => up(t) === 'WITH');
  if (w === -1 || tokens.slice(0, w).some((t) => t.text !== ';')) return tokens;
  let i = w + 1;
  while (i < tokens.length) {
    const name = tokens[i];
    if (!isName(name)) return tokens;
    let j = i + 1;
    if (tokens[j]?.text === '(') j = closeOf(tokens, j) + 1;
    if (up(tokens[j]) !== 'AS' || tokens[j + 1]?.text !== '(') return tokens;
    const close = closeOf(tokens, j + 1);
    const body = tokens.slice(j + 2, close);
    if (body.some((b) => isName(b) && b.value.toLowerCase() === name!.value.toLowerCase()))
      return [...tokens.slice(0, w + 1), word('RECURSIVE'), ...tokens.slice(w + 1)];
    if (tokens[close + 1]?.text !== ',') return tokens;
    i = close + 2;
  }
  return tokens;
}

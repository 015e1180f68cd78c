/** Pass 5. OPENJSON ... WITH (...) to a subquery: before APPLY becomes LATERAL, which then joins it. */
import { closeOf, splitTop, type Token } from '../syntax.js';
import { up, raw, word, qi, type TransformContext } from './tokens.js';

/** `OPENJSON(doc [, path]) WITH (col type ['$.path'] [AS JSON], ...)` -> a subquery over tsql_openjson_rows(). */
export function openJson(tokens: Token[], ctx: TransformContext): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (up(t) !== 'OPENJSON' || tokens[i + 1]?.text !== '(') {
      out.push(t);
      continue;
    }
    const close = closeOf(tokens, i + 1);
    if (up(tokens[close + 1]) !== 'WITH' || tokens[close + 2]?.text !== '(') {
      out.push(word('openjson'), ...tokens.slice(i + 1, close + 1));
      i = close;
      continue;
    }
    const wclose = closeOf(tokens, close + 2);
    const cols = splitTop(tokens.slice(close + 3, wclose)).map((c) => {
      const name = c[0]!.value;
      const asJson = up(c[c.length - 2]) === 'AS' && up(c[c.length - 1]) === 'JSON';
      const rest = asJson ? c.slice(1, -2) : c.slice(1);
      const pathTok =
        rest.length && ['string', 'nstring'].includes(rest[rest.length - 1]!.kind) ? rest.pop() : undefined;
      const path = pathTok ? pathTok.value : `$.${name}`;
      const keys = path
        .replace(/^\$\.?/, '')
        .split('.')
        .filter(Boolean);
      const arr = `'{${keys.map((k) => k.replace(/[{}",\\]/g, '')).join(',')}}'`;
      return asJson
        ? `(tds_j.doc #> ${arr})::text AS ${qi(name)}`
        : `CAST(tds_j.doc #>> ${arr} AS ${ctx.typeText(rest)}) AS ${qi(name)}`;
    });
    out.push(
      raw(`(SELECT ${cols.join(', ')} FROM tsql_openjson_rows(`),
      ...tokens.slice(i + 2, close),
      raw(') AS tds_j(doc))'),
    );
    i = wclose;
  }
  return out;
}

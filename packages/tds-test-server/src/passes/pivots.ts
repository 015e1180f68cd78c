/** Pass 7. PIVOT/UNPIVOT as conditional aggregates and LATERAL VALUES: before APPLY, which the UNPIVOT form uses. */
import { closeOf, splitTop, TranslateError, type Token } from '../syntax.js';
import { up, raw, qi, isName, type TransformContext } from './tokens.js';

/** The output column names of a derived table's select list (or a table's columns). */
function sourceColumns(src: Token[], ctx: TransformContext): string[] {
  if (src[0]?.text === '(') {
    const body = src.slice(1, -1);
    let depth = 0;
    let from = body.length;
    for (let k = 0; k < body.length; k++) {
      if (body[k]!.text === '(') depth++;
      if (body[k]!.text === ')') depth--;
      if (depth === 0 && up(body[k]) === 'FROM') {
        from = k;
        break;
      }
    }
    let s = 1;
    if (up(body[s]) === 'DISTINCT') s++;
    return splitTop(body.slice(s, from)).map((item) => {
      const last = item[item.length - 1]!;
      if (last.text === '*')
        throw new TranslateError(
          'PIVOT over SELECT * is not supported by the TDS test server; name the columns.',
        );
      return last.value;
    });
  }
  const parts = src.filter(isName).map((t) => t.value);
  const cols = ctx.columnsOf(parts);
  if (!cols) throw new TranslateError(`Invalid object name '${parts.join('.')}'.`, 208);
  return cols;
}

/** PIVOT and UNPIVOT after a table source, as conditional aggregates and a LATERAL VALUES list. */
export function pivots(tokens: Token[], ctx: TransformContext): Token[] {
  for (let i = 0; i < tokens.length; i++) {
    const kw = up(tokens[i]);
    if ((kw !== 'PIVOT' && kw !== 'UNPIVOT') || tokens[i + 1]?.text !== '(') continue;
    // The source: `(subquery) [AS] alias` or `name [AS] alias`, right before PIVOT.
    let a = i - 1;
    const alias = tokens[a]!.value;
    a--;
    if (up(tokens[a]) === 'AS') a--;
    let srcStart = a;
    if (tokens[a]!.text === ')') {
      let d = 0;
      for (; srcStart >= 0; srcStart--) {
        if (tokens[srcStart]!.text === ')') d++;
        if (tokens[srcStart]!.text === '(' && --d === 0) break;
      }
    } else while (tokens[srcStart - 1]?.text === '.') srcStart -= 2;
    const source = tokens.slice(srcStart, a + 1);
    const close = closeOf(tokens, i + 1);
    const spec = tokens.slice(i + 2, close);
    let after = close + 1;
    if (up(tokens[after]) === 'AS') after++;
    const outAlias = isName(tokens[after]) ? tokens[after]!.value : 'tds_pivot';
    if (isName(tokens[after])) after++;
    const srcNames = sourceColumns(source, ctx);
    const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
    /** A column of the source as it spells it. */
    const named = (name: string) => srcNames.find((n) => same(n, name)) ?? name;
    const forAt = spec.findIndex((t) => up(t) === 'FOR');
    const inAt = spec.findIndex((t) => up(t) === 'IN');
    const pivotCol = spec[forAt + 1]!.value;
    const values = splitTop(spec.slice(inAt + 2, spec.length - 1)).map((v) => v[0]!.value);
    const src = [...source, raw(`AS ${qi(alias)}`)];
    let replacement: Token[];
    if (kw === 'PIVOT') {
      const agg = spec[0]!;
      const valueCol = spec[2]!.value;
      const group = srcNames.filter((c) => !same(c, pivotCol) && !same(c, valueCol));
      replacement = [
        raw(`(SELECT ${group.map((g) => `${qi(alias)}.${qi(g)}`).join(', ')}${group.length ? ', ' : ''}`),
        ...values.flatMap((v, k) => [
          ...(k ? [raw(',')] : []),
          agg,
          raw('('),
          raw(
            `CASE WHEN CAST(${qi(alias)}.${qi(named(pivotCol))} AS text) = '${v.replace(/'/g, "''")}' THEN ${qi(alias)}.${qi(named(valueCol))} END`,
          ),
          raw(')'),
          raw(`AS ${qi(v)}`),
        ]),
        raw('FROM'),
        ...src,
        raw(group.length ? `GROUP BY ${group.map((g) => `${qi(alias)}.${qi(g)}`).join(', ')})` : ')'),
        raw(`AS ${qi(outAlias)}`),
      ];
    } else {
      const valueCol = spec[0]!.value;
      const others = srcNames.filter((c) => !values.some((v) => same(v, c)));
      replacement = [
        raw(
          `(SELECT ${[...others.map((o) => `${qi(alias)}.${qi(o)}`), `tds_u.${qi(pivotCol)}`, `tds_u.${qi(valueCol)}`].join(', ')} FROM`,
        ),
        ...src,
        raw(
          `CROSS JOIN LATERAL (VALUES ${values.map((v) => `('${v.replace(/'/g, "''")}', ${qi(alias)}.${qi(named(v))})`).join(', ')}) AS tds_u(${qi(pivotCol)}, ${qi(valueCol)}) WHERE tds_u.${qi(valueCol)} IS NOT NULL)`,
        ),
        raw(`AS ${qi(outAlias)}`),
      ];
    }
    return pivots([...tokens.slice(0, srcStart), ...replacement, ...tokens.slice(after)], ctx);
  }
  return tokens;
}

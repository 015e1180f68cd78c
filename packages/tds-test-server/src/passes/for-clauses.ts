/** Pass 6. FOR JSON / FOR XML: the query becomes a subquery of an aggregate, before PIVOT and APPLY rewrite its FROM. */
import { closeOf, splitTop, type Token } from '../syntax.js';
import { up, raw, qi } from './tokens.js';

const XML_COLUMN = 'XML_F52E2B61-18A1-11d1-B105-00805F49916B';
const JSON_COLUMN = 'JSON_F52E2B61-18A1-11d1-B105-00805F49916B';
/** FOR JSON and FOR XML at the end of a query: the query becomes a subquery of an aggregate. */
export function forClauses(tokens: Token[]): Token[] {
  for (let i = 0; i < tokens.length; i++) {
    if (up(tokens[i]) !== 'FOR' || !['JSON', 'XML'].includes(up(tokens[i + 1]))) continue;
    const depthAt = depthBefore(tokens, i);
    // The query's start: just after the '(' that opens this depth, or the statement's start.
    let start = 0;
    let end = tokens.length;
    if (depthAt > 0) {
      let d = 0;
      for (let k = i - 1; k >= 0; k--) {
        if (tokens[k]!.text === ')') d++;
        if (tokens[k]!.text === '(') {
          if (d === 0) {
            start = k + 1;
            break;
          }
          d--;
        }
      }
      end = closeOf(tokens, start - 1);
    }
    const options = splitTop(tokens.slice(i + 2, end));
    const mode = up(options[0]![0]);
    const opt = (name: string) => options.slice(1).find((o) => up(o[0]) === name);
    const rootArg = (o: Token[] | undefined) =>
      o && o[1]?.text === '(' ? (o[2]?.value ?? 'root') : o ? 'root' : undefined;
    const query = tokens.slice(start, i);
    let select: string;
    if (up(tokens[i + 1]) === 'JSON') {
      const row = opt('INCLUDE_NULL_VALUES') ? 'row_to_json(tds_q)' : 'json_strip_nulls(row_to_json(tds_q))';
      // SQL Server writes JSON without spaces between elements.
      let agg = opt('WITHOUT_ARRAY_WRAPPER')
        ? `string_agg(${row}::text, ',')`
        : `('[' || string_agg(${row}::text, ',') || ']')`;
      const root = rootArg(opt('ROOT'));
      if (root)
        agg = `('{' || to_json('${root.replace(/'/g, "''")}'::text)::text || ':' || coalesce(${agg}, '[]') || '}')`;
      select = depthAt > 0 ? `SELECT (${agg})::json` : `SELECT ${agg} AS ${qi(JSON_COLUMN)}`;
    } else {
      const pathArg =
        mode === 'PATH' && options[0]![1]?.text === '(' ? (options[0]![2]?.value ?? 'row') : 'row';
      const esc = (v: string) => `replace(replace(replace(${v}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')`;
      const each = `json_each_text(row_to_json(tds_q))`;
      const body =
        mode === 'PATH' && pathArg === ''
          ? `(SELECT string_agg(${esc('value')}, '') FROM ${each})`
          : mode === 'RAW' || mode === 'AUTO'
            ? `'<${mode === 'RAW' ? pathArg : 'row'}' || coalesce((SELECT string_agg(' ' || key || '="' || ${esc('value')} || '"', '') FROM ${each} WHERE value IS NOT NULL), '') || '/>'`
            : `'<${pathArg}>' || coalesce((SELECT string_agg('<' || key || '>' || ${esc('value')} || '</' || key || '>', '') FROM ${each} WHERE value IS NOT NULL), '') || '</${pathArg}>'`;
      let agg = `string_agg(${body}, '')`;
      const root = rootArg(opt('ROOT'));
      if (root) agg = `'<${root}>' || coalesce(${agg}, '') || '</${root}>'`;
      select = depthAt > 0 ? `SELECT ${agg}` : `SELECT ${agg} AS ${qi(XML_COLUMN)}`;
    }
    // The parentheses as tokens of their own: a TOP inside the query must close at the right depth.
    return forClauses([
      ...tokens.slice(0, start),
      raw(`${select} FROM`),
      raw('('),
      ...query,
      raw(')'),
      raw('AS tds_q'),
      ...tokens.slice(end),
    ]);
  }
  return tokens;
}

function depthBefore(tokens: Token[], i: number): number {
  let d = 0;
  for (let k = 0; k < i; k++) {
    if (tokens[k]!.text === '(') d++;
    if (tokens[k]!.text === ')') d--;
  }
  return d;
}

/**
 * Structural T-SQL rewrites that run on a statement's tokens before the per-token translation in
 * translate.ts: each turns one T-SQL construct into the PostgreSQL construct with the same result
 * (APPLY -> LATERAL, PIVOT -> conditional aggregates, FOR JSON -> json_agg, IIF -> CASE, ...). Tokens of kind
 * `raw` are PostgreSQL text that the per-token pass copies as it is; everything else is still T-SQL.
 */
import { closeOf, lastTopLevel, splitTop, TranslateError, type Token } from './syntax.js';

export type Rel = { name: string; columns: Map<string, string> };

const up = (t: Token | undefined) => (t && t.kind === 'word' ? t.value.toUpperCase() : '');
const raw = (text: string): Token => ({ kind: 'raw', text, value: text });
const word = (text: string): Token => ({ kind: 'word', text, value: text });
const str = (value: string): Token => ({ kind: 'string', text: `'${value.replace(/'/g, "''")}'`, value });
const qi = (name: string) => `"${name.replace(/"/g, '""')}"`;
const isName = (t: Token | undefined) => !!t && (t.kind === 'word' || t.kind === 'ident');

const TABLE_HINTS = new Set(
  (
    'NOLOCK READUNCOMMITTED READCOMMITTED READCOMMITTEDLOCK ROWLOCK UPDLOCK HOLDLOCK INDEX FORCESEEK FORCESCAN ' +
    'NOWAIT READPAST TABLOCK TABLOCKX PAGLOCK SERIALIZABLE REPEATABLEREAD XLOCK SNAPSHOT NOEXPAND KEEPIDENTITY'
  ).split(' '),
);
const JOIN_HINTS = new Set(['HASH', 'LOOP', 'MERGE', 'REMOTE']);
const DATEPART_FUNCS = new Set([
  'DATEPART',
  'DATENAME',
  'DATEADD',
  'DATEDIFF',
  'DATEDIFF_BIG',
  'DATETRUNC',
  'DATE_BUCKET',
]);
/** CONVERT styles for dates to text, as to_char patterns. */
const DATE_STYLES: Record<string, string> = {
  '1': 'MM/DD/YY',
  '101': 'MM/DD/YYYY',
  '3': 'DD/MM/YY',
  '103': 'DD/MM/YYYY',
  '4': 'DD.MM.YY',
  '104': 'DD.MM.YYYY',
  '10': 'MM-DD-YY',
  '110': 'MM-DD-YYYY',
  '11': 'YY/MM/DD',
  '111': 'YYYY/MM/DD',
  '12': 'YYMMDD',
  '112': 'YYYYMMDD',
  '20': 'YYYY-MM-DD HH24:MI:SS',
  '120': 'YYYY-MM-DD HH24:MI:SS',
  '21': 'YYYY-MM-DD HH24:MI:SS.MS',
  '121': 'YYYY-MM-DD HH24:MI:SS.MS',
  '23': 'YYYY-MM-DD',
  '126': 'YYYY-MM-DD"T"HH24:MI:SS.MS',
  '127': 'YYYY-MM-DD"T"HH24:MI:SS.MS',
  '108': 'HH24:MI:SS',
  '8': 'HH24:MI:SS',
  '100': 'Mon DD YYYY HH12:MIAM',
  '0': 'Mon DD YYYY HH12:MIAM',
  '106': 'DD Mon YYYY',
  '107': 'Mon DD, YYYY',
};
const TVF = new Set(['STRING_SPLIT', 'OPENJSON', 'GENERATE_SERIES']);
const JSON_COLUMN = 'JSON_F52E2B61-18A1-11d1-B105-00805F49916B';
const XML_COLUMN = 'XML_F52E2B61-18A1-11d1-B105-00805F49916B';

export interface TransformContext {
  /** Pure type mapping (T-SQL type tokens to PostgreSQL type text). */
  typeText(tokens: Token[]): string;
  /** Columns of a (possibly qualified) table name, in order; undefined when not a known relation. */
  columnsOf(parts: string[]): string[] | undefined;
}

/** All structural rewrites, in an order where each sees the output of the ones before. */
export function transform(tokens: Token[], ctx: TransformContext): Token[] {
  let t = dropHints(tokens);
  t = recursiveCte(t);
  t = groupByWith(t);
  t = functions(t, ctx);
  t = openJson(t, ctx);
  t = forClauses(t);
  t = pivots(t, ctx);
  t = applies(t);
  t = predicates(t);
  t = selectAliases(t);
  t = offsetExpressions(t);
  t = timeZones(t);
  return t;
}

/** Windows time zone names (what SQL Server's AT TIME ZONE and sys.time_zone_info use) to IANA names. */
const WINDOWS_ZONES: Record<string, string> = {
  UTC: 'UTC',
  'GREENWICH STANDARD TIME': 'Atlantic/Reykjavik',
  'GMT STANDARD TIME': 'Europe/London',
  'W. EUROPE STANDARD TIME': 'Europe/Berlin',
  'CENTRAL EUROPE STANDARD TIME': 'Europe/Budapest',
  'CENTRAL EUROPEAN STANDARD TIME': 'Europe/Warsaw',
  'ROMANCE STANDARD TIME': 'Europe/Paris',
  'E. EUROPE STANDARD TIME': 'Europe/Chisinau',
  'EASTERN STANDARD TIME': 'America/New_York',
  'CENTRAL STANDARD TIME': 'America/Chicago',
  'MOUNTAIN STANDARD TIME': 'America/Denver',
  'PACIFIC STANDARD TIME': 'America/Los_Angeles',
  'TOKYO STANDARD TIME': 'Asia/Tokyo',
  'CHINA STANDARD TIME': 'Asia/Shanghai',
  'INDIA STANDARD TIME': 'Asia/Kolkata',
  'AUS EASTERN STANDARD TIME': 'Australia/Sydney',
};

/** `x AT TIME ZONE 'Pacific Standard Time'`: PostgreSQL knows the zone by its IANA name. */
function timeZones(tokens: Token[]): Token[] {
  return tokens.map((t, i) => {
    const zone =
      t.kind === 'string' || t.kind === 'nstring' ? WINDOWS_ZONES[t.value.toUpperCase()] : undefined;
    return zone && up(tokens[i - 1]) === 'ZONE' && up(tokens[i - 2]) === 'TIME' && up(tokens[i - 3]) === 'AT'
      ? str(zone)
      : t;
  });
}

/** `OFFSET (@p - 1) * @n ROWS`, `FETCH NEXT @n + 1 ROWS`: PostgreSQL takes an expression there only in parentheses. */
function offsetExpressions(tokens: Token[]): Token[] {
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

/** Optimizer hints and collations have no PostgreSQL meaning here: OPTION (...), join hints, table hints. */
function dropHints(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const kw = up(t);
    const next = tokens[i + 1];
    if (kw === 'OPTION' && next?.text === '(') {
      i = closeOf(tokens, i + 1);
      continue;
    }
    if (
      JOIN_HINTS.has(kw) &&
      up(next) === 'JOIN' &&
      ['INNER', 'OUTER', 'LEFT', 'RIGHT', 'FULL'].includes(up(tokens[i - 1]))
    )
      continue;
    if (kw === 'WITH' && next?.text === '(' && TABLE_HINTS.has(up(tokens[i + 2]))) {
      i = closeOf(tokens, i + 1);
      continue;
    }
    // Legacy hint without WITH: `FROM Orders (NOLOCK)`.
    if (t.text === '(' && TABLE_HINTS.has(up(next)) && tokens[i + 2]?.text === ')' && isName(tokens[i - 1])) {
      i += 2;
      continue;
    }
    if (kw === 'COLLATE' && isName(next)) {
      i++;
      continue;
    }
    // `(SELECT ... FOR XML PATH(''), TYPE).value('.', 'NVARCHAR(MAX)')`: the text itself.
    if (
      t.text === ')' &&
      next?.text === '.' &&
      up(tokens[i + 2]) === 'VALUE' &&
      tokens[i + 3]?.text === '('
    ) {
      out.push(t);
      i = closeOf(tokens, i + 3);
      continue;
    }
    out.push(t);
  }
  return out;
}

/** A CTE that names itself in its body is recursive: PostgreSQL wants WITH RECURSIVE. */
function recursiveCte(tokens: Token[]): Token[] {
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

/** `GROUP BY a, b WITH ROLLUP` -> `GROUP BY ROLLUP (a, b)` (and CUBE). */
function groupByWith(tokens: Token[]): Token[] {
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

/** Function-shaped constructs: IIF, CHOOSE, TRY_CAST/TRY_CONVERT, CONVERT styles, date parts, renames. */
function functions(tokens: Token[], ctx: TransformContext): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const kw = up(t);
    if (tokens[i + 1]?.text !== '(' || t.kind !== 'word') {
      if (kw === 'SYSTEM_USER' || kw === 'SESSION_USER') {
        out.push(kw === 'SYSTEM_USER' ? word('SUSER_SNAME') : word('USER_NAME'), raw('('), raw(')'));
        continue;
      }
      out.push(t);
      continue;
    }
    const close = closeOf(tokens, i + 1);
    // Rewritten once; the arguments are its top-level parts (rewrites keep their commas inside raw text).
    const inner = functions(tokens.slice(i + 2, close), ctx);
    const args = splitTop(inner);
    const paren = (x: Token[]) => [raw('('), ...x, raw(')')];
    switch (kw) {
      case 'IIF':
        if (args.length !== 3) throw new TranslateError('The iif function requires 3 argument(s).', 174);
        out.push(
          ...paren([
            word('CASE'),
            word('WHEN'),
            ...args[0]!,
            word('THEN'),
            ...args[1]!,
            word('ELSE'),
            ...args[2]!,
            word('END'),
          ]),
        );
        break;
      case 'CHOOSE':
        out.push(
          ...paren([
            word('CASE'),
            ...paren(args[0]!),
            ...args.slice(1).flatMap((a, k) => [word('WHEN'), raw(String(k + 1)), word('THEN'), ...a]),
            word('END'),
          ]),
        );
        break;
      case 'TRY_CAST':
      case 'TRY_CONVERT': {
        let value: Token[];
        let type: Token[];
        if (kw === 'TRY_CAST') {
          const as = lastTop(inner, 'AS');
          value = inner.slice(0, as);
          type = inner.slice(as + 1);
        } else {
          type = args[0]!;
          value = args[1]!;
        }
        const pg = ctx.typeText(type);
        // A function, not CASE: PostgreSQL folds a constant CAST even in a branch that is never taken.
        out.push(raw('tsql_try_cast(CAST('), ...paren(value), raw(` AS text), NULL::${pg})`));
        break;
      }
      case 'CONVERT': {
        const style = args[2]?.length === 1 ? args[2][0]!.value : undefined;
        const target = up(args[0]![0]);
        if (style && DATE_STYLES[style] && ['VARCHAR', 'NVARCHAR', 'CHAR', 'NCHAR'].includes(target)) {
          out.push(
            raw(`CAST(to_char(`),
            ...args[1]!,
            raw(`, '${DATE_STYLES[style]}') AS ${ctx.typeText(args[0]!)})`),
          );
          break;
        }
        out.push(t, raw('('), ...args[0]!, raw(','), ...args[1]!, raw(')'));
        break;
      }
      case 'STRING_AGG': {
        // string_agg takes text only; WITHIN GROUP (ORDER BY y) moves inside: string_agg(x, sep ORDER BY y).
        const within = up(tokens[close + 1]) === 'WITHIN' && tokens[close + 3]?.text === '(';
        const withinClose = within ? closeOf(tokens, close + 3) : close;
        out.push(t, raw('('), raw('CAST(('), ...args[0]!, raw(') AS text)'));
        for (const a of args.slice(1)) out.push(raw(','), ...a);
        if (within) out.push(...functions(tokens.slice(close + 4, withinClose), ctx));
        out.push(raw(')'));
        i = withinClose;
        continue;
      }
      case 'PARSE':
      case 'TRY_PARSE': {
        // PARSE(x AS type [USING culture]): a cast (the culture is not applied: PostgreSQL's date order is MDY).
        const using = lastTopLevel(inner, 'USING');
        const body = using === -1 ? inner : inner.slice(0, using);
        const as = lastTop(body, 'AS');
        const pg = ctx.typeText(body.slice(as + 1));
        out.push(
          ...(kw === 'PARSE'
            ? [raw('CAST('), ...paren(body.slice(0, as)), raw(` AS ${pg})`)]
            : [raw('tsql_try_cast(CAST('), ...paren(body.slice(0, as)), raw(` AS text), NULL::${pg})`)]),
        );
        break;
      }
      case 'ISJSON':
        // ISJSON(x, VALUE | ARRAY | OBJECT | SCALAR): the kind is a keyword, passed as text.
        if (args.length === 2 && args[1]!.length === 1 && args[1]![0]!.kind === 'word')
          out.push(
            word('isjson'),
            raw('('),
            ...args[0]!,
            raw(','),
            str(args[1]![0]!.value.toUpperCase()),
            raw(')'),
          );
        else out.push(t, tokens[i + 1]!, ...inner, tokens[close]!);
        break;
      case 'CHECKSUM':
      case 'BINARY_CHECKSUM':
        // An int hash of the values (SQL Server's own values are not documented, so they differ).
        out.push(raw('hashtext(concat_ws(chr(31),'), ...inner, raw('))'));
        break;
      case 'JSON_OBJECT':
      case 'JSON_ARRAY':
        out.push(...jsonConstructor(kw, inner));
        break;
      case 'PERCENTILE_CONT':
      case 'PERCENTILE_DISC': {
        // Over a window, PostgreSQL has no ordered-set aggregate: a plain aggregate of the same meaning instead
        // (T-SQL's window here is PARTITION BY only, the whole partition). Without OVER, PostgreSQL's own.
        const within = up(tokens[close + 1]) === 'WITHIN' && tokens[close + 3]?.text === '(';
        const withinClose = within ? closeOf(tokens, close + 3) : close;
        if (!within || up(tokens[withinClose + 1]) !== 'OVER') {
          out.push(t, tokens[i + 1]!, ...inner, tokens[close]!);
          break;
        }
        const order = tokens.slice(close + 4, withinClose); // ORDER BY expr [ASC|DESC]
        const descending = up(order[order.length - 1]) === 'DESC';
        const expr = order.slice(2, ['ASC', 'DESC'].includes(up(order[order.length - 1])) ? -1 : undefined);
        out.push(
          word(`tsql_${kw.toLowerCase()}`),
          raw('(CAST('),
          ...inner,
          raw(' AS float8), CAST('),
          ...functions(expr, ctx),
          raw(` AS float8), ${descending})`),
        );
        i = withinClose;
        continue;
      }
      case 'APPROX_COUNT_DISTINCT':
        out.push(word('COUNT'), raw('('), word('DISTINCT'), ...inner, raw(')'));
        break;
      case 'JSON_VALUE':
      case 'JSON_QUERY':
        out.push(word(`tsql_${kw.toLowerCase()}`), raw('('), ...inner, raw(')'));
        break;
      default:
        if (DATEPART_FUNCS.has(kw) && args[0]?.length === 1 && args[0][0]!.kind === 'word') {
          out.push(t, raw('('), str(args[0][0]!.value.toLowerCase()), ...(args.length > 1 ? [raw(',')] : []));
          // A number where a date belongs counts days from 1900-01-01: DATEADD(month, DATEDIFF(month, 0, d), 0).
          const asDate = (a: Token[]) =>
            a.length === 1 && a[0]!.kind === 'number'
              ? [raw(`(timestamp '1900-01-01' + ${a[0]!.text} * interval '1 day')`)]
              : a;
          args
            .slice(1)
            .forEach((a, k) =>
              out.push(
                ...(k ? [raw(',')] : []),
                ...((kw === 'DATEADD' || kw === 'DATE_BUCKET') && k === 0 ? a : asDate(a)),
              ),
            );
          out.push(raw(')'));
          break;
        }
        out.push(t, tokens[i + 1]!, ...inner, tokens[close]!);
    }
    i = close;
  }
  return out;
}

/**
 * JSON_OBJECT('k': v, ... [NULL|ABSENT ON NULL]) and JSON_ARRAY(v, ... [NULL|ABSENT ON NULL]) as SQL Server writes
 * them: no spaces, nested JSON_OBJECT/JSON_ARRAY/JSON_QUERY embedded as JSON, NULL kept by default in an object and
 * left out by default in an array.
 */
function jsonConstructor(kw: 'JSON_OBJECT' | 'JSON_ARRAY', inner: Token[]): Token[] {
  let body = inner;
  let absent = kw === 'JSON_ARRAY';
  const tail = body.slice(-3).map((t) => up(t));
  if (tail[1] === 'ON' && tail[2] === 'NULL' && (tail[0] === 'NULL' || tail[0] === 'ABSENT')) {
    absent = tail[0] === 'ABSENT';
    body = body.slice(0, -3);
  }
  const json = (v: Token[]): Token[] => {
    if (v.length === 1 && up(v[0]) === 'NULL') return [raw('NULL::text')];
    // Already JSON: a nested JSON_OBJECT/JSON_ARRAY (rewritten before this one) or JSON_QUERY.
    const nested = v[0]?.kind === 'raw' && /^\('[[{]' \|\|/.test(v[0].text);
    if (nested || ['JSON_QUERY', 'TSQL_JSON_QUERY'].includes(up(v[0]))) return [raw('('), ...v, raw(')')];
    if (v.length === 1 && (v[0]!.kind === 'string' || v[0]!.kind === 'nstring'))
      return [raw('to_json(CAST('), ...v, raw(' AS text))::text')];
    return [raw('to_json('), ...v, raw(')::text')];
  };
  const element = (value: Token[], key?: Token[]): Token[] => {
    const pair = [
      ...(key ? [raw('to_json(CAST('), ...key, raw(" AS text))::text || ':' || ")] : []),
      raw('coalesce('),
      ...json(value),
      raw(", 'null')"),
    ];
    return absent
      ? [raw('CASE WHEN ('), ...json(value), raw(') IS NULL THEN NULL ELSE '), ...pair, raw(' END')]
      : pair;
  };
  const parts = body.length ? splitTop(body) : [];
  const elements = parts.map((p) => {
    if (kw === 'JSON_ARRAY') return element(p);
    const colon = p.findIndex((t) => t.text === ':');
    if (colon === -1) throw new TranslateError("Incorrect syntax near ','.");
    return element(p.slice(colon + 1), p.slice(0, colon));
  });
  const [open, close] = kw === 'JSON_OBJECT' ? ["'{'", "'}'"] : ["'['", "']'"];
  return [
    raw(`(${open} || concat_ws(',', `),
    // The separators stay inside raw text (', '), so that an enclosing call's arguments are not split at them.
    ...(elements.length ? elements.flatMap((e, k) => (k ? [raw(', '), ...e] : e)) : [raw('NULL')]),
    raw(`) || ${close})`),
  ];
}

function lastTop(tokens: Token[], kw: string): number {
  const found = lastTopLevel(tokens, kw);
  if (found === -1) throw new TranslateError(`Incorrect syntax near '${kw}'.`);
  return found;
}

/** `OPENJSON(doc [, path]) WITH (col type ['$.path'] [AS JSON], ...)` -> a subquery over openjson_rows(). */
function openJson(tokens: Token[], ctx: TransformContext): Token[] {
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
      raw(`(SELECT ${cols.join(', ')} FROM openjson_rows(`),
      ...tokens.slice(i + 2, close),
      raw(') AS tds_j(doc))'),
    );
    i = wclose;
  }
  return out;
}

/** FOR JSON and FOR XML at the end of a query: the query becomes a subquery of an aggregate. */
function forClauses(tokens: Token[]): Token[] {
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
function pivots(tokens: Token[], ctx: TransformContext): Token[] {
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

/** CROSS APPLY -> CROSS JOIN LATERAL; OUTER APPLY x alias -> LEFT JOIN LATERAL x alias ON TRUE. */
function applies(tokens: Token[]): Token[] {
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

/** LIKE under SQL Server's case-insensitive default collation, with its [character classes]. */
function predicates(tokens: Token[]): Token[] {
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

/** `SELECT Total = SUM(x)` and `[Order Count] = COUNT(*)`: T-SQL's alias = expression form. */
function selectAliases(tokens: Token[]): Token[] {
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

export { TVF };

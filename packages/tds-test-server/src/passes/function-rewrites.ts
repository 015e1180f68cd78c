/**
 * The rewrites the function registry (functions.ts) names: each takes a call site and answers the tokens that
 * replace the call (and, when it reads past the call's parenthesis, where it ended).
 */
import { closeOf, lastTopLevel, splitTop, TranslateError, type Token } from '../syntax.js';
import { up, raw, word, str, type TransformContext } from './tokens.js';

export interface CallSite {
  /** The function's name, upper-cased. */
  kw: string;
  name: Token;
  tokens: Token[];
  /** Where its `(` and `)` stand in `tokens`. */
  open: number;
  close: number;
  /** What stands between them, already rewritten, and its top-level arguments. */
  inner: Token[];
  args: Token[][];
  ctx: TransformContext;
  /** The function-calls pass, for tokens after the call (a WITHIN GROUP clause). */
  again(tokens: Token[]): Token[];
}
export type Rewrite = (c: CallSite) => { tokens: Token[]; end?: number };

const paren = (x: Token[]) => [raw('('), ...x, raw(')')];
/** The call as it was written (its arguments rewritten). */
export const asWritten = (c: CallSite): Token[] => [
  c.name,
  c.tokens[c.open]!,
  ...c.inner,
  c.tokens[c.close]!,
];

export const iif: Rewrite = ({ args }) => {
  if (args.length !== 3) throw new TranslateError('The iif function requires 3 argument(s).', 174);
  return {
    tokens: paren([
      word('CASE'),
      word('WHEN'),
      ...args[0]!,
      word('THEN'),
      ...args[1]!,
      word('ELSE'),
      ...args[2]!,
      word('END'),
    ]),
  };
};

export const choose: Rewrite = ({ args }) => ({
  tokens: paren([
    word('CASE'),
    ...paren(args[0]!),
    ...args.slice(1).flatMap((a, k) => [word('WHEN'), raw(String(k + 1)), word('THEN'), ...a]),
    word('END'),
  ]),
});

/** A function, not CASE: PostgreSQL folds a constant CAST even in a branch that is never taken. */
const tryCastOf = (value: Token[], pg: string) => [
  raw('tsql_try_cast(CAST('),
  ...paren(value),
  raw(` AS text), NULL::${pg})`),
];

export const tryCast: Rewrite = ({ kw, inner, args, ctx }) => {
  if (kw === 'TRY_CAST') {
    const as = lastTop(inner, 'AS');
    return { tokens: tryCastOf(inner.slice(0, as), ctx.typeText(inner.slice(as + 1))) };
  }
  return { tokens: tryCastOf(args[1]!, ctx.typeText(args[0]!)) };
};

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
export const convert: Rewrite = ({ name, args, ctx }) => {
  const style = args[2]?.length === 1 ? args[2][0]!.value : undefined;
  const target = up(args[0]![0]);
  if (style && DATE_STYLES[style] && ['VARCHAR', 'NVARCHAR', 'CHAR', 'NCHAR'].includes(target))
    return {
      tokens: [
        raw(`CAST(to_char(`),
        ...args[1]!,
        raw(`, '${DATE_STYLES[style]}') AS ${ctx.typeText(args[0]!)})`),
      ],
    };
  return { tokens: [name, raw('('), ...args[0]!, raw(','), ...args[1]!, raw(')')] };
};

/** `WITHIN GROUP (ORDER BY ...)` right after the call: what it orders by, and where the clause ends. */
function withinGroup(c: CallSite): { order: Token[]; end: number } | undefined {
  const { tokens, close } = c;
  if (up(tokens[close + 1]) !== 'WITHIN' || tokens[close + 3]?.text !== '(') return undefined;
  const end = closeOf(tokens, close + 3);
  return { order: tokens.slice(close + 4, end), end };
}

/** string_agg takes text only; WITHIN GROUP (ORDER BY y) moves inside: string_agg(x, sep ORDER BY y). */
export const stringAgg: Rewrite = (c) => {
  const within = withinGroup(c);
  const out = [c.name, raw('('), raw('CAST(('), ...c.args[0]!, raw(') AS text)')];
  for (const a of c.args.slice(1)) out.push(raw(','), ...a);
  if (within) out.push(...c.again(within.order));
  out.push(raw(')'));
  return { tokens: out, end: within?.end ?? c.close };
};

/** PARSE(x AS type [USING culture]): a cast (the culture is not applied: PostgreSQL's date order is MDY). */
export const parse: Rewrite = ({ kw, inner, ctx }) => {
  const using = lastTopLevel(inner, 'USING');
  const body = using === -1 ? inner : inner.slice(0, using);
  const as = lastTop(body, 'AS');
  const pg = ctx.typeText(body.slice(as + 1));
  return {
    tokens:
      kw === 'PARSE'
        ? [raw('CAST('), ...paren(body.slice(0, as)), raw(` AS ${pg})`)]
        : tryCastOf(body.slice(0, as), pg),
  };
};

/** ISJSON(x, VALUE | ARRAY | OBJECT | SCALAR): the kind is a keyword, passed as text. */
export const isJson: Rewrite = (c) =>
  c.args.length === 2 && c.args[1]!.length === 1 && c.args[1]![0]!.kind === 'word'
    ? {
        tokens: [
          word('isjson'),
          raw('('),
          ...c.args[0]!,
          raw(','),
          str(c.args[1]![0]!.value.toUpperCase()),
          raw(')'),
        ],
      }
    : { tokens: asWritten(c) };

/** An int hash of the values (SQL Server's own values are not documented, so they differ). */
export const checksum: Rewrite = ({ inner }) => ({
  tokens: [raw('hashtext(concat_ws(chr(31),'), ...inner, raw('))')],
});

export const jsonObjectOrArray: Rewrite = ({ kw, inner }) => ({
  tokens: jsonConstructor(kw as 'JSON_OBJECT' | 'JSON_ARRAY', inner),
});

/**
 * PERCENTILE_CONT/_DISC over a window: PostgreSQL has no ordered-set aggregate there, so a plain aggregate of the
 * same meaning (T-SQL's window here is PARTITION BY only, the whole partition). Without OVER, PostgreSQL's own.
 */
export const percentile: Rewrite = (c) => {
  const within = withinGroup(c);
  if (!within || up(c.tokens[within.end + 1]) !== 'OVER') return { tokens: asWritten(c) };
  const { order } = within; // ORDER BY expr [ASC|DESC]
  const last = up(order[order.length - 1]);
  const expr = order.slice(2, last === 'ASC' || last === 'DESC' ? -1 : undefined);
  return {
    tokens: [
      word(`tsql_${c.kw.toLowerCase()}`),
      raw('(CAST('),
      ...c.inner,
      raw(' AS float8), CAST('),
      ...c.again(expr),
      raw(` AS float8), ${last === 'DESC'})`),
    ],
    end: within.end,
  };
};

export const approxCountDistinct: Rewrite = ({ inner }) => ({
  tokens: [word('COUNT'), raw('('), word('DISTINCT'), ...inner, raw(')')],
});

/** JSON_VALUE/JSON_QUERY: T-SQL's lax paths, by functions of builtins.ts. */
export const jsonPath: Rewrite = ({ kw, inner }) => ({
  tokens: [word(`tsql_${kw.toLowerCase()}`), raw('('), ...inner, raw(')')],
});

/**
 * DATEPART, DATEADD, DATE_BUCKET...: the date part is a bare word (`month`), passed as text; a number where a
 * date belongs counts days from 1900-01-01 (DATEADD(month, DATEDIFF(month, 0, d), 0)).
 */
export const datePart: Rewrite = (c) => {
  const { kw, args } = c;
  if (!(args[0]?.length === 1 && args[0][0]!.kind === 'word')) return { tokens: asWritten(c) };
  const out = [
    c.name,
    raw('('),
    str(args[0][0]!.value.toLowerCase()),
    ...(args.length > 1 ? [raw(',')] : []),
  ];
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
  return { tokens: out };
};

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
    const v = json(value);
    const pair = [
      ...(key ? [raw('to_json(CAST('), ...key, raw(" AS text))::text || ':' || ")] : []),
      raw('coalesce('),
      ...v,
      raw(", 'null')"),
    ];
    return absent ? [raw('CASE WHEN ('), ...v, raw(') IS NULL THEN NULL ELSE '), ...pair, raw(' END')] : pair;
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

/**
 * Structural T-SQL rewrites that run on a statement's tokens before the per-token translation in
 * translate.ts: each turns one T-SQL construct into the PostgreSQL construct with the same result
 * (APPLY -> LATERAL, PIVOT -> conditional aggregates, FOR JSON -> json_agg, IIF -> CASE, ...). Tokens of kind
 * `raw` are PostgreSQL text that the per-token pass copies as it is; everything else is still T-SQL.
 */
import type { Token } from './syntax.js';
import { applies } from './passes/applies.js';
import { forClauses } from './passes/for-clauses.js';
import { functions } from './passes/function-calls.js';
import { groupByWith } from './passes/group-by-with.js';
import { dropHints } from './passes/hints.js';
import { offsetExpressions } from './passes/offsets.js';
import { openJson } from './passes/open-json.js';
import { pivots } from './passes/pivots.js';
import { predicates } from './passes/predicates.js';
import { recursiveCte } from './passes/recursive-cte.js';
import { selectAliases } from './passes/select-aliases.js';
import { timeZones } from './passes/time-zones.js';
import type { TransformContext } from './passes/tokens.js';

export type { TransformContext };
export type Rel = { name: string; columns: Map<string, string> };
/** Table-valued built-ins: their name is a function, not a table, wherever it stands. */
export const TVF = new Set(['STRING_SPLIT', 'OPENJSON', 'GENERATE_SERIES']);

/**
 * All structural rewrites, one pass per construct (passes/), in an order where each sees the output of the ones
 * before; each pass's file says why it stands where it does.
 */
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

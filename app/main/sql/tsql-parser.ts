/**
 * The T-SQL grammar behind the guard: sqlparser-rs's MsSql dialect (Apache DataFusion's SQL parser,
 * compiled to WebAssembly, `@guanmingchiu/sqlparser-ts`). Chosen by measurement on the corpus in `corpus/`
 * (see the README); kept behind this module so it can be replaced without touching the guard's rules.
 */
import { init, parse } from '@guanmingchiu/sqlparser-ts';

await init();

/** One statement of the batch as sqlparser-rs's serde JSON: `{ "Query": {...} }`, `{ "Declare": {...} }`. */
export type AstStatement = Record<string, unknown>;

export class TsqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

export function parseBatch(sql: string): AstStatement[] {
  try {
    return parse(sql, 'mssql') as unknown as AstStatement[];
  } catch (err) {
    const message = String((err as Error).message ?? err);
    // The position is the only part of the parser's message a person is shown (never its token lists).
    const at = /Line: (\d+), Column: (\d+)/.exec(message);
    throw new TsqlSyntaxError(message, at ? Number(at[1]) : undefined, at ? Number(at[2]) : undefined);
  }
}

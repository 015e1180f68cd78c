/**
 * Every T-SQL built-in function the TDS test server knows, and how it answers it: the one place to add one.
 * - `rename`: the same arguments under PostgreSQL's name (translate.ts writes the name);
 * - `constant`: a niladic function written as an expression (GETDATE());
 * - `rewrite`: another shape, written by the function-calls pass (passes/function-rewrites.ts);
 * - `session`: answered from the session by translate.ts (DB_NAME(), USER_NAME(), COUNT as int);
 * - `builtin`: defined in PostgreSQL by builtins.ts, in the tds$catalog schema, and called as written;
 * - `postgres`: PostgreSQL's own function of the same name and meaning.
 * A function in none of these reaches PostgreSQL as written, and an unknown one is answered with SQL Server's
 * "is not a recognized built-in function name".
 */
import * as rw from './passes/function-rewrites.js';

export type FunctionEntry =
  | { how: 'rename'; to: string }
  | { how: 'constant'; text: string }
  | { how: 'rewrite'; rewrite: rw.Rewrite }
  | { how: 'session' }
  | { how: 'builtin' }
  | { how: 'postgres' };

const rename = (to: string): FunctionEntry => ({ how: 'rename', to });
const constant = (text: string): FunctionEntry => ({ how: 'constant', text });
const rewrite = (fn: rw.Rewrite): FunctionEntry => ({ how: 'rewrite', rewrite: fn });
const SESSION: FunctionEntry = { how: 'session' };
const BUILTIN: FunctionEntry = { how: 'builtin' };
const POSTGRES: FunctionEntry = { how: 'postgres' };

export const FUNCTION_REGISTRY: Record<string, FunctionEntry> = {
  // Dates and times.
  GETDATE: constant('LOCALTIMESTAMP'),
  SYSDATETIME: constant('LOCALTIMESTAMP'),
  CURRENT_TIMESTAMP: constant('LOCALTIMESTAMP'),
  GETUTCDATE: constant("(now() AT TIME ZONE 'utc')"),
  SYSUTCDATETIME: constant("(now() AT TIME ZONE 'utc')"),
  SYSDATETIMEOFFSET: constant('now()'),
  DATEPART: rewrite(rw.datePart),
  DATENAME: rewrite(rw.datePart),
  DATEADD: rewrite(rw.datePart),
  DATEDIFF: rewrite(rw.datePart),
  DATEDIFF_BIG: rewrite(rw.datePart),
  DATETRUNC: rewrite(rw.datePart),
  DATE_BUCKET: rewrite(rw.datePart),
  YEAR: BUILTIN,
  MONTH: BUILTIN,
  DAY: BUILTIN,
  EOMONTH: BUILTIN,
  DATEFROMPARTS: BUILTIN,
  DATETIMEFROMPARTS: BUILTIN,
  DATETIME2FROMPARTS: BUILTIN,
  ISDATE: BUILTIN,
  SWITCHOFFSET: BUILTIN,
  TODATETIMEOFFSET: BUILTIN,
  // Conversion.
  TRY_CAST: rewrite(rw.tryCast),
  TRY_CONVERT: rewrite(rw.tryCast),
  CONVERT: rewrite(rw.convert),
  PARSE: rewrite(rw.parse),
  TRY_PARSE: rewrite(rw.parse),
  ISNUMERIC: BUILTIN,
  FORMAT: BUILTIN,
  STR: BUILTIN,
  // Logic.
  IIF: rewrite(rw.iif),
  CHOOSE: rewrite(rw.choose),
  ISNULL: rename('COALESCE'),
  COALESCE: POSTGRES,
  NULLIF: POSTGRES,
  GREATEST: POSTGRES,
  LEAST: POSTGRES,
  // Strings.
  LEN: rename('length'),
  DATALENGTH: rename('octet_length'),
  CHAR: rename('chr'),
  NCHAR: rename('chr'),
  UNICODE: rename('ascii'),
  CHARINDEX: BUILTIN,
  PATINDEX: BUILTIN,
  REPLICATE: BUILTIN,
  SPACE: BUILTIN,
  STUFF: BUILTIN,
  QUOTENAME: BUILTIN,
  SOUNDEX: BUILTIN,
  DIFFERENCE: BUILTIN,
  STRING_ESCAPE: BUILTIN,
  STRING_SPLIT: BUILTIN,
  STRING_AGG: rewrite(rw.stringAgg),
  CONCAT: POSTGRES,
  CONCAT_WS: POSTGRES,
  TRANSLATE: POSTGRES,
  LEFT: POSTGRES,
  RIGHT: POSTGRES,
  LOWER: POSTGRES,
  UPPER: POSTGRES,
  LTRIM: POSTGRES,
  RTRIM: POSTGRES,
  TRIM: POSTGRES,
  REPLACE: POSTGRES,
  REVERSE: POSTGRES,
  SUBSTRING: POSTGRES,
  ASCII: POSTGRES,
  // Numbers.
  LOG: BUILTIN,
  LOG10: BUILTIN,
  ROUND: BUILTIN,
  SQUARE: BUILTIN,
  RAND: BUILTIN,
  ABS: POSTGRES,
  CEILING: POSTGRES,
  FLOOR: POSTGRES,
  POWER: POSTGRES,
  SQRT: POSTGRES,
  SIGN: POSTGRES,
  PI: POSTGRES,
  EXP: POSTGRES,
  // Aggregates and windows.
  COUNT: SESSION,
  COUNT_BIG: rename('count'),
  SUM: BUILTIN,
  STDEV: rename('stddev_samp'),
  STDEVP: rename('stddev_pop'),
  VAR: rename('var_samp'),
  VARP: rename('var_pop'),
  GROUPING: POSTGRES,
  // PostgreSQL's GROUPING of several columns is SQL Server's GROUPING_ID (the same bit mask).
  GROUPING_ID: rename('GROUPING'),
  APPROX_COUNT_DISTINCT: rewrite(rw.approxCountDistinct),
  PERCENTILE_CONT: rewrite(rw.percentile),
  PERCENTILE_DISC: rewrite(rw.percentile),
  APPROX_PERCENTILE_CONT: rename('percentile_cont'),
  APPROX_PERCENTILE_DISC: rename('percentile_disc'),
  CHECKSUM_AGG: rename('bit_xor'),
  // Hashes.
  CHECKSUM: rewrite(rw.checksum),
  BINARY_CHECKSUM: rewrite(rw.checksum),
  HASHBYTES: BUILTIN,
  NEWID: constant('gen_random_uuid()'),
  // JSON.
  JSON_VALUE: rewrite(rw.jsonPath),
  JSON_QUERY: rewrite(rw.jsonPath),
  JSON_OBJECT: rewrite(rw.jsonObjectOrArray),
  JSON_ARRAY: rewrite(rw.jsonObjectOrArray),
  JSON_MODIFY: BUILTIN,
  JSON_PATH_EXISTS: BUILTIN,
  ISJSON: rewrite(rw.isJson),
  OPENJSON: BUILTIN,
  // Table-valued.
  GENERATE_SERIES: rename('tsql_generate_series'),
  // Metadata and the session.
  DB_NAME: SESSION,
  // USER_NAME() is answered from the session (translate.ts); with an argument it keeps its old spelling.
  USER_NAME: rename('current_user'),
  CURRENT_USER: SESSION,
  SUSER_SNAME: SESSION,
  SUSER_NAME: SESSION,
  DB_ID: BUILTIN,
  OBJECT_ID: BUILTIN,
  OBJECT_NAME: BUILTIN,
  OBJECT_SCHEMA_NAME: BUILTIN,
  OBJECT_DEFINITION: BUILTIN,
  SCHEMA_ID: BUILTIN,
  SCHEMA_NAME: BUILTIN,
  COL_NAME: BUILTIN,
  COLUMNPROPERTY: BUILTIN,
  TYPE_ID: BUILTIN,
  TYPE_NAME: BUILTIN,
  SERVERPROPERTY: BUILTIN,
  DATABASEPROPERTYEX: BUILTIN,
  HAS_PERMS_BY_NAME: BUILTIN,
  IS_MEMBER: BUILTIN,
};

/** PostgreSQL's name for a renamed function, or undefined. */
export function renamed(kw: string): string | undefined {
  const e = FUNCTION_REGISTRY[kw];
  return e?.how === 'rename' ? e.to : undefined;
}

/** The expression a niladic function stands for, or undefined. */
export function constantOf(kw: string): string | undefined {
  const e = FUNCTION_REGISTRY[kw];
  return e?.how === 'constant' ? e.text : undefined;
}

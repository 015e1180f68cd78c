/**
 * T-SQL built-in functions and operators the translator cannot map one to one, written in PostgreSQL and
 * installed in the `tds$catalog` schema, which every request puts on its search path after the database's
 * dbo schema and before pg_catalog (so `LOG`, `ROUND` and `FORMAT` mean what T-SQL means). Each follows the
 * SQL Server documentation for the cases the corpus and the demo use; the server.ts header lists the gaps.
 */
export const BUILTINS_SQL = String.raw`
SET search_path TO "tds$catalog";

-- String concatenation with + (T-SQL's only concatenation operator besides CONCAT).
CREATE FUNCTION tsql_concat(a text, b text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT a || b $$;
CREATE OPERATOR + (LEFTARG = text, RIGHTARG = text, FUNCTION = tsql_concat);
-- datetime +/- a number of days.
CREATE FUNCTION tsql_ts_plus(a timestamp, b integer) RETURNS timestamp LANGUAGE sql IMMUTABLE AS $$ SELECT a + b * interval '1 day' $$;
CREATE FUNCTION tsql_ts_minus(a timestamp, b integer) RETURNS timestamp LANGUAGE sql IMMUTABLE AS $$ SELECT a - b * interval '1 day' $$;
CREATE OPERATOR + (LEFTARG = timestamp, RIGHTARG = integer, FUNCTION = tsql_ts_plus);
CREATE OPERATOR - (LEFTARG = timestamp, RIGHTARG = integer, FUNCTION = tsql_ts_minus);

-- LIKE under SQL Server's default case-insensitive collation, with [a-z] and [^a-z] character classes.
CREATE FUNCTION tsql_like_regex(p text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE out text := '^'; i int := 1; c text; j int;
BEGIN
  WHILE i <= length(p) LOOP
    c := substr(p, i, 1);
    IF c = '%' THEN out := out || '.*';
    ELSIF c = '_' THEN out := out || '.';
    ELSIF c = '[' THEN
      j := strpos(substr(p, i + 1), ']');
      IF j = 0 THEN out := out || '\['; ELSE
        out := out || '[' || replace(replace(substr(p, i + 1, j - 1), '\', '\\'), '^', CASE WHEN j > 1 AND substr(p, i + 1, 1) = '^' THEN '^' ELSE '\^' END) || ']';
        i := i + j;
      END IF;
    ELSIF c ~ '[.*+?(){}|^$\\]' THEN out := out || '\' || c;
    ELSE out := out || c;
    END IF;
    i := i + 1;
  END LOOP;
  RETURN out || '$';
END $$;
CREATE FUNCTION tsql_like(s text, p text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT s ~* tsql_like_regex(p) $$;
CREATE FUNCTION tsql_not_like(s text, p text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT NOT (s ~* tsql_like_regex(p)) $$;
CREATE OPERATOR ~~# (LEFTARG = text, RIGHTARG = text, FUNCTION = tsql_like);
CREATE OPERATOR !~~# (LEFTARG = text, RIGHTARG = text, FUNCTION = tsql_not_like);

-- SUM of int is int in SQL Server (and overflows as int), bigint in PostgreSQL.
CREATE AGGREGATE sum(int4) (SFUNC = int4pl, STYPE = int4);

-- Strings.
CREATE FUNCTION charindex(sub text, s text, start int DEFAULT 1) RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN s IS NULL OR sub IS NULL THEN NULL WHEN strpos(substr(s, greatest(start, 1)), sub) = 0 THEN 0
    ELSE strpos(substr(s, greatest(start, 1)), sub) + greatest(start, 1) - 1 END $$;
CREATE FUNCTION patindex(p text, s text) RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce((SELECT min(i) FROM generate_series(1, greatest(length(s), 1)) i
    WHERE substr(s, i) ~* substr(tsql_like_regex(p), 2)), 0) $$;
CREATE FUNCTION replicate(s text, n int) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT repeat(s, n) $$;
CREATE FUNCTION space(n int) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT repeat(' ', n) $$;
CREATE FUNCTION stuff(s text, start int, len int, repl text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT overlay(s placing coalesce(repl, '') from start for len) $$;
CREATE FUNCTION quotename(s text, q text DEFAULT '[') RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE q WHEN '[' THEN '[' || replace(s, ']', ']]') || ']' WHEN ']' THEN '[' || replace(s, ']', ']]') || ']'
    ELSE q || replace(s, q, q || q) || q END $$;
CREATE FUNCTION str(v numeric, len int DEFAULT 10, decimals int DEFAULT 0) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT lpad(pg_catalog.round(v, decimals)::text, len) $$;
CREATE FUNCTION str(v double precision, len int DEFAULT 10, decimals int DEFAULT 0) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT lpad(pg_catalog.round(v::numeric, decimals)::text, len) $$;

-- Numbers.
CREATE FUNCTION square(x double precision) RETURNS double precision LANGUAGE sql IMMUTABLE AS $$ SELECT x * x $$;
CREATE FUNCTION rand(seed int DEFAULT NULL) RETURNS double precision LANGUAGE sql VOLATILE AS $$ SELECT random() $$;
CREATE FUNCTION log(x double precision) RETURNS double precision LANGUAGE sql IMMUTABLE AS $$ SELECT ln(x) $$;
CREATE FUNCTION log(x double precision, b double precision) RETURNS double precision LANGUAGE sql IMMUTABLE AS $$ SELECT ln(x) / ln(b) $$;
CREATE FUNCTION log10(x double precision) RETURNS double precision LANGUAGE sql IMMUTABLE AS $$ SELECT pg_catalog.log(x) $$;
CREATE FUNCTION round(x numeric, n int, f int) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN f = 0 THEN pg_catalog.round(x, n) ELSE pg_catalog.trunc(x, n) END $$;
CREATE FUNCTION round(x double precision, n int) RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
  SELECT pg_catalog.round(x::numeric, n)::double precision $$;
CREATE FUNCTION round(x double precision, n int, f int) RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
  SELECT round(x::numeric, n, f)::double precision $$;
CREATE FUNCTION isnumeric(s text) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN pg_input_is_valid(s, 'numeric') THEN 1 ELSE 0 END $$;

-- Dates. Parts accept SQL Server's names and abbreviations.
CREATE FUNCTION tsql_part(p text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE lower(p) WHEN 'yy' THEN 'year' WHEN 'yyyy' THEN 'year' WHEN 'qq' THEN 'quarter' WHEN 'q' THEN 'quarter'
    WHEN 'mm' THEN 'month' WHEN 'm' THEN 'month' WHEN 'dy' THEN 'dayofyear' WHEN 'y' THEN 'dayofyear'
    WHEN 'dd' THEN 'day' WHEN 'd' THEN 'day' WHEN 'wk' THEN 'week' WHEN 'ww' THEN 'week' WHEN 'dw' THEN 'weekday'
    WHEN 'w' THEN 'weekday' WHEN 'hh' THEN 'hour' WHEN 'mi' THEN 'minute' WHEN 'n' THEN 'minute'
    WHEN 'ss' THEN 'second' WHEN 's' THEN 'second' WHEN 'ms' THEN 'millisecond' WHEN 'mcs' THEN 'microsecond'
    WHEN 'isowk' THEN 'iso_week' WHEN 'isoww' THEN 'iso_week' ELSE lower(p) END $$;
CREATE FUNCTION datepart(p text, d timestamp) RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE tsql_part(p)
    WHEN 'year' THEN extract(year FROM d) WHEN 'quarter' THEN extract(quarter FROM d) WHEN 'month' THEN extract(month FROM d)
    WHEN 'dayofyear' THEN extract(doy FROM d) WHEN 'day' THEN extract(day FROM d)
    WHEN 'week' THEN floor((extract(doy FROM d) + extract(dow FROM date_trunc('year', d)) - 1) / 7) + 1
    WHEN 'iso_week' THEN extract(week FROM d) WHEN 'weekday' THEN extract(dow FROM d) + 1
    WHEN 'hour' THEN extract(hour FROM d) WHEN 'minute' THEN extract(minute FROM d) WHEN 'second' THEN floor(extract(second FROM d))
    WHEN 'millisecond' THEN floor(extract(milliseconds FROM d))::int % 1000 END::int $$;
CREATE FUNCTION datename(p text, d timestamp) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE tsql_part(p) WHEN 'month' THEN trim(to_char(d, 'Month')) WHEN 'weekday' THEN trim(to_char(d, 'Day'))
    ELSE datepart(p, d)::text END $$;
CREATE FUNCTION dateadd(p text, n double precision, d timestamp) RETURNS timestamp LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE tsql_part(p) WHEN 'quarter' THEN d + trunc(n) * 3 * interval '1 month' WHEN 'week' THEN d + trunc(n) * 7 * interval '1 day'
    WHEN 'dayofyear' THEN d + trunc(n) * interval '1 day' WHEN 'weekday' THEN d + trunc(n) * interval '1 day'
    ELSE d + trunc(n) * ('1 ' || tsql_part(p))::interval END $$;
CREATE FUNCTION dateadd(p text, n double precision, d date) RETURNS date LANGUAGE sql IMMUTABLE AS $$
  SELECT dateadd(p, n, d::timestamp)::date $$;
CREATE FUNCTION datediff(p text, a timestamp, b timestamp) RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT (CASE tsql_part(p)
    WHEN 'year' THEN extract(year FROM b) - extract(year FROM a)
    WHEN 'quarter' THEN (extract(year FROM b) - extract(year FROM a)) * 4 + extract(quarter FROM b) - extract(quarter FROM a)
    WHEN 'month' THEN (extract(year FROM b) - extract(year FROM a)) * 12 + extract(month FROM b) - extract(month FROM a)
    WHEN 'week' THEN ((b::date - extract(dow FROM b)::int) - (a::date - extract(dow FROM a)::int)) / 7
    WHEN 'hour' THEN extract(epoch FROM date_trunc('hour', b) - date_trunc('hour', a)) / 3600
    WHEN 'minute' THEN extract(epoch FROM date_trunc('minute', b) - date_trunc('minute', a)) / 60
    WHEN 'second' THEN extract(epoch FROM date_trunc('second', b) - date_trunc('second', a))
    WHEN 'millisecond' THEN extract(epoch FROM b - a) * 1000
    ELSE b::date - a::date END)::int $$;
CREATE FUNCTION datediff_big(p text, a timestamp, b timestamp) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT datediff(p, a, b)::bigint $$;
CREATE FUNCTION datetrunc(p text, d timestamp) RETURNS timestamp LANGUAGE sql IMMUTABLE AS $$ SELECT date_trunc(tsql_part(p), d) $$;
CREATE FUNCTION year(d timestamp) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT extract(year FROM d)::int $$;
CREATE FUNCTION month(d timestamp) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT extract(month FROM d)::int $$;
CREATE FUNCTION day(d timestamp) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT extract(day FROM d)::int $$;
CREATE FUNCTION eomonth(d timestamp, n int DEFAULT 0) RETURNS date LANGUAGE sql IMMUTABLE AS $$
  SELECT (date_trunc('month', d) + (n + 1) * interval '1 month' - interval '1 day')::date $$;
CREATE FUNCTION datefromparts(y int, m int, d int) RETURNS date LANGUAGE sql IMMUTABLE AS $$ SELECT make_date(y, m, d) $$;
CREATE FUNCTION datetimefromparts(y int, m int, d int, h int, mi int, s int, ms int) RETURNS timestamp(3) LANGUAGE sql IMMUTABLE AS $$
  SELECT make_timestamp(y, m, d, h, mi, s + ms / 1000.0) $$;
CREATE FUNCTION tsql_try_cast(v text, template anyelement) RETURNS anyelement LANGUAGE plpgsql STABLE AS $$
BEGIN
  EXECUTE format('SELECT %L::%s', v, pg_typeof(template)) INTO template;
  RETURN template;
EXCEPTION WHEN others THEN RETURN NULL;
END $$;
CREATE FUNCTION isdate(s text) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN pg_input_is_valid(s, 'timestamp') THEN 1 ELSE 0 END $$;

-- FORMAT with .NET format strings: the date patterns and numeric specifiers the corpus uses.
CREATE FUNCTION tsql_date_pattern(f text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
    f, 'yyyy', 'YYYY'), 'yy', 'YY'), 'MMMM', 'FMMonth'), 'MMM', 'Mon'), 'dddd', 'FMDay'), 'ddd', 'Dy'), 'dd', 'DD'),
    'HH', 'HH24'), 'mm', 'MI'), 'ss', 'SS'), 'tt', 'AM') $$;
CREATE FUNCTION format(d timestamp, f text, culture text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE f WHEN 'd' THEN to_char(d, 'FMMM/FMDD/YYYY') WHEN 'D' THEN to_char(d, 'FMDay, FMMonth FMDD, YYYY')
    ELSE to_char(d, tsql_date_pattern(f)) END $$;
CREATE FUNCTION format(v numeric, f text, culture text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE kind text := upper(substr(f, 1, 1)); digits int; grouped boolean;
BEGIN
  IF f ~ '^[NnCcPpFf][0-9]*$' THEN
    digits := coalesce(nullif(substr(f, 2), '')::int, 2);
    grouped := kind <> 'F';
    IF kind = 'P' THEN v := v * 100; END IF;
  ELSE -- a custom pattern such as #,##0.00: its decimals and whether it groups thousands
    digits := CASE WHEN strpos(f, '.') > 0 THEN length(f) - strpos(f, '.') ELSE 0 END;
    grouped := strpos(f, ',') > 0;
    kind := '';
  END IF;
  RETURN (CASE kind WHEN 'C' THEN '$' ELSE '' END) ||
    trim(to_char(v, CASE WHEN grouped THEN 'FM999,999,999,999,990' ELSE 'FM999999999999990' END ||
      CASE WHEN digits > 0 THEN '.' || repeat('0', digits) ELSE '' END)) ||
    (CASE kind WHEN 'P' THEN '%' ELSE '' END);
END $$;
CREATE FUNCTION format(d date, f text, culture text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT format(d::timestamp, f, culture) $$;
CREATE FUNCTION format(v double precision, f text, culture text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT format(v::numeric, f, culture) $$;
CREATE FUNCTION format(v bigint, f text, culture text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT format(v::numeric, f, culture) $$;
CREATE FUNCTION format(v integer, f text, culture text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT format(v::numeric, f, culture) $$;
CREATE FUNCTION format(v timestamp, f text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT format(v, f, NULL) $$;
CREATE FUNCTION format(v date, f text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT format(v, f, NULL) $$;
CREATE FUNCTION format(v numeric, f text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT format(v, f, NULL) $$;
CREATE FUNCTION format(v double precision, f text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT format(v, f, NULL) $$;
CREATE FUNCTION format(v bigint, f text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT format(v, f, NULL) $$;
CREATE FUNCTION format(v integer, f text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT format(v, f, NULL) $$;

-- JSON.
CREATE FUNCTION tsql_json_path(p text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p IN ('$', '') THEN ARRAY[]::text[] ELSE string_to_array(regexp_replace(regexp_replace(p, '^\$\.?', ''), '\[(\d+)\]', '.\1', 'g'), '.') END $$;
CREATE FUNCTION tsql_json_value(j text, p text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN jsonb_typeof(j::jsonb #> tsql_json_path(p)) IN ('object', 'array') THEN NULL ELSE j::jsonb #>> tsql_json_path(p) END $$;
CREATE FUNCTION tsql_json_query(j text, p text DEFAULT '$') RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN jsonb_typeof(j::jsonb #> tsql_json_path(p)) IN ('object', 'array') THEN (j::jsonb #> tsql_json_path(p))::text END $$;
CREATE FUNCTION isjson(j text) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN j IS NULL THEN NULL WHEN pg_input_is_valid(j, 'jsonb') THEN 1 ELSE 0 END $$;
CREATE FUNCTION openjson(j text, p text DEFAULT '$') RETURNS TABLE ("key" text, "value" text, "type" int) LANGUAGE sql IMMUTABLE AS $$
  WITH doc AS (SELECT j::jsonb #> tsql_json_path(p) AS v)
  SELECT e.key, CASE WHEN jsonb_typeof(e.value) IN ('object', 'array') THEN e.value::text ELSE e.value #>> '{}' END,
    CASE jsonb_typeof(e.value) WHEN 'null' THEN 0 WHEN 'string' THEN 1 WHEN 'number' THEN 2 WHEN 'boolean' THEN 3 WHEN 'array' THEN 4 ELSE 5 END
  FROM doc, LATERAL (SELECT k AS key, v2 AS value FROM jsonb_each(CASE WHEN jsonb_typeof(doc.v) = 'object' THEN doc.v END) AS x(k, v2)
    UNION ALL SELECT (o - 1)::text, v3 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(doc.v) = 'array' THEN doc.v END) WITH ORDINALITY AS y(v3, o)) e $$;
-- OPENJSON ... WITH (...): the rows of an array (or the one object) as jsonb, for the translator's column list.
CREATE FUNCTION tsql_openjson_rows(j text, p text DEFAULT '$') RETURNS TABLE (doc jsonb) LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN jsonb_typeof(v) = 'array' THEN e ELSE v END FROM (SELECT j::jsonb #> tsql_json_path(p) AS v) s
    LEFT JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(s.v) = 'array' THEN s.v END) e ON true
  WHERE jsonb_typeof(v) <> 'array' OR e IS NOT NULL $$;

CREATE FUNCTION string_split(s text, sep text) RETURNS TABLE ("value" text) LANGUAGE sql IMMUTABLE AS $$
  SELECT unnest(string_to_array(s, sep)) $$;
CREATE FUNCTION string_split(s text, sep text, ordinal int) RETURNS TABLE ("value" text, "ordinal" bigint) LANGUAGE sql IMMUTABLE AS $$
  SELECT v, o FROM unnest(string_to_array(s, sep)) WITH ORDINALITY AS t(v, o) $$;

-- Metadata, in the current database (the first schema on the search path).
CREATE FUNCTION tsql_db() RETURNS text LANGUAGE sql STABLE AS $$ SELECT split_part((current_schemas(false))[1], '$', 1) $$;
CREATE FUNCTION tsql_unquote(s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT regexp_replace(s, '^\[(.*)\]$|^"(.*)"$', '\1\2') $$;
CREATE FUNCTION object_id(name text, kind text DEFAULT NULL) RETURNS int LANGUAGE sql STABLE AS $$
  WITH parts AS (SELECT array_agg(tsql_unquote(p) ORDER BY o) AS a FROM unnest(string_to_array(name, '.')) WITH ORDINALITY AS t(p, o))
  SELECT c.oid::int FROM parts, pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE lower(c.relname) = lower(a[array_length(a, 1)])
    AND lower(n.nspname) = lower(CASE WHEN array_length(a, 1) >= 3 AND a[array_length(a, 1) - 2] <> '' THEN a[array_length(a, 1) - 2] ELSE tsql_db() END
      || '$' || coalesce(nullif(CASE WHEN array_length(a, 1) >= 2 THEN a[array_length(a, 1) - 1] END, ''), 'dbo'))
    AND c.relkind IN ('r', 'v', 'p', 'm')
  UNION ALL
  -- Stored procedures: the database's functions (OIDs are unique across catalogs, so no table shares one).
  SELECT p.oid::int FROM parts, pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE lower(p.proname) = lower(a[array_length(a, 1)]) AND p.prokind = 'f'
    AND lower(n.nspname) = lower(CASE WHEN array_length(a, 1) >= 3 AND a[array_length(a, 1) - 2] <> '' THEN a[array_length(a, 1) - 2] ELSE tsql_db() END
      || '$' || coalesce(nullif(CASE WHEN array_length(a, 1) >= 2 THEN a[array_length(a, 1) - 1] END, ''), 'dbo'))
  LIMIT 1 $$;
CREATE FUNCTION object_name(id int, db int DEFAULT NULL) RETURNS text LANGUAGE sql STABLE AS $$ SELECT relname::text FROM pg_class WHERE oid = id $$;
CREATE FUNCTION schema_name(id int DEFAULT NULL) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN id IS NULL THEN 'dbo' ELSE (SELECT split_part(nspname, '$', 2) FROM pg_namespace WHERE oid = id) END $$;
CREATE FUNCTION schema_id(name text DEFAULT 'dbo') RETURNS int LANGUAGE sql STABLE AS $$
  SELECT oid::int FROM pg_namespace WHERE lower(nspname) = lower(tsql_db() || '$' || name) $$;
CREATE FUNCTION object_schema_name(id int) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT split_part(n.nspname, '$', 2) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = id $$;
CREATE FUNCTION db_id(name text DEFAULT NULL) RETURNS int LANGUAGE sql STABLE AS $$
  SELECT database_id FROM "tds$catalog".databases WHERE lower(databases.name) = lower(coalesce(db_id.name, tsql_db())) $$;
CREATE FUNCTION db_name(id int DEFAULT NULL) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN id IS NULL THEN tsql_db() ELSE (SELECT name FROM "tds$catalog".databases WHERE database_id = id) END $$;
CREATE FUNCTION object_definition(id int) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT 'CREATE VIEW ' || quote_ident(relname) || ' AS' || pg_get_viewdef(oid) FROM pg_class WHERE oid = id AND relkind = 'v' $$;
CREATE FUNCTION col_name(obj int, col int) RETURNS text LANGUAGE sql STABLE AS $$ SELECT attname::text FROM pg_attribute WHERE attrelid = obj AND attnum = col $$;
CREATE FUNCTION columnproperty(obj int, col text, prop text) RETURNS int LANGUAGE sql STABLE AS $$
  SELECT CASE lower(prop) WHEN 'allowsnull' THEN (NOT attnotnull)::int WHEN 'isidentity' THEN (attidentity <> '')::int END
  FROM pg_attribute WHERE attrelid = obj AND lower(attname) = lower(col) $$;
CREATE FUNCTION serverproperty(p text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT CASE lower(p) WHEN 'productversion' THEN '15.0.0.0' WHEN 'edition' THEN 'TDS test server (PostgreSQL)'
    WHEN 'servername' THEN 'TDSTEST' WHEN 'productlevel' THEN 'RTM' WHEN 'engineedition' THEN '3' END $$;
CREATE FUNCTION has_perms_by_name(obj text, cls text, perm text) RETURNS int LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN object_id(obj) IS NULL THEN NULL WHEN has_table_privilege(object_id(obj)::oid, perm) THEN 1 ELSE 0 END $$;
CREATE FUNCTION is_member(role text) RETURNS int LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role) THEN pg_has_role(current_user, role, 'MEMBER')::int ELSE 0 END $$;

-- sys.types: SQL Server's system types with their ids, and the mapping from PostgreSQL's.
CREATE TABLE types (name text, system_type_id int, user_type_id int, max_length int, precision int, scale int, is_nullable boolean, is_user_defined boolean);
INSERT INTO types VALUES ('image', 34, 34, 16, 0, 0, true, false), ('text', 35, 35, 16, 0, 0, true, false),
  ('uniqueidentifier', 36, 36, 16, 0, 0, true, false), ('date', 40, 40, 3, 10, 0, true, false), ('time', 41, 41, 5, 16, 7, true, false),
  ('datetime2', 42, 42, 8, 27, 7, true, false), ('datetimeoffset', 43, 43, 10, 34, 7, true, false), ('tinyint', 48, 48, 1, 3, 0, true, false),
  ('smallint', 52, 52, 2, 5, 0, true, false), ('int', 56, 56, 4, 10, 0, true, false), ('smalldatetime', 58, 58, 4, 16, 0, true, false),
  ('real', 59, 59, 4, 24, 0, true, false), ('money', 60, 60, 8, 19, 4, true, false), ('datetime', 61, 61, 8, 23, 3, true, false),
  ('float', 62, 62, 8, 53, 0, true, false), ('ntext', 99, 99, 16, 0, 0, true, false), ('bit', 104, 104, 1, 1, 0, true, false),
  ('decimal', 106, 106, 17, 38, 38, true, false), ('numeric', 108, 108, 17, 38, 38, true, false), ('smallmoney', 122, 122, 4, 10, 4, true, false),
  ('bigint', 127, 127, 8, 19, 0, true, false), ('varbinary', 165, 165, 8000, 0, 0, true, false), ('varchar', 167, 167, 8000, 0, 0, true, false),
  ('binary', 173, 173, 8000, 0, 0, true, false), ('char', 175, 175, 8000, 0, 0, true, false), ('nvarchar', 231, 231, 8000, 0, 0, true, false),
  ('sysname', 231, 256, 256, 0, 0, false, false), ('nchar', 239, 239, 8000, 0, 0, true, false), ('xml', 241, 241, -1, 0, 0, true, false);
GRANT SELECT ON types TO PUBLIC;
CREATE FUNCTION tsql_type_id(t oid, typmod int) RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE t WHEN 'int4'::regtype THEN 56 WHEN 'int8'::regtype THEN 127 WHEN 'int2'::regtype THEN 52 WHEN 'bool'::regtype THEN 104
    WHEN 'numeric'::regtype THEN 106 WHEN 'float8'::regtype THEN 62 WHEN 'float4'::regtype THEN 59 WHEN 'text'::regtype THEN 231
    WHEN 'varchar'::regtype THEN 167 WHEN 'bpchar'::regtype THEN 239 WHEN 'date'::regtype THEN 40 WHEN 'time'::regtype THEN 41
    WHEN 'timestamp'::regtype THEN CASE WHEN typmod = 3 THEN 61 ELSE 42 END WHEN 'timestamptz'::regtype THEN 43
    WHEN 'uuid'::regtype THEN 36 WHEN 'bytea'::regtype THEN 165 WHEN 'xml'::regtype THEN 241 ELSE 231 END $$;
CREATE FUNCTION type_name(id int) RETURNS text LANGUAGE sql STABLE AS $$ SELECT name FROM "tds$catalog".types WHERE user_type_id = id $$;
CREATE FUNCTION type_id(name text) RETURNS int LANGUAGE sql STABLE AS $$ SELECT user_type_id FROM "tds$catalog".types WHERE types.name = lower(type_id.name) $$;

-- SQL Server 2017-2022 functions.
-- GENERATE_SERIES: one column, value; the step defaults to 1, or -1 when stop < start.
CREATE FUNCTION tsql_generate_series(a int, b int, s int DEFAULT NULL) RETURNS TABLE(value int) LANGUAGE sql IMMUTABLE AS $$
  SELECT generate_series(a, b, coalesce(s, CASE WHEN b >= a THEN 1 ELSE -1 END)) $$;
CREATE FUNCTION tsql_generate_series(a bigint, b bigint, s bigint DEFAULT NULL) RETURNS TABLE(value bigint) LANGUAGE sql IMMUTABLE AS $$
  SELECT generate_series(a, b, coalesce(s, CASE WHEN b >= a THEN 1 ELSE -1 END)) $$;
CREATE FUNCTION tsql_generate_series(a numeric, b numeric, s numeric DEFAULT NULL) RETURNS TABLE(value numeric) LANGUAGE sql IMMUTABLE AS $$
  SELECT generate_series(a, b, coalesce(s, CASE WHEN b >= a THEN 1 ELSE -1 END)) $$;
-- DATE_BUCKET(part, width, date [, origin]): the start of the bucket holding date, buckets counted from origin
-- (default 1900-01-01); the result has the date's type.
CREATE FUNCTION date_bucket(part text, width int, d timestamp, origin timestamp DEFAULT '1900-01-01') RETURNS timestamp LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE unit int; months int;
BEGIN
  IF d IS NULL OR width IS NULL THEN RETURN NULL; END IF;
  unit := CASE WHEN lower(part) IN ('year', 'yy', 'yyyy') THEN 12 WHEN lower(part) IN ('quarter', 'qq', 'q') THEN 3
    WHEN lower(part) IN ('month', 'mm', 'm') THEN 1 END;
  IF unit IS NOT NULL THEN
    months := (extract(year FROM age(d, origin)) * 12 + extract(month FROM age(d, origin)))::int;
    RETURN origin + make_interval(months => floor(months::numeric / (width * unit))::int * width * unit);
  END IF;
  CASE lower(part)
    WHEN 'week', 'wk', 'ww' THEN RETURN date_bin(make_interval(days => 7 * width), d, origin);
    WHEN 'day', 'dd', 'd' THEN RETURN date_bin(make_interval(days => width), d, origin);
    WHEN 'hour', 'hh' THEN RETURN date_bin(make_interval(hours => width), d, origin);
    WHEN 'minute', 'mi', 'n' THEN RETURN date_bin(make_interval(mins => width), d, origin);
    WHEN 'second', 'ss', 's' THEN RETURN date_bin(make_interval(secs => width), d, origin);
    ELSE RAISE EXCEPTION 'DATE_BUCKET does not support the date part %', part;
  END CASE;
END $$;
CREATE FUNCTION date_bucket(part text, width int, d date, origin date DEFAULT '1900-01-01') RETURNS date LANGUAGE sql IMMUTABLE AS $$
  SELECT date_bucket(part, width, d::timestamp, origin::timestamp)::date $$;
CREATE FUNCTION datetime2fromparts(y int, m int, d int, h int, mi int, s int, frac int, prec int) RETURNS timestamp LANGUAGE sql IMMUTABLE AS $$
  SELECT make_timestamp(y, m, d, h, mi, s + frac / power(10, prec)) $$;
-- SOUNDEX and DIFFERENCE as SQL Server documents them: the first letter, then digits for the consonants that
-- follow (H and W do not separate equal codes), padded to four.
CREATE FUNCTION soundex(s text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE u text := upper(regexp_replace(coalesce(s, ''), '[^A-Za-z]', '', 'g')); out text; prev text; c text; code text; i int;
BEGIN
  IF s IS NULL THEN RETURN NULL; END IF;
  IF u = '' THEN RETURN '0000'; END IF;
  out := substr(u, 1, 1);
  prev := translate(substr(u, 1, 1), 'BFPVCGJKQSXZDTLMNRAEIOUYHW', '11112222222233455600000000');
  FOR i IN 2 .. length(u) LOOP
    c := substr(u, i, 1);
    code := translate(c, 'BFPVCGJKQSXZDTLMNRAEIOUYHW', '11112222222233455600000000');
    IF code <> '0' AND code <> prev THEN out := out || code; END IF;
    IF c NOT IN ('H', 'W') THEN prev := code; END IF;
    EXIT WHEN length(out) = 4;
  END LOOP;
  RETURN rpad(out, 4, '0');
END $$;
CREATE FUNCTION difference(a text, b text) RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT (SELECT count(*) FROM generate_series(1, 4) i WHERE substr(soundex(a), i, 1) = substr(soundex(b), i, 1))::int $$;
CREATE FUNCTION string_escape(s text, kind text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT replace(substr(to_json(s)::text, 2, length(to_json(s)::text) - 2), '/', '\/') $$;
CREATE FUNCTION json_path_exists(doc text, path text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN doc IS NULL OR path IS NULL THEN NULL ELSE jsonb_path_exists(doc::jsonb, path::jsonpath) END $$;
CREATE FUNCTION isjson(j text, kind text) RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN j IS NULL THEN NULL WHEN NOT pg_input_is_valid(j, 'jsonb') THEN 0
    WHEN upper(kind) = 'VALUE' THEN 1
    WHEN jsonb_typeof(j::jsonb) = CASE upper(kind) WHEN 'OBJECT' THEN 'object' WHEN 'ARRAY' THEN 'array' ELSE jsonb_typeof(j::jsonb) END
      AND (upper(kind) <> 'SCALAR' OR jsonb_typeof(j::jsonb) NOT IN ('object', 'array')) THEN 1 ELSE 0 END $$;
-- PERCENTILE_CONT/_DISC over a window (OVER (PARTITION BY ...)): plain aggregates of the same definitions,
-- the state holding p, the direction and the values. The DISC result is float, not the column's type.
CREATE FUNCTION tsql_pct_add(s float8[], p float8, x float8, descending boolean) RETURNS float8[] LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(s, ARRAY[p, CASE WHEN descending THEN 1 ELSE 0 END]) || CASE WHEN x IS NULL THEN '{}'::float8[] ELSE ARRAY[x] END $$;
CREATE FUNCTION tsql_pct_cont_final(s float8[]) RETURNS float8 LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE v float8[]; n int; p float8; rn float8; lo int; hi int;
BEGIN
  IF s IS NULL OR coalesce(array_length(s, 1), 0) <= 2 THEN RETURN NULL; END IF;
  p := CASE WHEN s[2] = 1 THEN 1 - s[1] ELSE s[1] END;
  SELECT array_agg(x ORDER BY x) INTO v FROM unnest(s[3:]) x;
  n := array_length(v, 1); rn := 1 + p * (n - 1); lo := floor(rn); hi := ceil(rn);
  RETURN v[lo] + (rn - lo) * (v[hi] - v[lo]);
END $$;
CREATE FUNCTION tsql_pct_disc_final(s float8[]) RETURNS float8 LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE v float8[]; n int;
BEGIN
  IF s IS NULL OR coalesce(array_length(s, 1), 0) <= 2 THEN RETURN NULL; END IF;
  IF s[2] = 1 THEN SELECT array_agg(x ORDER BY x DESC) INTO v FROM unnest(s[3:]) x;
  ELSE SELECT array_agg(x ORDER BY x) INTO v FROM unnest(s[3:]) x; END IF;
  n := array_length(v, 1);
  RETURN v[greatest(ceil(s[1] * n)::int, 1)];
END $$;
CREATE AGGREGATE tsql_percentile_cont(float8, float8, boolean) (SFUNC = tsql_pct_add, STYPE = float8[], FINALFUNC = tsql_pct_cont_final);
CREATE AGGREGATE tsql_percentile_disc(float8, float8, boolean) (SFUNC = tsql_pct_add, STYPE = float8[], FINALFUNC = tsql_pct_disc_final);
-- SWITCHOFFSET/TODATETIMEOFFSET: the instant (datetimeoffset keeps no offset here, see server.ts).
CREATE FUNCTION switchoffset(d timestamptz, off text) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$ SELECT d $$;
CREATE FUNCTION todatetimeoffset(d timestamp, off text) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
  SELECT (to_char(d, 'YYYY-MM-DD HH24:MI:SS.US') || off)::timestamptz $$;
CREATE FUNCTION databasepropertyex(db text, prop text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT CASE lower(prop) WHEN 'collation' THEN 'SQL_Latin1_General_CP1_CI_AS' WHEN 'status' THEN 'ONLINE'
    WHEN 'updateability' THEN 'READ_WRITE' WHEN 'useraccess' THEN 'MULTI_USER' WHEN 'recovery' THEN 'FULL' END
  WHERE EXISTS (SELECT 1 FROM "tds$catalog".databases WHERE lower(name) = lower(db)) $$;
-- JSON_MODIFY(doc, path, value) with no append/strict: the value set, or the key removed by NULL. One body, and
-- two entries so that a literal value (unknown to PostgreSQL) and any other type both find it.
CREATE FUNCTION tsql_json_modify(doc text, path text, v jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN v IS NULL THEN (doc::jsonb #- tsql_json_path(path))::text
    ELSE jsonb_set(doc::jsonb, tsql_json_path(path), v)::text END $$;
CREATE FUNCTION json_modify(doc text, path text, v anyelement) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT tsql_json_modify(doc, path, to_jsonb(v)) $$;
CREATE FUNCTION json_modify(doc text, path text, v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT tsql_json_modify(doc, path, to_jsonb(v)) $$;
-- HASHBYTES over the text's UTF-8 bytes (SQL Server hashes an nvarchar's UTF-16 bytes: values differ for N'...').
CREATE FUNCTION hashbytes(alg text, s text) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE upper(alg) WHEN 'SHA2_256' THEN sha256(convert_to(s, 'UTF8')) WHEN 'SHA2_512' THEN sha512(convert_to(s, 'UTF8'))
    WHEN 'MD5' THEN decode(md5(s), 'hex') END $$;

GRANT USAGE ON SCHEMA "tds$catalog" TO PUBLIC;
RESET search_path;
`;

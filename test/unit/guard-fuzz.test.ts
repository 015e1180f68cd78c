/**
 * A fuzz target for the guard and the access policy's table walk: random read-only T-SQL built from the grammar's
 * pieces (CTEs — some named like denied tables, in and out of their scope —, joins, derived tables, subqueries,
 * APPLY, UNION, DECLARE, catalog procedures) with table names in every spelling (one to three parts, brackets,
 * quotes, case, the empty schema of `db..t`). The generator knows, as T-SQL scopes names, whether each statement
 * reads a denied table; the property: whatever the guard accepts reads none. Deterministic seeds, bounded in
 * time (FUZZ_MS, default 4 s), so CI runs it on every change.
 */
import { describe, expect, it } from 'vitest';
import { connectionProfileSchema, policySchema } from '../../app/shared/config-schema.js';
import { decideAccess } from '../../app/main/policy/access-policy.js';
import { checkStatement, connectionPolicy } from '../../app/main/sql/guard.js';
import type { Identity } from '../../app/shared/types.js';

const POLICY = policySchema.parse({
  rules: [
    {
      id: 'analysts',
      match: { groups: ['analysts'] },
      databases: ['Sales'],
      tables: { allow: ['*.*'], deny: ['dbo.Employees', 'hr.*'] },
      tools: ['read'],
    },
  ],
});
const analyst: Identity = { subject: 'a', issuer: 'i', idp: 'x', groups: ['analysts'], dbUser: 'a' };
const profile = connectionProfileSchema.parse({
  id: 'sales',
  host: 'h',
  database: 'Sales',
  auth: { type: 'sql', user: 'u' },
});
const guardPolicy = {
  mode: 'read' as const,
  ...connectionPolicy(profile, decideAccess(analyst, POLICY)),
  database: 'Sales',
};

/** A small deterministic PRNG (mulberry32): a failing seed reproduces. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}
type Rng = ReturnType<typeof rng>;

interface Real {
  schema: string;
  table: string;
  denied: boolean;
}
const TABLES: Real[] = [
  { schema: 'dbo', table: 'Orders', denied: false },
  { schema: 'dbo', table: 'Products', denied: false },
  { schema: 'dbo', table: 'Employees', denied: true },
  { schema: 'hr', table: 'Pay', denied: true },
  { schema: 'sales', table: 'Regions', denied: false },
];
/** CTE names: some harmless, some the names of tables (denied and not) to shadow them. */
const CTE_NAMES = ['A', 'B', 'Recent', 'Employees', 'Orders', 'Pay'];

const cased = (r: Rng, s: string) => r.pick([s, s.toUpperCase(), s.toLowerCase()]);
const quoted = (r: Rng, s: string) => r.pick([s, `[${s}]`, `"${s}"`]);

/** One spelling of a real table's name, and whether it can only mean the real table (not a CTE). */
function spell(r: Rng, t: Real): { text: string; onePart: boolean } {
  const n = quoted(r, cased(r, t.table));
  const s = quoted(r, cased(r, t.schema));
  const db = quoted(r, cased(r, 'Sales'));
  if (t.schema === 'dbo' && r.chance(0.35)) return { text: n, onePart: true };
  return r.pick([
    { text: `${s}.${n}`, onePart: false },
    { text: `${db}.${s}.${n}`, onePart: false },
    ...(t.schema === 'dbo' ? [{ text: `${db}..${n}`, onePart: false }] : []),
  ]);
}

interface Gen {
  sql: string;
  readsDenied: boolean;
}

/** A table source: a real table, or a CTE in scope (by name: when a CTE has a table's name, the CTE wins). */
function source(r: Rng, scope: Set<string>, depth: number): Gen {
  if (depth < 2 && r.chance(0.2)) {
    const q = query(r, scope, depth + 1);
    return { sql: `(${q.sql}) AS d${Math.floor(r.next() * 100)}`, readsDenied: q.readsDenied };
  }
  if (scope.size && r.chance(0.35)) {
    const name = r.pick([...scope]);
    return { sql: quoted(r, cased(r, name)), readsDenied: false };
  }
  const t = r.pick(TABLES);
  const { text, onePart } = spell(r, t);
  // A one-part name a CTE in scope shadows is that CTE (any case: names are case-insensitive here).
  const shadowed = onePart && scope.has(t.table.toLowerCase());
  return { sql: text, readsDenied: t.denied && !shadowed };
}

function query(r: Rng, scope: Set<string>, depth: number): Gen {
  const from = source(r, scope, depth);
  let sql = `SELECT ${r.pick(['*', 'TOP 5 *', 'COUNT(*) AS n'])} FROM ${from.sql}`;
  let readsDenied = from.readsDenied;
  const add = (g: Gen, text: string) => {
    sql += text;
    readsDenied ||= g.readsDenied;
  };
  if (r.chance(0.3)) {
    const j = source(r, scope, depth);
    add(j, ` ${r.pick(['JOIN', 'LEFT JOIN'])} ${j.sql} ON 1 = 1`);
  }
  if (depth < 2 && r.chance(0.25)) {
    const a = query(r, scope, depth + 1);
    add(a, ` ${r.pick(['CROSS APPLY', 'OUTER APPLY'])} (${a.sql}) AS ap`);
  }
  if (depth < 2 && r.chance(0.25)) {
    const e = query(r, scope, depth + 1);
    add(e, ` WHERE EXISTS (${e.sql})`);
  }
  if (depth < 2 && r.chance(0.15)) {
    const u = query(r, scope, depth + 1);
    add(u, ` UNION ALL ${u.sql}`);
  }
  return { sql, readsDenied };
}

/** A statement: a query, perhaps under a WITH whose CTEs see themselves and earlier ones, and sometimes more. */
function statement(r: Rng): Gen {
  if (r.chance(0.1)) {
    const t = r.pick(TABLES);
    const { text } = spell(r, t);
    return { sql: `EXEC sp_help '${text.replace(/'/g, "''")}'`, readsDenied: t.denied };
  }
  if (!r.chance(0.6)) return query(r, new Set(), 0);
  const scope = new Set<string>();
  const parts: string[] = [];
  let readsDenied = false;
  const count = 1 + Math.floor(r.next() * 3);
  for (let i = 0; i < count; i++) {
    const name = r.pick(CTE_NAMES.filter((n) => !scope.has(n.toLowerCase())));
    scope.add(name.toLowerCase()); // visible in its own body (recursion) and after
    const body = query(r, new Set(scope), 1);
    readsDenied ||= body.readsDenied;
    parts.push(`${quoted(r, name)} AS (${body.sql})`);
  }
  const main = query(r, scope, 1);
  readsDenied ||= main.readsDenied;
  let sql = `WITH ${parts.join(', ')} ${main.sql}`;
  // The next statement of the batch: no CTE of the first is in scope there.
  if (r.chance(0.2)) {
    const next = query(r, new Set(), 1);
    sql += `; ${next.sql}`;
    readsDenied ||= next.readsDenied;
  }
  return { sql, readsDenied };
}

describe('guard fuzz: whatever is accepted reads no denied table', () => {
  it('random read-only T-SQL from the grammar’s pieces, every name spelling, CTE shadowing in and out of scope', () => {
    const budget = Number(process.env.FUZZ_MS ?? 4000);
    const until = Date.now() + budget;
    let runs = 0;
    let accepted = 0;
    let deniedSeen = 0;
    for (let seed = 1; Date.now() < until || runs < 500; seed++) {
      const r = rng(seed);
      const g = statement(r);
      const verdict = checkStatement(g.sql, guardPolicy);
      runs++;
      if (g.readsDenied) deniedSeen++;
      if (verdict.ok) accepted++;
      if (verdict.ok && g.readsDenied)
        expect.fail(`seed ${seed}: accepted a statement that reads a denied table:\n${g.sql}`);
      if (runs > 200_000) break;
    }
    // The run is not vacuous: it reached both sides of the property.
    expect(runs).toBeGreaterThanOrEqual(500);
    expect(deniedSeen).toBeGreaterThan(runs / 10);
    expect(accepted).toBeGreaterThan(runs / 10);
  });
});

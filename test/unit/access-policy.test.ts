import { describe, expect, it } from 'vitest';
import {
  connectionProfileSchema,
  policySchema,
  type Capability,
  type PolicyInput,
} from '../../app/shared/config-schema.js';
import type { Identity } from '../../app/shared/types.js';
import { decideAccess, tableMatches, wildcard } from '../../app/main/policy/access-policy.js';
import { explainAccess } from '../../app/main/policy/explain-access.js';
import { checkStatement, connectionPolicy } from '../../app/main/sql/guard.js';
import { stringsAt } from '../../app/main/idp/identity.js';

/** "Analysts read Sales except HR tables; DBAs may write": the README's example policy. */
const POLICY = policySchema.parse({
  rules: [
    {
      id: 'dbas',
      match: { groups: ['sql-dbas'] },
      tools: ['read', 'explain', 'write'],
      db_user: 'dba_user',
    },
    {
      id: 'analysts',
      match: { groups: ['analysts'], email_domains: ['corp.example'] },
      connections: ['sales'],
      databases: ['Sales'],
      tables: { allow: ['*.*'], deny: ['hr.*', '*.Salar*'] },
      tools: ['read'],
      row_limit: 200,
      timeout_seconds: 10,
    },
    {
      id: 'contractors',
      match: { roles: ['contractor'], idps: ['okta'] },
      tables: { allow: ['dbo.Products'] },
    },
  ],
} satisfies PolicyInput);

const person = (p: Partial<Identity>): Identity => ({
  subject: 's',
  issuer: 'https://idp',
  idp: 'entra',
  groups: [],
  dbUser: 'someone',
  ...p,
});
const dba = person({ groups: ['sql-dbas', 'analysts'], email: 'd@corp.example' });
const analyst = person({ groups: ['analysts'], email: 'Ann@Corp.Example' });
const outsider = person({ groups: ['analysts'], email: 'eve@elsewhere.example' });
const contractor = person({ idp: 'okta', roles: ['contractor'] });
const profile = connectionProfileSchema.parse({
  id: 'sales',
  host: 'h',
  database: 'Sales',
  auth: { type: 'sql', user: 'u' },
  allow_writes: true,
  row_limit: 1000,
  query_timeout_seconds: 30,
});

describe('policy decisions', () => {
  it.each<[string, Identity, string | undefined]>([
    ['first matching rule wins (a DBA who is also an analyst)', dba, 'dbas'],
    ['every match field must hold: group and e-mail domain, domain without case', analyst, 'analysts'],
    ['the right group from another domain matches nothing', outsider, undefined],
    ['roles and IdP profile', contractor, 'contractors'],
    ['the same role from another IdP matches nothing', { ...contractor, idp: 'entra' }, undefined],
  ])('%s', (_what, who, rule) => {
    const access = decideAccess(who, POLICY);
    expect(access.rule).toBe(rule);
    if (!rule) {
      expect(access.refusal).toMatch(/No access-policy rule matches you/);
      expect(access.refusal).toMatch(/Policy page/);
    }
  });

  it('without rules everyone gets what the connection profiles allow', () => {
    const access = decideAccess(outsider, { rules: [] });
    expect(access.rule).toBeUndefined();
    expect(access.refusal).toBeUndefined();
    expect((['read', 'explain', 'write'] as Capability[]).every((c) => access.can(c))).toBe(true);
    expect(access.capped(profile)).toEqual(profile);
  });

  it.each<[string, Identity, Capability, boolean]>([
    ['analysts read', analyst, 'read', true],
    ['analysts do not explain', analyst, 'explain', false],
    ['analysts do not write', analyst, 'write', false],
    ['DBAs write', dba, 'write', true],
    ['contractors get the default tools (read, explain)', contractor, 'explain', true],
    ['contractors do not write by default', contractor, 'write', false],
    ['nobody matched: nothing', outsider, 'read', false],
  ])('tools: %s', (_what, who, capability, allowed) => {
    expect(decideAccess(who, POLICY).can(capability)).toBe(allowed);
  });

  it.each<[string, Identity, string, boolean]>([
    ['analysts: their connection', analyst, 'sales', true],
    ['analysts: another connection, named in the refusal with the rule', analyst, 'finance', false],
    ['DBAs: any connection', dba, 'finance', true],
  ])('connections: %s', (_what, who, id, allowed) => {
    const refusal = decideAccess(who, POLICY).connectionRefusal(id);
    expect(refusal === undefined).toBe(allowed);
    if (!allowed) expect(refusal).toMatch(/policy rule "analysts"/);
  });

  it.each<[string, string, boolean]>([
    ['Sales', 'Sales', true],
    ['sales (names compare without case)', 'sales', true],
    ['HR', 'HR', false],
  ])('databases for analysts: %s', (_what, db, allowed) => {
    expect(decideAccess(analyst, POLICY).databaseRefusal(db) === undefined).toBe(allowed);
  });

  it.each<[string, Identity, [string, string, string], string | undefined]>([
    ['analysts: dbo.Orders', analyst, ['Sales', 'dbo', 'Orders'], undefined],
    [
      'analysts: hr.Employees, denied by pattern',
      analyst,
      ['Sales', 'hr', 'Employees'],
      'tables.deny "hr.*"',
    ],
    ['analysts: HR schema in capitals too', analyst, ['Sales', 'HR', 'Employees'], 'tables.deny "hr.*"'],
    [
      'analysts: dbo.Salaries by the table pattern',
      analyst,
      ['Sales', 'dbo', 'Salaries'],
      'tables.deny "*.Salar*"',
    ],
    ['catalog views stay readable', contractor, ['Sales', 'sys', 'tables'], undefined],
    ['INFORMATION_SCHEMA stays readable', contractor, ['Sales', 'INFORMATION_SCHEMA', 'COLUMNS'], undefined],
    ['contractors: their one table', contractor, ['Sales', 'dbo', 'Products'], undefined],
    [
      'contractors: any other table is not allowed',
      contractor,
      ['Sales', 'dbo', 'Orders'],
      'lets you read (dbo.Products)',
    ],
    ['DBAs: all tables', dba, ['Sales', 'hr', 'Employees'], undefined],
  ])('tables: %s', (_what, who, [db, schema, table], expected) => {
    const refusal = decideAccess(who, POLICY).tableRefusal(db, schema, table);
    if (expected === undefined) expect(refusal).toBeUndefined();
    else expect(refusal).toContain(expected);
  });

  it('caps the row limit and timeout, never raises them, and turns writes off without the write tool', () => {
    const capped = decideAccess(analyst, POLICY).capped(profile);
    expect(capped).toMatchObject({ row_limit: 200, query_timeout_seconds: 10, allow_writes: false });
    const lower = decideAccess(analyst, POLICY).capped({
      ...profile,
      row_limit: 50,
      query_timeout_seconds: 5,
    });
    expect(lower).toMatchObject({ row_limit: 50, query_timeout_seconds: 5 });
    expect(decideAccess(dba, POLICY).capped(profile).allow_writes).toBe(true);
    expect(decideAccess(dba, POLICY).capped({ ...profile, allow_writes: false }).allow_writes).toBe(false);
  });

  it("impersonates the rule's database user instead of the mapped one", () => {
    expect(decideAccess(dba, POLICY).dbUser).toBe('dba_user');
    expect(decideAccess(analyst, POLICY).dbUser).toBeUndefined();
  });

  it('explains what a person may do per connection', () => {
    const e = explainAccess(analyst, POLICY, [profile, { ...profile, id: 'finance' }]);
    expect(e).toMatchObject({ policySet: true, rule: 'analysts', tools: ['read'], dbUserFrom: 'identity' });
    expect(e.connections[0]).toMatchObject({ id: 'sales', rowLimit: 200, timeoutSeconds: 10, writes: false });
    expect(e.connections[0]!.tables.deny).toEqual(['hr.*', '*.Salar*']);
    expect(e.connections[1]!.refusal).toMatch(/not open to you/);
    expect(explainAccess(dba, POLICY, [profile])).toMatchObject({ dbUser: 'dba_user', dbUserFrom: 'policy' });
  });
});

describe('policy validation', () => {
  it.each<[string, unknown, string]>([
    ['a duplicate rule id', { rules: [{ id: 'a' }, { id: 'a' }] }, 'used twice'],
    ['a one-part table pattern', { rules: [{ id: 'a', tables: { deny: ['Salaries'] } }] }, 'schema.table'],
    [
      'an unknown tool',
      { rules: [{ id: 'a', tools: ['drop'] }] },
      'a tool permission is read, explain, write, \\"tool:<name>\\" or \\"tag:<tag>\\"',
    ],
    ['an unknown match field', { rules: [{ id: 'a', match: { group: ['x'] } }] }, 'Unrecognized key'],
    ['a database user SQL Server cannot take', { rules: [{ id: 'a', db_user: 'x]; DROP' }] }, 'letters'],
  ])('refuses %s', (_what, input, message) => {
    const r = policySchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain(message);
  });
});

describe('wildcards', () => {
  it.each<[string, string, boolean]>([
    ['*', 'anything', true],
    ['Salar*', 'salaries', true],
    ['*ar*', 'Salaries', true],
    ['S*s', 'Salaries', true],
    ['S*x', 'Salaries', false],
    ['Orders', 'Orders2', false],
    ['', '', true],
  ])('%s ~ %s', (p, t, ok) => expect(wildcard(p, t)).toBe(ok));

  it('three-part patterns name the database', () => {
    expect(tableMatches('Sales.hr.*', 'Sales', 'hr', 'x')).toBe(true);
    expect(tableMatches('Sales.hr.*', 'Other', 'hr', 'x')).toBe(false);
  });
});

describe('the guard under a policy', () => {
  const policy = (who: Identity) => ({
    mode: 'read' as const,
    ...connectionPolicy(profile, decideAccess(who, POLICY)),
    database: 'Sales',
  });

  it.each<[string, string, string | undefined]>([
    ['a plain allowed query', 'SELECT * FROM dbo.Orders', undefined],
    ['an unqualified name is taken as dbo', 'SELECT * FROM Salaries', 'tables.deny "*.Salar*"'],
    [
      'a denied table in a join',
      'SELECT * FROM dbo.Orders o JOIN hr.Employees e ON e.Id = o.EmployeeId',
      'hr.Employees',
    ],
    ['a denied table in a subquery', 'SELECT (SELECT MAX(Amount) FROM hr.Pay) AS m', 'hr.Pay'],
    ['a denied table inside a CTE', 'WITH x AS (SELECT * FROM hr.Employees) SELECT * FROM x', 'hr.Employees'],
    [
      'a CTE named like nothing real is not a table',
      'WITH recent AS (SELECT * FROM dbo.Orders) SELECT * FROM recent',
      undefined,
    ],
    ['a denied table in another database', 'SELECT * FROM Sales.hr.Employees', 'hr.Employees'],
    ['another database', 'SELECT * FROM HR.dbo.People', 'not open to you'],
    ['a table named as a catalog procedure argument', "EXEC sp_help 'hr.Employees'", 'hr.Employees'],
    ['a built-in table function', "SELECT value FROM STRING_SPLIT('a,b', ',')", undefined],
    ['catalog views', 'SELECT name FROM sys.tables', undefined],
    ['in a UNION branch', 'SELECT Id FROM dbo.Orders UNION ALL SELECT Id FROM hr.Employees', 'hr.Employees'],
    [
      'in APPLY',
      'SELECT * FROM dbo.Orders o CROSS APPLY (SELECT TOP 1 * FROM hr.Employees) e',
      'hr.Employees',
    ],
    ['in EXISTS', 'SELECT 1 WHERE EXISTS (SELECT 1 FROM [hr].[Employees])', 'hr.Employees'],
    ['in a DECLARE', 'DECLARE @n int = (SELECT COUNT(*) FROM hr.Employees); SELECT @n', 'hr.Employees'],
    [
      'in sp_describe_first_result_set',
      "EXEC sp_describe_first_result_set N'SELECT * FROM hr.Employees'",
      'hr.Employees',
    ],
  ])('%s', (_what, sql, refusedFor) => {
    const verdict = checkStatement(sql, policy(analyst));
    if (refusedFor === undefined) expect(verdict).toMatchObject({ ok: true });
    else {
      expect(verdict.ok).toBe(false);
      expect(!verdict.ok && verdict.reason).toContain(refusedFor);
      expect(!verdict.ok && verdict.reason).toMatch(/policy rule "analysts"/);
    }
  });

  it('a CTE does not hide a real table of the same name in the next statement', () => {
    const verdict = checkStatement(
      'WITH Salaries AS (SELECT 1 AS x) SELECT * FROM Salaries; SELECT * FROM Salaries',
      policy(analyst),
    );
    expect(verdict.ok).toBe(false);
  });

  // Rule: a CTE is in scope only in its own body, the CTEs after it and its WITH's statement (T-SQL's scoping).
  it.each<[string, string]>([
    [
      'cte-scope: a CTE named like a denied table does not hide it in an earlier CTE',
      'WITH A AS (SELECT TOP 2 * FROM Salaries), Salaries AS (SELECT 1 AS x) SELECT * FROM A',
    ],
    [
      'cte-scope: a CTE in a derived table does not hide a table named beside it',
      'SELECT * FROM (WITH Salaries AS (SELECT 1 AS x) SELECT * FROM Salaries) d CROSS JOIN Salaries s',
    ],
    [
      'cte-scope: a CTE in a subquery does not hide the table in the outer query',
      'SELECT * FROM Salaries WHERE EXISTS (SELECT 1 FROM (WITH Salaries AS (SELECT 1 AS x) SELECT x FROM Salaries) q)',
    ],
  ])('%s', (_rule, sql) => {
    const verdict = checkStatement(sql, policy(analyst));
    expect(verdict.ok).toBe(false);
  });

  it('cte-scope: a CTE still hides the table name where it is in scope (its statement, later CTEs, itself)', () => {
    for (const sql of [
      'WITH Salaries AS (SELECT 1 AS x) SELECT * FROM Salaries',
      'WITH Salaries AS (SELECT 1 AS x), B AS (SELECT * FROM Salaries) SELECT * FROM B',
      'WITH Salaries AS (SELECT 1 AS x UNION ALL SELECT x + 1 FROM Salaries WHERE x < 3) SELECT * FROM Salaries',
    ])
      expect(checkStatement(sql, policy(analyst)), sql).toMatchObject({ ok: true });
  });

  // Rule: under a table policy, catalog procedures take object names and statements only as literals.
  it.each<[string, string]>([
    [
      'names-in-variables: sp_describe_first_result_set with a variable',
      "DECLARE @s nvarchar(max) = N'SELECT * FROM hr.Employees'; EXEC sp_describe_first_result_set @s",
    ],
    ['names-in-variables: sp_help with a variable', "DECLARE @t sysname = 'hr.Employees'; EXEC sp_help @t"],
    [
      'names-in-variables: a named argument from a variable',
      "DECLARE @t sysname = 'x'; EXEC sp_columns @table_name = @t",
    ],
  ])('%s', (_rule, sql) => {
    const verdict = checkStatement(sql, policy(analyst));
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.reason).toContain('must be written as a literal');
  });

  it("names-in-variables: without a table policy a variable argument is SQL Server's to answer", () => {
    const open = {
      mode: 'read' as const,
      ...connectionPolicy(profile, decideAccess(dba, POLICY)),
      database: 'Sales',
    };
    expect(checkStatement("DECLARE @t sysname = 'dbo.Orders'; EXEC sp_help @t", open)).toMatchObject({
      ok: true,
    });
  });

  it('the same queries pass for a DBA', () => {
    expect(checkStatement('SELECT * FROM dbo.Orders o JOIN hr.Employees e ON 1 = 1', policy(dba)).ok).toBe(
      true,
    );
  });
});

describe('claims at a path', () => {
  it.each<[string, Record<string, unknown>, string, string[]]>([
    ['a plain claim', { groups: ['a', 'b'] }, 'groups', ['a', 'b']],
    ['Keycloak realm roles', { realm_access: { roles: ['dba'] } }, 'realm_access.roles', ['dba']],
    [
      "Auth0's namespaced claim (dots in its own name)",
      { 'https://corp.example/groups': ['x'] },
      'https://corp.example/groups',
      ['x'],
    ],
    ['one string', { roles: 'dba' }, 'roles', ['dba']],
    ['missing', {}, 'groups', []],
    ['non-strings dropped', { groups: ['a', 1, null] }, 'groups', ['a']],
  ])('%s', (_what, claims, path, expected) => expect(stringsAt(claims, path)).toEqual(expected));
});

/**
 * What a token may carry is the person's access policy: the authorization server caps every token it issues with
 * `PolicyStore.scopesFor` (code exchange, refresh, the desktop sign-in, ID-JAG).
 */
import { describe, expect, it } from 'vitest';
import { PolicyStore } from '../../app/main/policy/policy-store.js';
import { openMemoryStateDb } from '../../app/main/state/database.js';
import { sqlRepositories } from '../../app/main/state/sql-repositories.js';
import { sqliteSql } from '../../app/main/state/sqlite-sql.js';
import { EXAMPLE_POLICY } from '../../app/shared/example-policy.js';
import type { Identity } from '../../app/shared/types.js';

const person = (groups: string[]): Identity => ({
  subject: groups.join('-') || 'nobody',
  issuer: 'https://idp.example',
  idp: 'test',
  groups,
  dbUser: 'u',
});

async function store() {
  return PolicyStore.open(sqlRepositories(sqliteSql(openMemoryStateDb())).settings);
}

describe('scopes from the access policy', () => {
  it('gives mssql:write only to people whose rule gives the write tool', async () => {
    const policy = await store();
    await policy.save(EXAMPLE_POLICY);
    expect(policy.scopesFor(person(['dba']))).toEqual(['mcp:tools', 'mssql:write']);
    expect(policy.scopesFor(person(['analysts']))).toEqual(['mcp:tools']);
    // Nobody a rule matches: no writes (and the tools refuse with the reason).
    expect(policy.scopesFor(person(['visitors']))).toEqual(['mcp:tools']);
  });

  it('follows a policy change at once (the next refresh carries it)', async () => {
    const policy = await store();
    await policy.save(EXAMPLE_POLICY);
    const analyst = person(['analysts']);
    expect(policy.scopesFor(analyst)).not.toContain('mssql:write');
    await policy.save({
      rules: EXAMPLE_POLICY.rules.map((r) => (r.id === 'analysts' ? { ...r, tools: ['read', 'write'] } : r)),
    });
    expect(policy.scopesFor(analyst)).toContain('mssql:write');
  });

  it('with no rules at all, everyone signed in may hold both (the connections decide where writes exist)', async () => {
    const policy = await store();
    expect(policy.scopesFor(person([]))).toEqual(['mcp:tools', 'mssql:write']);
  });
});

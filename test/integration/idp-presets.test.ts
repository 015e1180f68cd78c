import { afterEach, describe, expect, it } from 'vitest';
import { AUTH0_GROUPS_CLAIM, ENTRA_TENANT, type Flavour } from '@mssql-mcp-bridge/demo-idp';
import type { IdpProfileInput } from '../../app/shared/config-schema.js';
import type { DoctorCheck, Identity } from '../../app/shared/types.js';
import { startEnv, type Env } from '../support/harness.js';
import { signIn } from '../support/mcp-client.js';
import { runTestSignIn } from '../support/test-sign-in.js';

/**
 * Each preset against the test IdP dressed as that provider (its issuer shape, its claims, its refusals): the
 * config doctor passes or says what the preset cannot do, Test sign-in maps the person as the preset's notes
 * promise, and the access policy sees the groups, roles or domain that provider can send.
 */
let env: Env | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

interface Case {
  flavour: Flavour;
  /** The profile as an administrator following the preset's notes would fill it. */
  profile?: Partial<IdpProfileInput>;
  issuerPath: string;
  groupsCheck: DoctorCheck['status'];
  identity: Partial<Identity>;
  /** The policy rule bob lands on (rules: dba group, then example.com domain). */
  rule: string;
}

const CASES: Case[] = [
  {
    flavour: 'entra',
    issuerPath: `/${ENTRA_TENANT}/v2.0`,
    groupsCheck: 'ok',
    // No email claim: the database user comes from the UPN in preferred_username.
    identity: {
      email: undefined,
      dbUser: 'bob',
      groups: ['engineers', 'dba'],
      roles: ['SQL.engineers', 'SQL.dba'],
    },
    rule: 'dbas',
  },
  {
    flavour: 'auth0',
    profile: { groups_claim: AUTH0_GROUPS_CLAIM },
    issuerPath: '/',
    groupsCheck: 'ok',
    identity: { email: 'bob@example.com', dbUser: 'bob', groups: ['engineers', 'dba'] },
    rule: 'dbas',
  },
  {
    flavour: 'okta',
    issuerPath: '/oauth2/default',
    groupsCheck: 'ok',
    identity: { dbUser: 'bob', groups: ['engineers', 'dba'] },
    rule: 'dbas',
  },
  {
    flavour: 'keycloak',
    issuerPath: '/realms/corp',
    groupsCheck: 'ok',
    identity: { dbUser: 'bob', groups: ['engineers', 'dba'], roles: ['engineers-role', 'dba-role'] },
    rule: 'dbas',
  },
  {
    flavour: 'google',
    issuerPath: '',
    groupsCheck: 'skipped',
    identity: { dbUser: 'bob', groups: [], roles: [] },
    rule: 'example-domain',
  },
];

describe.each(CASES)('the $flavour preset against an IdP that behaves as $flavour does', (c) => {
  it('passes the config doctor, signs in, maps the person and decides the policy rule', async () => {
    env = await startEnv({
      flavour: c.flavour,
      idpProfile: c.profile,
      config: {
        policy: {
          rules: [
            { id: 'dbas', match: { groups: ['dba'] }, tools: ['read', 'explain', 'write'] },
            { id: 'example-domain', match: { email_domains: ['example.com'] }, tools: ['read'] },
          ],
        },
      },
    });
    expect(new URL(env.idp.issuer).pathname).toBe(c.issuerPath || '/');

    const { checks } = await env.core.control.request('idp.diagnose', { id: 'test' });
    const byId = Object.fromEntries(checks.map((k) => [k.id, k]));
    for (const id of ['discovery', 'issuer', 'code_flow', 'scopes', 'clock', 'client', 'redirect_uri'])
      expect(byId[id]?.status, `${id}: ${byId[id]?.detail}`).toBe('ok');
    expect(byId.groups?.status, byId.groups?.detail).toBe(c.groupsCheck);

    const { result } = await runTestSignIn(env, 'bob');
    if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
    expect(result.identity).toMatchObject(c.identity);
    const authz = result.trace!.find((s) => s.title === 'Authorization request')!.detail.parameters as Record<
      string,
      string
    >;
    expect(authz.resource).toBeUndefined();

    const person = result.identity;
    const access = await env.core.control.request('policy.explain', {
      person: {
        groups: person.groups,
        roles: person.roles ?? [],
        email: person.email,
        idp: person.idp,
        dbUser: person.dbUser,
      },
    });
    expect(access.rule).toBe(c.rule);
  });
});

describe('provider quirks the bridge must live with', () => {
  it("Entra refuses a resource parameter: an MCP client's resource never reaches it, so the OAuth flow works", async () => {
    env = await startEnv({ flavour: 'entra' });
    const { tokens } = await signIn(env, { user: 'alice' }); // the MCP client sends resource to the bridge
    expect(tokens.access_token).toBeTruthy();
    // The IdP really refuses one: the same authorization request with resource added is answered 400.
    const { url } = await env.core.control.request('idp.testSignIn', { id: 'test' });
    const withResource = new URL(url);
    withResource.searchParams.set('resource', env.core.urls().mcp);
    const res = await fetch(withResource, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('AADSTS9010010');
  });

  it("Auth0's audience goes to the IdP from extra_auth_params, and its trailing-slash issuer typed without the slash still passes", async () => {
    env = await startEnv({
      flavour: 'auth0',
      idpProfile: {
        extra_auth_params: { audience: 'https://sql.example/api' },
        groups_claim: AUTH0_GROUPS_CLAIM,
      },
    });
    await env.core.idpProfiles.save({
      ...(await env.core.idpProfiles.get('test'))!,
      id: 'noslash',
      issuer: env.idp.issuer.replace(/\/$/, ''),
      client_secret: 'bridge-upstream-secret',
    });
    const { checks } = await env.core.control.request('idp.diagnose', { id: 'noslash' });
    expect(checks.find((k) => k.id === 'issuer')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('is the same URL'),
    });
    const { result } = await runTestSignIn(env, 'alice', 'noslash');
    expect(result.ok).toBe(true);
    const authz = result.trace!.find((s) => s.title === 'Authorization request')!.detail.parameters as Record<
      string,
      string
    >;
    expect(authz.audience).toBe('https://sql.example/api');
  });

  it('Google sends no groups: the doctor says so when a groups claim is set anyway, and rules by domain still match', async () => {
    env = await startEnv({ flavour: 'google', idpProfile: { groups_claim: 'groups' } });
    const { checks } = await env.core.control.request('idp.diagnose', { id: 'test' });
    const groups = checks.find((k) => k.id === 'groups')!;
    expect(groups.status).toBe('warn');
    expect(groups.detail).toMatch(/does not list "groups".*e-mail domain/);
    const { result } = await runTestSignIn(env, 'carol');
    expect(result.ok && result.claims.hd).toBe('example.com');
  });
});

/**
 * The demo IdP dressed as the providers the bridge has presets for, each with its documented quirks, so the
 * presets' doctor checks and sign-in are tested against what those IdPs really do:
 * - Entra ID: a tenant-specific issuer (`/<tenant>/v2.0`), no `email` claim (the UPN comes as
 *   preferred_username), app roles in `roles`, and a refusal of any `resource` parameter (AADSTS9010010).
 * - Auth0: an issuer with a trailing slash, groups only in a namespaced claim (added by an Action).
 * - Okta: a custom authorization server (`/oauth2/default`), groups for the `groups` scope.
 * - Keycloak: the realm path (`/realms/<realm>`), groups from a mapper, roles in `realm_access.roles`.
 * - Google: no groups at all (not even in claims_supported), the Workspace domain in `hd`.
 */
export const FLAVOURS = ['generic', 'entra', 'auth0', 'okta', 'keycloak', 'google'] as const;
export type Flavour = (typeof FLAVOURS)[number];

export const ENTRA_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const AUTH0_GROUPS_CLAIM = 'https://mssql-mcp-bridge.example/groups';

export interface FlavourShape {
  /** The issuer's path after the origin ('' or '/realms/corp'); '/' for Auth0's trailing slash. */
  path: string;
  scopes: string[];
  /** oidc-provider `claims`: which claims each scope releases (and what claims_supported lists). */
  claims: Record<string, string[]>;
  /** The user's claims as this IdP would send them. */
  claimsOf(claims: Record<string, unknown>): Record<string, unknown>;
  /** An authorization request this IdP refuses, as its error text; undefined when accepted. */
  refuses?(params: URLSearchParams): string | undefined;
}

const groupsOf = (c: Record<string, unknown>) => (Array.isArray(c.groups) ? (c.groups as string[]) : []);
const base = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name', 'preferred_username'],
};

export const FLAVOUR_SHAPES: Record<Flavour, FlavourShape> = {
  generic: {
    path: '',
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: { ...base, groups: ['groups'] },
    claimsOf: (c) => c,
  },
  entra: {
    path: `/${ENTRA_TENANT}/v2.0`,
    scopes: ['openid', 'email', 'profile'],
    claims: { ...base, profile: ['name', 'preferred_username', 'roles', 'groups', 'tid'] },
    claimsOf: ({ email, email_verified: _v, groups, ...rest }) => ({
      ...rest,
      preferred_username: email,
      tid: ENTRA_TENANT,
      roles: groupsOf({ groups }).map((g) => `SQL.${g}`),
      groups,
    }),
    refuses: (p) =>
      p.has('resource')
        ? `AADSTS9010010: The resource parameter provided in the request doesn't match with the requested scopes.`
        : undefined,
  },
  auth0: {
    path: '/',
    scopes: ['openid', 'email', 'profile'],
    claims: { ...base, profile: ['name', 'preferred_username', AUTH0_GROUPS_CLAIM] },
    claimsOf: ({ groups, ...rest }) => ({ ...rest, [AUTH0_GROUPS_CLAIM]: groups }),
  },
  okta: {
    path: '/oauth2/default',
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: { ...base, groups: ['groups'] },
    claimsOf: (c) => c,
  },
  keycloak: {
    path: '/realms/corp',
    scopes: ['openid', 'email', 'profile'],
    claims: { ...base, profile: ['name', 'preferred_username', 'groups', 'realm_access'] },
    claimsOf: (c) => ({ ...c, realm_access: { roles: groupsOf(c).map((g) => `${g}-role`) } }),
  },
  google: {
    path: '',
    scopes: ['openid', 'email', 'profile'],
    claims: { ...base, email: ['email', 'email_verified', 'hd'] },
    claimsOf: ({ groups: _g, ...rest }) => ({
      ...rest,
      hd: typeof rest.email === 'string' ? rest.email.split('@')[1] : undefined,
    }),
  },
};

/** Every claim name a flavour may release, for the grant the login form records. */
export const claimNames = (shape: FlavourShape) => [...new Set(Object.values(shape.claims).flat())];

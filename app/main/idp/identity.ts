import { DB_USER_PATTERN, type DbUserRule } from '../../shared/config-schema.js';
import type { Identity } from '../../shared/types.js';
import { BridgeError } from '../../shared/errors.js';
export type { Identity };

export class IdentityMappingError extends BridgeError {
  override name = 'IdentityMappingError';
  constructor(message: string) {
    super(message, 'identity_mapping_failed');
  }
}

export function mapClaims(
  claims: Record<string, unknown>,
  opts: { idp: string; groupsClaim?: string; rolesClaim?: string; dbUser: DbUserRule },
): Identity {
  const sub = claims.sub;
  const iss = claims.iss;
  if (typeof sub !== 'string' || !sub) throw new IdentityMappingError('The ID token has no "sub" claim.');
  const email = typeof claims.email === 'string' ? claims.email : undefined;
  const name = typeof claims.name === 'string' ? claims.name : undefined;
  const groups = stringsAt(claims, opts.groupsClaim);
  const roles = stringsAt(claims, opts.rolesClaim);

  const dbUser = databaseUser(claims, opts.dbUser, email);
  if (!DB_USER_PATTERN.test(dbUser)) {
    throw new IdentityMappingError(
      `The database user "${dbUser}" derived from the ID token has characters SQL Server user names cannot use.`,
    );
  }
  return { subject: sub, issuer: String(iss), idp: opts.idp, email, name, groups, roles, dbUser };
}

/**
 * The strings of a claim named by a path: a claim whose own name has dots (Auth0's namespaced
 * `https://corp.example/groups`) is read first, then nested objects (Keycloak's `realm_access.roles`).
 * A single string counts as one value.
 */
export function stringsAt(claims: Record<string, unknown>, path: string | undefined): string[] {
  if (!path) return [];
  let value: unknown = claims[path];
  if (value === undefined && path.includes('.')) {
    value = claims;
    for (const part of path.split('.'))
      value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  }
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((g): g is string => typeof g === 'string') : [];
}

function databaseUser(claims: Record<string, unknown>, rule: DbUserRule, email: string | undefined): string {
  if (rule.from === 'claim') {
    const value = claims[rule.claim];
    if (typeof value !== 'string' || !value) {
      throw new IdentityMappingError(
        `The ID token has no "${rule.claim}" claim, which db_user is set to use. Ask the IdP to include it (often by adding a scope or a claim mapper), or set db_user to another claim.`,
      );
    }
    return value;
  }
  // Entra ID often omits `email` but sends the UPN as preferred_username.
  const source =
    email ??
    (typeof claims.preferred_username === 'string' && claims.preferred_username.includes('@')
      ? claims.preferred_username
      : undefined);
  if (!source) {
    throw new IdentityMappingError(
      'The ID token has no "email" claim, which the database user is derived from. Add the "email" scope to the IdP profile (and allow it in the IdP application), or set db_user to { "from": "claim", "claim": "<name>" }.',
    );
  }
  return source.slice(0, source.indexOf('@') === -1 ? undefined : source.indexOf('@'));
}

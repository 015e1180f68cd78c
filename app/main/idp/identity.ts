import type { DbUserRule } from '../../shared/config-schema.js';
import type { Identity } from '../../shared/types.js';
export type { Identity };

export class IdentityMappingError extends Error {
  override name = 'IdentityMappingError';
}

/** SQL Server user names: letters, digits and a few symbols; anything else is refused rather than quoted. */
const DB_USER_PATTERN = /^[\p{L}\p{N}_.\-@ ]{1,128}$/u;

export function mapClaims(
  claims: Record<string, unknown>,
  opts: { idp: string; groupsClaim?: string; dbUser: DbUserRule },
): Identity {
  const sub = claims.sub;
  const iss = claims.iss;
  if (typeof sub !== 'string' || !sub) throw new IdentityMappingError('The ID token has no "sub" claim.');
  const email = typeof claims.email === 'string' ? claims.email : undefined;
  const name = typeof claims.name === 'string' ? claims.name : undefined;
  const rawGroups = opts.groupsClaim ? claims[opts.groupsClaim] : undefined;
  const groups = Array.isArray(rawGroups) ? rawGroups.filter((g): g is string => typeof g === 'string') : [];

  const dbUser = databaseUser(claims, opts.dbUser, email);
  if (!DB_USER_PATTERN.test(dbUser)) {
    throw new IdentityMappingError(
      `The database user "${dbUser}" derived from the ID token has characters SQL Server user names cannot use.`,
    );
  }
  return { subject: sub, issuer: String(iss), idp: opts.idp, email, name, groups, dbUser };
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

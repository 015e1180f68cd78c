import type { Capability, ConnectionProfileConfig, PolicyConfig } from '../../shared/config-schema.js';
import type { AccessExplanation, Identity } from '../../shared/types.js';
import { decideAccess } from './access-policy.js';

/**
 * What a person may do, in words and lists for the UI (Policy page's "Try it", the IdP lab after a test sign-in):
 * the deciding rule, the database user, and per connection what is open, with the caps applied.
 */
export function explainAccess(
  identity: Identity,
  policy: PolicyConfig,
  connections: ConnectionProfileConfig[],
): AccessExplanation {
  const access = decideAccess(identity, policy);
  const rule = policy.rules.find((r) => r.id === access.rule);
  const tools = (['read', 'explain', 'write'] as Capability[]).filter((c) => access.can(c));
  return {
    policySet: policy.rules.length > 0,
    rule: access.rule,
    refusal: access.refusal,
    tools,
    dbUser: access.dbUser ?? identity.dbUser,
    dbUserFrom: access.dbUser ? 'policy' : 'identity',
    connections: connections.map((p) => {
      const refusal = access.connectionRefusal(p.id);
      const capped = access.capped(p);
      const blocked = p.blocked_databases.length ? ` except ${p.blocked_databases.join(', ')}` : '';
      const byProfile = p.allowed_databases.length ? p.allowed_databases.join(', ') : `all${blocked}`;
      return {
        id: p.id,
        name: p.name,
        refusal,
        databases:
          rule && !rule.databases.includes('*')
            ? `${rule.databases.join(', ')} (of ${byProfile})`
            : byProfile,
        tables: rule ? { allow: rule.tables.allow, deny: rule.tables.deny } : { allow: ['*.*'], deny: [] },
        rowLimit: capped.row_limit,
        timeoutSeconds: capped.query_timeout_seconds,
        writes: !refusal && capped.allow_writes && access.can('write'),
      };
    }),
  };
}

import type {
  Capability,
  ConnectionProfileConfig,
  PolicyConfig,
  PolicyRule,
} from '../../shared/config-schema.js';
import type { Identity } from '../../shared/types.js';
import type { TableAccess } from '../sql/guard.js';
import { capLimits } from '../sql/profiles.js';

/** Schemas of the catalog views: readable under any table rule, so metadata queries and tools keep working. */
const CATALOG_SCHEMAS = new Set(['sys', 'information_schema']);

/**
 * What one signed-in person may do, decided by the first policy rule that matches them. Every check returns a
 * sentence naming the rule (for the caller and the audit log), or undefined when allowed.
 */
export interface Access extends TableAccess {
  /** The rule that decided; undefined when no policy is set (the connection profiles alone decide). */
  readonly rule?: string;
  /** Set when no rule matches: nothing is allowed, and this says why and who can change it. */
  readonly refusal?: string;
  /** A built-in capability, or a configured tool (given by name or tag; a write one needs `write` too). */
  can(capability: Capability | ToolGrant): boolean;
  connectionRefusal(profileId: string): string | undefined;
  /** The profile with the rule's caps applied (row limit, timeout, writes only with the write capability). */
  capped<P extends ConnectionProfileConfig>(profile: P): P;
  /** The database user to impersonate instead of the mapped one. */
  readonly dbUser?: string;
}

/** What a configured tool asks of the policy: its name and tags, and whether it writes. */
export interface ToolGrant {
  tool: string;
  tags: string[];
  write: boolean;
}

const OPEN: Access = {
  tablesRestricted: false,
  can: () => true,
  connectionRefusal: () => undefined,
  databaseRefusal: () => undefined,
  tableRefusal: () => undefined,
  capped: (p) => p,
};

export function decideAccess(identity: Identity, policy: PolicyConfig | undefined): Access {
  if (!policy?.rules.length) return OPEN;
  const rule = policy.rules.find((r) => matches(r, identity));
  return rule ? ruleAccess(rule) : closed(identity);
}

/** Whether a rule's `match` fits the person: every listed field, any one of its values. */
export function matches(rule: PolicyRule, id: Identity): boolean {
  const m = rule.match;
  const anyOf = (wanted: string[] | undefined, have: string[], caseless = false) =>
    !wanted ||
    wanted.some((w) => have.some((h) => (caseless ? h.toLowerCase() === w.toLowerCase() : h === w)));
  const email = id.email?.toLowerCase();
  const domain = email?.includes('@') ? email.slice(email.lastIndexOf('@') + 1) : undefined;
  return (
    anyOf(m.groups, id.groups) &&
    anyOf(m.roles, id.roles ?? []) &&
    anyOf(m.email_domains, domain ? [domain] : [], true) &&
    anyOf(m.emails, email ? [email] : [], true) &&
    anyOf(m.idps, [id.idp])
  );
}

function ruleAccess(rule: PolicyRule): Access {
  const by = `policy rule "${rule.id}"`;
  const listed = (list: string[], value: string) =>
    list.some((x) => x === '*' || x.toLowerCase() === value.toLowerCase());
  return {
    rule: rule.id,
    dbUser: rule.db_user,
    tablesRestricted:
      rule.tables.deny.length > 0 || !rule.tables.allow.some((p) => /^(\*\.)?\*\.\*$/.test(p)),
    can: (c) =>
      typeof c === 'string'
        ? rule.tools.includes(c)
        : (rule.tools.includes(`tool:${c.tool}`) || c.tags.some((t) => rule.tools.includes(`tag:${t}`))) &&
          (!c.write || rule.tools.includes('write')),
    connectionRefusal: (id) =>
      listed(rule.connections, id)
        ? undefined
        : `The connection "${id}" is not open to you (${by} allows: ${rule.connections.join(', ') || 'none'}).`,
    databaseRefusal: (db) =>
      listed(rule.databases, db)
        ? undefined
        : `Database "${db}" is not open to you (${by} allows: ${rule.databases.join(', ') || 'none'}).`,
    tableRefusal: (db, schema, table) => {
      const name = `${schema}.${table}`;
      const denied = rule.tables.deny.find((p) => tableMatches(p, db, schema, table));
      if (denied) return `Table ${name} is denied to you by ${by} (tables.deny "${denied}").`;
      if (CATALOG_SCHEMAS.has(schema.toLowerCase())) return undefined;
      if (rule.tables.allow.some((p) => tableMatches(p, db, schema, table))) return undefined;
      return `Table ${name} is not among the tables ${by} lets you read (${rule.tables.allow.join(', ') || 'none'}).`;
    },
    capped: (p) => ({ ...capLimits(p, rule), allow_writes: p.allow_writes && rule.tools.includes('write') }),
  };
}

function closed(id: Identity): Access {
  const facts = [
    id.groups.length ? `groups ${id.groups.join(', ')}` : 'no groups',
    id.roles?.length ? `roles ${id.roles.join(', ')}` : undefined,
    id.email ? `e-mail ${id.email}` : 'no e-mail',
    `IdP profile ${id.idp}`,
  ]
    .filter(Boolean)
    .join('; ');
  const refusal = `No access-policy rule matches you (${facts}), so the bridge lets you do nothing. Ask the bridge's administrator to add a rule for you on the Policy page.`;
  return {
    refusal,
    tablesRestricted: true,
    can: () => false,
    connectionRefusal: () => refusal,
    databaseRefusal: () => refusal,
    tableRefusal: () => refusal,
    capped: (p) => ({ ...p, allow_writes: false }),
  };
}

/** `schema.table` applies in every database; `database.schema.table` in that one. Without case, `*` wildcards. */
export function tableMatches(pattern: string, db: string, schema: string, table: string): boolean {
  const parts = pattern.split('.');
  const [p0, p1, p2] = parts.length === 3 ? parts : ['*', ...parts];
  return wildcard(p0!, db) && wildcard(p1!, schema) && wildcard(p2!, table);
}

/** Whether `text` matches `pattern`, where `*` stands for any run of characters; compared without case. */
export function wildcard(pattern: string, text: string): boolean {
  const p = pattern.toLowerCase();
  const t = text.toLowerCase();
  // Greedy match with backtracking to the last star: linear for the short names compared here.
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    if (pi < p.length && p[pi] !== '*' && p[pi] === t[ti]) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = ti;
    } else if (star !== -1) {
      pi = star + 1;
      ti = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** The identity SQL Server impersonates: the policy's database user when its rule names one. */
export function sqlIdentity(identity: Identity, access: Access): Identity {
  return access.dbUser ? { ...identity, dbUser: access.dbUser } : identity;
}

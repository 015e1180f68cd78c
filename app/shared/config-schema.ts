import { z } from 'zod';
import { PARAMETER_BINDINGS } from './parameter-bindings.js';

/** Scopes the bridge understands. Anything else asked for is refused with `invalid_scope`. */
export const SCOPES = {
  tools: 'mcp:tools',
  write: 'mssql:write',
} as const;
export const SUPPORTED_SCOPES: readonly string[] = Object.values(SCOPES);

export const DEFAULT_PORT = 8765;

/** Hosts of well-known MCP clients' metadata documents (Claude, VS Code): the default CIMD allowlist. */
export const WELL_KNOWN_CIMD_HOSTS = ['claude.ai', 'vscode.dev'] as const;

/** SQL Server user names the bridge impersonates: letters, digits and a few symbols; others are refused, not quoted. */
export const DB_USER_PATTERN = /^[\p{L}\p{N}_.\-@ ]{1,128}$/u;

const preRegisteredClient = z.object({
  client_id: z.string().min(1),
  client_name: z.string().optional(),
  redirect_uris: z.array(z.string().url()).min(1),
  /** Pre-registered clients are public (PKCE only) on a desktop; a secret would be visible to the user anyway. */
  skip_consent: z.boolean().default(false),
});
export type PreRegisteredClient = z.infer<typeof preRegisteredClient>;

export const IDP_PRESETS = ['duo', 'auth0', 'okta', 'entra', 'keycloak', 'google', 'generic'] as const;

const dbUserRule = z.discriminatedUnion('from', [
  z.object({ from: z.literal('email_local_part') }),
  z.object({ from: z.literal('claim'), claim: z.string().min(1) }),
]);
export type DbUserRule = z.infer<typeof dbUserRule>;

export const idpProfileSchema = z.object({
  id: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9_-]{0,62}$/,
      'lower-case letters, digits, "-" and "_" (used as a keychain account name)',
    ),
  preset: z.enum(IDP_PRESETS).default('generic'),
  display_name: z.string().optional(),
  /** Issuer URL; discovery is `<issuer>/.well-known/openid-configuration`. */
  issuer: z.string().url(),
  client_id: z.string().min(1),
  /** Only accepted from the config file or environment, then moved into the keychain; never persisted elsewhere. */
  client_secret: z.string().optional(),
  scopes: z.array(z.string()).optional(),
  /** Extra authorization parameters some IdPs need (e.g. Auth0 `audience`). Never the MCP client's `resource`. */
  extra_auth_params: z.record(z.string(), z.string()).default({}),
  /** The claim holding group names; a dotted path reads a nested claim (Keycloak: `realm_access.roles`). */
  groups_claim: z.string().optional(),
  /** The claim holding application roles (Entra ID and Keycloak send `roles`); dotted paths as above. */
  roles_claim: z.string().optional(),
  db_user: dbUserRule.optional(),
});
export type IdpProfileInput = z.input<typeof idpProfileSchema>;
export type IdpProfileConfig = z.infer<typeof idpProfileSchema>;

const sqlAuth = z.discriminatedUnion('type', [
  z.object({ type: z.literal('sql'), user: z.string().min(1), password: z.string().optional() }),
  z.object({
    type: z.literal('ntlm'),
    domain: z.string().min(1),
    user: z.string().min(1),
    password: z.string().optional(),
  }),
  z.object({
    type: z.literal('entra-service-principal'),
    tenant_id: z.string().min(1),
    client_id: z.string().min(1),
    client_secret: z.string().optional(),
  }),
  z.object({ type: z.literal('entra-default') }),
]);

export const connectionProfileSchema = z
  .object({
    id: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9_-]{0,62}$/,
        'lower-case letters, digits, "-" and "_" (used as a keychain account name)',
      ),
    name: z.string().optional(),
    /** A host name or address; `host\\INSTANCE` names an instance as SQL Server tools write it (split below). */
    host: z.string().min(1),
    /** Ignored for a named instance: SQL Server Browser (UDP 1434 on the host) says the instance's port. */
    port: z.number().int().min(1).max(65535).default(1433),
    /** A named instance (`SQLEXPRESS`): its port is asked of SQL Server Browser. For a fixed port, give port instead. */
    instance: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_$#]{0,15}$/, 'an instance name: up to 16 letters, digits, "_", "$" or "#"')
      .optional(),
    database: z.string().min(1).default('master'),
    auth: sqlAuth,
    encrypt: z.boolean().default(true),
    trust_server_certificate: z.boolean().default(false),
    pool_max: z.number().int().min(1).max(100).default(10),
    /**
     * Read-only: no write tool on this connection (run_query is read-only on every connection). Defaults to the
     * opposite of allow_writes; both on is a contradiction and refused.
     */
    read_only: z.boolean().optional(),
    /** Procedures the administrator declares read-only (`schema.name`), callable from run_query with EXEC. */
    read_only_procedures: z.array(z.string().min(1)).default([]),
    allowed_databases: z.array(z.string()).default([]),
    blocked_databases: z.array(z.string()).default(['master', 'msdb', 'tempdb', 'model']),
    row_limit: z.number().int().min(1).max(1_000_000).default(1000),
    query_timeout_seconds: z.number().int().min(1).max(3600).default(30),
    /** Offer execute_statement (still needs a token with mssql:write). */
    allow_writes: z.boolean().default(false),
    /** Ask the person (MCP elicitation) before a write commits, showing its previewed effect. */
    confirm_writes: z.boolean().default(true),
    /** Run every call as the signed-in user's database user (EXECUTE AS USER ... REVERT). */
    impersonation: z.enum(['none', 'execute_as_user']).default('execute_as_user'),
  })
  .superRefine((p, ctx) => {
    if (p.host.includes('\\') && p.instance !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['host'],
        message: `the instance is named twice: give "host": "${p.host.split('\\')[0]}" with "instance": "${p.instance}", or "${p.host}" alone`,
      });
    if (p.read_only && p.allow_writes)
      ctx.addIssue({
        code: 'custom',
        path: ['allow_writes'],
        message:
          'a read-only connection offers no writes: turn off Read-only to offer execute_statement, or turn this off',
      });
  })
  .transform((p) => {
    // `sql01\SQLEXPRESS`, as SSMS and connection strings write it: the host and its named instance.
    const [host, instance] = p.host.includes('\\') ? p.host.split('\\', 2) : [p.host, p.instance];
    return { ...p, host: host, instance: instance || undefined, read_only: p.read_only ?? !p.allow_writes };
  });
export type ConnectionProfileInput = z.input<typeof connectionProfileSchema>;
export type ConnectionProfileConfig = z.infer<typeof connectionProfileSchema>;

/** What a policy rule grants: read (catalog tools, run_query, sample_rows), explain (explain_query), write. */
export const CAPABILITIES = ['read', 'explain', 'write'] as const;
export type Capability = (typeof CAPABILITIES)[number];

const names = z.array(z.string().min(1).max(256));
/** `[database.]schema.table`, `*` matching any run of characters within one part (`hr.*`, `Sales.*.Salar*`). */
const tablePattern = z
  .string()
  .min(1)
  .max(400)
  .refine((p) => {
    const n = p.split('.').length;
    return n === 2 || n === 3;
  }, 'a table pattern is "schema.table" or "database.schema.table" ("*" matches any characters)');

/** A policy rule's grant of configured tools: `tool:<name>` or `tag:<tag>`. */
const toolGrantPattern = z
  .string()
  .regex(
    /^(tool|tag):[A-Za-z0-9_.-]{1,64}$/,
    'a tool permission is read, explain, write, "tool:<name>" or "tag:<tag>" (a configured tool)',
  );

export const policyRuleSchema = z
  .object({
    /** Named in refusals and in the audit log. */
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'letters, digits, ".", "-" and "_"'),
    description: z.string().max(500).optional(),
    /** Who the rule is for: every listed field must match (any one of its values); `{}` matches everyone. */
    match: z
      .object({
        groups: names.optional(),
        roles: names.optional(),
        /** The part of the e-mail after "@", compared without case. */
        email_domains: names.optional(),
        emails: names.optional(),
        /** IdP profile ids. */
        idps: names.optional(),
      })
      .strict()
      .default({}),
    /** Connection profile ids; `*` for all. */
    connections: names.default(['*']),
    /** Database names; `*` for all the connection allows. */
    databases: names.default(['*']),
    tables: z
      .object({
        /** Tables this person may read; `*.*` for all. `sys` and `INFORMATION_SCHEMA` are always readable. */
        allow: z.array(tablePattern).default(['*.*']),
        /** Tables refused even when allowed (deny wins). */
        deny: z.array(tablePattern).default([]),
      })
      .strict()
      .prefault({}),
    /**
     * Built-in capabilities (`read`, `explain`, `write`) and configured tools, by name (`tool:customer_orders`)
     * or by tag (`tag:finance`); a configured write tool needs `write` as well.
     */
    tools: z.array(z.union([z.enum(CAPABILITIES), toolGrantPattern])).default(['read', 'explain']),
    /** Caps the connection's row_limit and query_timeout_seconds (never raises them). */
    row_limit: z.number().int().min(1).max(1_000_000).optional(),
    timeout_seconds: z.number().int().min(1).max(3600).optional(),
    /** The database user to impersonate instead of the one mapped from the ID token. */
    db_user: z.string().regex(DB_USER_PATTERN, 'letters, digits, "_", ".", "-", "@" and spaces').optional(),
  })
  .strict();
export type PolicyRuleInput = z.input<typeof policyRuleSchema>;
export type PolicyRule = z.infer<typeof policyRuleSchema>;

/**
 * Parameter types of configured tools: the T-SQL types their values are sent as (typed RPC parameters, never
 * spliced into the text). Lengths and precision as SQL Server writes them.
 */
export const PARAMETER_TYPE =
  /^(bit|tinyint|smallint|int|bigint|float|real|money|date|datetime2|datetimeoffset|time|uniqueidentifier|(decimal|numeric)\(\d{1,2},\s*\d{1,2}\)|n?(var)?char\((\d{1,4}|max)\))$/i;

const configuredParameterSchema = z
  .object({
    /** As written in the statement, without the "@". */
    name: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'letters, digits and "_", not starting with a digit'),
    type: z
      .string()
      .regex(PARAMETER_TYPE, 'a T-SQL type: int, bigint, decimal(10,2), nvarchar(100), date, bit, …'),
    /** What the model reads about it. */
    description: z.string().max(500).default(''),
    required: z.boolean().optional(),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    /** The only values accepted. */
    enum: z
      .array(z.union([z.string(), z.number()]))
      .min(1)
      .optional(),
    /** Numbers: the smallest and largest accepted; text: the shortest and longest. */
    min: z.number().optional(),
    max: z.number().optional(),
    /** Filled from the person's sign-in (`groups`: a comma-separated list); not an argument the model sees. */
    bind: z.enum(PARAMETER_BINDINGS).optional(),
  })
  .strict();

export const configuredToolSchema = z
  .object({
    /** The MCP tool name. */
    name: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,63}$/, 'lower-case letters, digits and "_", starting with a letter'),
    title: z.string().min(1).max(100),
    /** What the model reads: when to use it and what it returns. */
    description: z.string().min(1).max(2000),
    /** The connection profile it runs on. */
    connection: z.string().min(1),
    /** Default: the connection's database. */
    database: z.string().optional(),
    /** One T-SQL statement with `@name` parameters; or, instead, `procedure`. */
    statement: z.string().min(1).max(20_000).optional(),
    /**
     * A stored procedure (`dbo.usp_Name`), run with EXEC; its parameters are read from sys.parameters unless
     * declared here. What it may do is SQL Server's EXECUTE permission for the person's database user.
     */
    procedure: z
      .string()
      .regex(
        /^([A-Za-z_][A-Za-z0-9_]{0,127}\.)?[A-Za-z_][A-Za-z0-9_]{0,127}$/,
        'schema.name, e.g. dbo.usp_CustomerOrderSummary',
      )
      .optional(),
    /** A write previews and asks the person as execute_statement does, and needs the write permission too. */
    mode: z.enum(['read', 'write']).default('read'),
    parameters: z.array(configuredParameterSchema).default([]),
    /** Given by policy rules as `tag:<tag>`. */
    tags: z.array(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/)).default([]),
    /** Caps the connection's (never raises them). */
    row_limit: z.number().int().min(1).max(1_000_000).optional(),
    timeout_seconds: z.number().int().min(1).max(3600).optional(),
  })
  .strict()
  .refine((t) => (t.statement === undefined) !== (t.procedure === undefined), {
    message: 'a configured tool has either a statement or a procedure',
    path: ['statement'],
  });
export type ConfiguredToolInput = z.input<typeof configuredToolSchema>;
export type ConfiguredTool = z.infer<typeof configuredToolSchema>;
export type ConfiguredParameter = ConfiguredTool['parameters'][number];

/**
 * Access policy: rules tried in order, the first whose `match` fits the person decides (one rule per person,
 * named in the audit). With no rules everyone signed in gets what the connection profiles allow; once there is
 * a rule, a person no rule matches gets nothing.
 */
export const policySchema = z
  .object({
    rules: z.array(policyRuleSchema).default([]),
  })
  .strict()
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.rules.forEach((r, i) => {
      if (seen.has(r.id))
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'id'],
          message: `rule id "${r.id}" is used twice`,
        });
      seen.add(r.id);
    });
  });
export type PolicyInput = z.input<typeof policySchema>;
export type PolicyConfig = z.infer<typeof policySchema>;

export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(DEFAULT_PORT),
        /** Extra host names (with port) a reverse proxy may present, e.g. `bridge.corp.example`. */
        public_hosts: z.array(z.string()).default([]),
        /**
         * The https URL users and remote clients reach the bridge at through a reverse proxy. It becomes the
         * primary origin: issuer, metadata, token audience and the IdP callback derive from it.
         */
        public_url: z
          .string()
          .refine((u) => URL.canParse(u), 'must be an absolute URL, e.g. https://bridge.corp.example')
          .refine((u) => !URL.canParse(u) || new URL(u).protocol === 'https:', {
            message: 'must be https: the proxy in front of the bridge terminates TLS',
          })
          .refine((u) => !URL.canParse(u) || `${new URL(u).origin}/` === new URL(u).href, {
            message: 'must be an origin only (scheme, host and port), with no path, query or fragment',
          })
          .transform((u) => new URL(u).origin)
          .optional(),
        /**
         * Addresses of the reverse proxies in front of the bridge: only requests from these may set
         * X-Forwarded-For, -Proto and -Host (from anyone else those headers are dropped).
         */
        trusted_proxies: z.array(z.ipv4().or(z.ipv6())).default([]),
        /** Browser origins allowed to call metadata, token and /mcp (CORS + Origin check). */
        allowed_origins: z.array(z.string()).default(['http://localhost:6274', 'http://127.0.0.1:6274']),
        body_limit: z.string().default('100kb'),
        /** On SIGTERM/quit, how long running MCP calls may take to finish before they are answered with an error. */
        shutdown_grace_seconds: z.number().min(0).max(600).default(10),
        /** A 2025-era MCP session with no request for this long is closed; its client initializes again. */
        mcp_session_idle_seconds: z
          .number()
          .int()
          .min(10)
          .max(7 * 86_400)
          .default(1800),
      })
      .prefault({}),
    oauth: z
      .object({
        access_token_ttl_seconds: z.number().int().min(30).max(86_400).default(900),
        refresh_token_ttl_seconds: z
          .number()
          .int()
          .min(60)
          .default(30 * 86_400),
        code_ttl_seconds: z.number().int().min(1).max(600).default(60),
        refresh_grace_seconds: z.number().int().min(0).max(120).default(10),
        pending_authorization_ttl_seconds: z.number().int().min(60).default(600),
        token_requests_per_minute: z.number().int().min(1).default(600),
        /** Browser sign-ins started per minute (each opens an interaction and a trip to the IdP). */
        authorize_requests_per_minute: z.number().int().min(1).default(120),
        clients: z.array(preRegisteredClient).default([
          {
            client_id: 'claude-desktop',
            client_name: 'Claude Desktop',
            redirect_uris: ['http://localhost/oauth/callback', 'http://127.0.0.1/oauth/callback'],
            skip_consent: true,
          },
          {
            client_id: 'vscode',
            client_name: 'Visual Studio Code',
            redirect_uris: ['http://127.0.0.1/', 'https://vscode.dev/redirect'],
            skip_consent: true,
          },
          {
            client_id: 'mcp-inspector',
            client_name: 'MCP Inspector',
            redirect_uris: ['http://localhost/oauth/callback', 'http://127.0.0.1/oauth/callback'],
            skip_consent: true,
          },
        ]),
        dcr: z
          .object({
            enabled: z.boolean().default(true),
            /** Non-loopback redirect URIs allowed for registration; `*` matches within one path segment. */
            allowed_redirect_patterns: z.array(z.string()).default([]),
            max_per_hour: z.number().int().min(1).default(20),
          })
          .prefault({}),
        /**
         * Client ID Metadata Documents (the way MCP 2026-07-28 recommends; Claude.ai and VS Code use them when
         * advertised): on, from the well-known client hosts below unless configured otherwise.
         */
        client_id_metadata_documents: z.boolean().default(true),
        /** With client ID metadata documents on: the hosts whose documents are fetched (empty: any https host). */
        cimd_allowed_hosts: z.array(z.string()).default([...WELL_KNOWN_CIMD_HOSTS]),
        /**
         * Enterprise-managed authorization: accept Identity Assertion JWTs (ID-JAG) minted by the active IdP
         * for this bridge, at /token (grant_type jwt-bearer), for the pre-registered clients.
         */
        id_jag: z.boolean().default(true),
        /** Consent for dynamically registered clients is always shown; this adds it for pre-registered ones. */
        consent_for_preregistered: z.boolean().default(false),
      })
      .prefault({}),
    idp: z
      .object({
        active: z.string().optional(),
        profiles: z.array(idpProfileSchema).default([]),
        clock_tolerance_seconds: z.number().int().min(0).max(300).default(30),
        /** How long a Test sign-in (or the tray's sign-in) waits for the browser before it gives up. */
        test_sign_in_timeout_seconds: z.number().int().min(1).max(3600).default(180),
      })
      .prefault({}),
    sql: z
      .object({
        /** The profile tools use when the call names none (default: the only profile). */
        default: z.string().optional(),
        profiles: z.array(connectionProfileSchema).default([]),
        /** How long a write's preview waits for the person's confirmation before it expires. */
        confirm_timeout_seconds: z.number().int().min(1).max(3600).default(300),
      })
      .prefault({}),
    /** Named, parameterized statements an administrator defines, each an MCP tool (see "Configured tools"). */
    tools: z
      .array(configuredToolSchema)
      .default([])
      .superRefine((tools, ctx) => {
        const seen = new Set<string>();
        tools.forEach((t, i) => {
          if (seen.has(t.name))
            ctx.addIssue({
              code: 'custom',
              path: [i, 'name'],
              message: `tool name "${t.name}" is used twice`,
            });
          seen.add(t.name);
        });
      }),
    /** Who may do what, from IdP groups, roles and e-mail domains. Absent: the policy last saved in the app. */
    policy: policySchema.optional(),
    audit: z
      .object({
        max_rows: z.number().int().min(100).default(100_000),
        max_age_days: z.number().int().min(1).default(90),
      })
      .prefault({}),
    state: z
      .object({
        /**
         * Where the state lives: unset for the SQLite file in the data directory (the desktop), or a
         * postgres:// URL several instances share (team mode; secrets then sealed in it with MSSQL_MCP_STATE_KEY).
         */
        url: z
          .string()
          .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must be a postgres:// (or postgresql://) URL')
          .optional(),
      })
      .prefault({}),
    secrets: z
      .object({
        /** Keychain service name; tests use their own so they never touch a user's entries. */
        service: z.string().default('mssql-mcp-bridge'),
      })
      .prefault({}),
  })
  .strict();

export type BridgeConfig = z.infer<typeof configSchema>;
export type BridgeConfigInput = z.input<typeof configSchema>;

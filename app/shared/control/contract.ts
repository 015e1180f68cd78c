/**
 * The control contract: every request the UI can make and every event it can receive. Electron serves it over
 * IPC, headless mode over HTTP + SSE; both call the same handlers. Nothing here ever carries a secret: profiles
 * say whether a secret is stored, never what it is, and grants never include token values.
 */
import { z } from 'zod';
import {
  connectionProfileSchema,
  IDP_PRESETS,
  idpProfileSchema,
  policySchema,
  configuredToolSchema,
  type ConfiguredTool,
  type DbUserRule,
  type PolicyConfig,
} from '../config-schema.js';
import type {
  AccessExplanation,
  AuditEntry,
  LivePermissions,
  PendingWriteView,
  ConnectionProfile,
  ConnectionTest,
  DoctorCheck,
  IdpProfile,
  TestSignInResult,
} from '../types.js';

/** Something the user must do before the bridge is useful, and the page where it is done. */
export interface Problem {
  message: string;
  page: 'idp' | 'connections' | 'clients' | 'status';
}

export interface StatusInfo {
  running: true;
  version: string;
  mcpUrl: string;
  issuer: string;
  /** The redirect URI to register at the identity provider. */
  idpCallback: string;
  port: number;
  /** The keychain is checked at start: the bridge does not run without it. */
  keychain: 'available';
  activeIdp?: string;
  /** The connection tool calls use when they name none. */
  defaultConnection?: string;
  mcpSessions: number;
  activeGrants: number;
  startedAt: number;
  /** What `/readyz` says now (the same check): "ok" or what is wrong, per part. */
  readiness: { ready: boolean; checks: { database: string; migrations: string; idp: string } };
  problems: Problem[];
}

export interface ClientInfo {
  clientId: string;
  name?: string;
  source: 'preregistered' | 'dcr' | 'cimd';
  redirectUris: string[];
  /** Clients from the config file cannot be removed in the app. */
  fromConfig: boolean;
  skipConsent: boolean;
}

/** A sign-in session: one grant, i.e. one refresh-token family of one client for one user. */
export interface GrantInfo {
  id: string;
  clientId: string;
  subject: string;
  email?: string;
  dbUser: string;
  scopes: string[];
  audience: string;
  createdAt: number;
  revokedAt?: number;
  revokedReason?: string;
  /** Refresh tokens issued in this family (rotations + 1) and the live one's expiry. */
  refreshIssued: number;
  refreshExpiresAt?: number;
  /** 'broker': a connector got it from the desktop sign-in, with no browser step. */
  via?: 'broker';
}

/** An access token as the bridge recorded it at issuance: never the token, only its claims. */
export interface TokenInfo {
  jti: string;
  grantId: string;
  clientId: string;
  subject: string;
  scopes: string[];
  audience: string;
  issuedAt: number;
  expiresAt: number;
  revoked: boolean;
  claims: Record<string, unknown>;
}

export interface PresetInfo {
  id: (typeof IDP_PRESETS)[number];
  label: string;
  issuerHint: string;
  scopes: string[];
  groupsClaim?: string;
  rolesClaim?: string;
  dbUser: DbUserRule;
  notes: string;
}

export interface ClientConfigSnippets {
  clientId: string;
  mcpUrl: string;
  /** claude_desktop_config.json with the bridge's own connector (what Install in Claude Desktop writes). */
  claudeDesktop?: Record<string, unknown>;
  /** The same through mcp-remote (the fallback), if the client's redirects suit a loopback callback. */
  mcpRemote?: Record<string, unknown>;
  /** An entry for VS Code's .vscode/mcp.json, if its redirects suit VS Code. */
  vscode?: Record<string, unknown>;
  /** `code --add-mcp '…'` for a terminal. */
  vscodeCommand?: string;
  /** A vscode:mcp/install?… link. */
  vscodeInstallLink?: string;
  /** Cursor's install deep link. */
  cursorInstallLink?: string;
}

/** The desktop sign-in that connectors may share, who may share it, and who is asking. */
export interface BrokerStatus {
  signedInAs?: { subject: string; label: string };
  allowances: Array<{ clientId: string; subject: string; label: string; allowedAt: number }>;
  pending: Array<{ id: string; clientId: string; label: string; at: number }>;
}

/** What Install in Claude Desktop did. */
export interface ClaudeDesktopInstall {
  file: string;
  /** false when the same entry was already there. */
  changed: boolean;
  backup?: string;
  entry: Record<string, unknown>;
}

const empty = z.object({}).strict();
const byId = z.object({ id: z.string().min(1) }).strict();

const newClient = z
  .object({
    client_id: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'letters, digits and . _ : - only'),
    client_name: z.string().max(200).optional(),
    redirect_uris: z.array(z.string().url()).min(1),
    skip_consent: z.boolean().optional(),
  })
  .strict();

/** Identity facts of a person, as the access policy reads them. */
const person = z
  .object({
    groups: z.array(z.string()).default([]),
    roles: z.array(z.string()).default([]),
    email: z.string().optional(),
    idp: z.string().default(''),
    dbUser: z.string().default(''),
  })
  .strict();

/** Requests: parameter schema (validated at every transport) and result type. */
/**
 * What the audit log is searched by (every field optional, all must hold): a person (subject or e-mail), client,
 * tool or request, connection, database, outcome, a time range (ms), and text in the statement or the error.
 */
export const auditFilterSchema = z
  .object({
    person: z.string().max(320).optional(),
    clientId: z.string().max(200).optional(),
    tool: z.string().max(100).optional(),
    connection: z.string().max(100).optional(),
    database: z.string().max(200).optional(),
    outcome: z.string().max(20).optional(),
    from: z.number().int().optional(),
    to: z.number().int().optional(),
    text: z.string().max(500).optional(),
  })
  .strict();
export type AuditFilter = z.infer<typeof auditFilterSchema>;

/** The most entries one export holds: a larger range is narrowed by its dates. */
export const AUDIT_EXPORT_MAX = 50_000;

export interface AuditFacets {
  people: string[];
  clients: Array<{ id: string; name?: string }>;
  tools: string[];
  connections: string[];
  databases: string[];
  outcomes: string[];
  /** The oldest entry's time (ms), for the date range's start. */
  oldest?: number;
}

export const requestSchemas = {
  'status.get': empty,
  'idp.presets': empty,
  'idp.list': empty,
  'idp.save': idpProfileSchema,
  'idp.remove': byId,
  'idp.setActive': byId,
  /** `desktop`: the person signing in is this computer's user (tray, window): connectors may then share it. */
  'idp.testSignIn': z
    .object({ id: z.string().min(1), again: z.boolean().optional(), desktop: z.boolean().optional() })
    .strict(),
  'idp.cancelTestSignIn': z.object({ testId: z.string().min(1) }).strict(),
  /** The ID token of a finished test sign-in, shown only when the person asks (never in the trace or a report). */
  'idp.revealIdToken': z.object({ testId: z.string().min(1) }).strict(),
  'idp.diagnose': byId,
  'connections.list': empty,
  'connections.save': connectionProfileSchema,
  'connections.remove': byId,
  'connections.test': byId,
  /** Tests a profile as the form holds it, before it is saved (the stored secret when none is typed). */
  'connections.testDraft': connectionProfileSchema,
  'connections.setDefault': byId,
  'clients.list': empty,
  'clients.add': newClient,
  'clients.remove': byId,
  'clients.config': byId,
  'clients.installClaudeDesktop': byId,
  'grants.list': z.object({ includeRevoked: z.boolean().optional() }).strict(),
  'grants.revoke': byId,
  'tokens.list': z.object({ includeExpired: z.boolean().optional() }).strict(),
  'tokens.revoke': z.object({ jti: z.string().min(1) }).strict(),
  'audit.query': z
    .object({
      limit: z.number().int().min(1).max(1000).optional(),
      beforeId: z.number().int().optional(),
      filter: auditFilterSchema.optional(),
    })
    .strict(),
  /** The values each filter can take, over the whole log (not only the page shown). */
  'audit.facets': empty,
  /** The filtered log as a file (newest first, at most AUDIT_EXPORT_MAX entries). */
  'audit.export': z
    .object({ filter: auditFilterSchema.optional(), format: z.enum(['csv', 'json']) })
    .strict(),
  'policy.get': empty,
  'policy.save': policySchema,
  /** Configured tools (the config file's and the app's), each with whether the file defines it. */
  'tools.list': empty,
  /** Adds or replaces a tool after the same checks as at start (guard, parameters, connection). */
  'tools.save': configuredToolSchema,
  'tools.remove': z.object({ name: z.string().min(1).max(64) }).strict(),
  'broker.status': empty,
  'broker.decide': z.object({ id: z.string().min(1), allow: z.boolean() }).strict(),
  /** Withdraws a connector's use of the desktop sign-in and revokes the sessions it got that way. */
  'broker.revoke': z.object({ clientId: z.string().min(1) }).strict(),
  /** Ends the desktop sign-in (tray Sign out): connectors get no new tokens from it. */
  'broker.signOut': empty,
  /** Writes waiting for the person: asked by a connector, or at an approval link. */
  'writes.list': empty,
  /** Approves or declines one (an approval-link write only as the person signed in on this computer). */
  'writes.decide': z.object({ id: z.string().min(1).max(100), approve: z.boolean() }).strict(),
  /** What a person with these identity facts may do; `policy` tries a draft without saving it. */
  'policy.explain': z
    .object({
      person,
      policy: policySchema.optional(),
    })
    .strict(),
  /** The saved policy beside SQL Server's grants for one person on one connection, as their database user. */
  'policy.checkLive': z
    .object({
      person: person.extend({ dbUser: z.string().min(1) }),
      connection: z.string().min(1),
    })
    .strict(),
} as const;

export interface ControlResults {
  'status.get': StatusInfo;
  'idp.presets': PresetInfo[];
  'idp.list': IdpProfile[];
  'idp.save': IdpProfile;
  'idp.remove': { removed: boolean };
  'idp.setActive': { active: string };
  'idp.testSignIn': { testId: string; url: string; redirectUri: string };
  'idp.cancelTestSignIn': { cancelled: boolean };
  'idp.revealIdToken': { idToken: string };
  'idp.diagnose': { redirectUri: string; checks: DoctorCheck[] };
  'connections.list': ConnectionProfile[];
  'connections.save': ConnectionProfile;
  'connections.remove': { removed: boolean };
  'connections.test': ConnectionTest;
  'connections.testDraft': ConnectionTest;
  'connections.setDefault': { default: string };
  'clients.list': ClientInfo[];
  'clients.add': ClientInfo;
  'clients.remove': { removed: boolean };
  'clients.config': ClientConfigSnippets;
  'clients.installClaudeDesktop': ClaudeDesktopInstall;
  'grants.list': GrantInfo[];
  'grants.revoke': { revoked: boolean };
  'tokens.list': TokenInfo[];
  'tokens.revoke': { revoked: boolean };
  'audit.query': { entries: AuditEntry[]; total: number };
  'audit.facets': AuditFacets;
  'audit.export': { filename: string; mime: string; content: string; count: number };
  'policy.get': { policy: PolicyConfig; fromConfig: boolean };
  'broker.status': BrokerStatus;
  'broker.decide': { decided: boolean };
  'broker.revoke': { revoked: number };
  'broker.signOut': { signedOut: boolean };
  'policy.save': { policy: PolicyConfig; fromConfig: boolean };
  'policy.explain': AccessExplanation;
  'policy.checkLive': LivePermissions;
  'writes.list': PendingWriteView[];
  'tools.list': Array<ConfiguredTool & { fromConfig: boolean }>;
  'tools.save': ConfiguredTool;
  'tools.remove': { removed: boolean };
  'writes.decide': { decided: boolean };
}

export type ControlMethod = keyof typeof requestSchemas;
export type ControlParams<M extends ControlMethod> = z.input<(typeof requestSchemas)[M]>;

export interface ControlEvents {
  'audit.entry': AuditEntry;
  'grant.revoked': { grantId: string; reason: string };
  'token.issued': TokenInfo;
  'token.revoked': { jti: string };
  'idp.testResult': TestSignInResult;
  'policy.changed': PolicyConfig;
  'broker.changed': BrokerStatus;
  /** The writes waiting for the person, whole, whenever one is asked, answered or expires. */
  'writes.changed': PendingWriteView[];
}
export type ControlEvent = {
  [K in keyof ControlEvents]: { type: K; data: ControlEvents[K] };
}[keyof ControlEvents];

/** What a UI holds: the same shape whichever transport is underneath. */
export interface ControlApi {
  request<M extends ControlMethod>(method: M, params: ControlParams<M>): Promise<ControlResults[M]>;
  /** `onState` reports whether a remote event stream is connected (transports that can drop it). */
  subscribe(listener: (event: ControlEvent) => void, onState?: (connected: boolean) => void): () => void;
}

// Re-exported so users of the contract need one import; defined apart so the renderer bundle stays free of zod.
export { ControlError } from './control-error.js';

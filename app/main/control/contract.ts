/**
 * The control contract: every request the UI can make and every event it can receive. Electron serves it over
 * IPC, headless mode over HTTP + SSE; both call the same handlers. Nothing here ever carries a secret: profiles
 * say whether a secret is stored, never what it is, and grants never include token values.
 */
import { z } from 'zod';
import { connectionProfileSchema, idpProfileSchema } from '../config/schema.js';
import type { IdpProfile } from '../idp/profiles.js';
import type { AuditEntry } from '../mcp/audit.js';
import type { ConnectionProfile } from '../sql/profiles.js';
import type { ConnectionTest } from '../sql/test-connection.js';

export interface StatusInfo {
  running: true;
  mcpUrl: string;
  issuer: string;
  port: number;
  keychain: 'available';
  activeIdp?: string;
  sessions: number;
}

export interface ClientInfo {
  clientId: string;
  name?: string;
  source: 'preregistered' | 'dcr' | 'cimd';
  redirectUris: string[];
}

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
}

const empty = z.object({}).strict();
const byId = z.object({ id: z.string().min(1) }).strict();

/** Requests: parameter schema (validated at every transport) and result type. */
export const requestSchemas = {
  'status.get': empty,
  'idp.list': empty,
  'idp.save': idpProfileSchema,
  'idp.remove': byId,
  'idp.setActive': byId,
  'connections.list': empty,
  'connections.save': connectionProfileSchema,
  'connections.remove': byId,
  'connections.test': byId,
  'clients.list': empty,
  'clients.remove': byId,
  'grants.list': z.object({ includeRevoked: z.boolean().optional() }).strict(),
  'grants.revoke': byId,
  'audit.query': z
    .object({ limit: z.number().int().min(1).max(1000).optional(), beforeId: z.number().int().optional() })
    .strict(),
} as const;

export interface ControlResults {
  'status.get': StatusInfo;
  'idp.list': IdpProfile[];
  'idp.save': IdpProfile;
  'idp.remove': { removed: boolean };
  'idp.setActive': { active: string };
  'connections.list': ConnectionProfile[];
  'connections.save': ConnectionProfile;
  'connections.remove': { removed: boolean };
  'connections.test': ConnectionTest;
  'clients.list': ClientInfo[];
  'clients.remove': { removed: boolean };
  'grants.list': GrantInfo[];
  'grants.revoke': { revoked: boolean };
  'audit.query': AuditEntry[];
}

export type ControlMethod = keyof typeof requestSchemas;
export type ControlParams<M extends ControlMethod> = z.input<(typeof requestSchemas)[M]>;

export interface ControlEvents {
  'audit.entry': AuditEntry;
  'grant.revoked': { grantId: string; reason: string };
}
export type ControlEvent = {
  [K in keyof ControlEvents]: { type: K; data: ControlEvents[K] };
}[keyof ControlEvents];

/** What a UI holds: the same shape whichever transport is underneath. */
export interface ControlApi {
  request<M extends ControlMethod>(method: M, params: ControlParams<M>): Promise<ControlResults[M]>;
  subscribe(listener: (event: ControlEvent) => void): () => void;
}

export class ControlError extends Error {
  constructor(
    message: string,
    readonly code: 'bad_request' | 'not_found' | 'failed',
  ) {
    super(message);
  }
}

/**
 * Data shapes that cross from the main process to the UI (the control contract's payloads). Types only: this
 * folder is shared by main, preload and renderer, so nothing here may import Node or main-process code.
 */
import type { ConnectionProfileConfig, IdpProfileConfig } from './config-schema.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skipped';
export interface DoctorCheck {
  id: 'discovery' | 'issuer' | 'code_flow' | 'scopes' | 'groups' | 'clock' | 'client' | 'redirect_uri';
  label: string;
  status: CheckStatus;
  /** A plain sentence: what was found and, when something is wrong, what to do. */
  detail: string;
}

/** A stored IdP profile: never holds the client secret (that lives in the keychain). */
export type IdpProfile = Omit<IdpProfileConfig, 'client_secret'> & { has_client_secret: boolean };

/** Who is signed in, as the rest of the bridge sees it. Derived only from a validated ID token. */
export interface Identity {
  /** The IdP's `sub`, unique within `issuer`. */
  subject: string;
  issuer: string;
  idp: string;
  email?: string;
  name?: string;
  groups: string[];
  /** Application roles (`roles_claim`); absent in tokens issued before roles were mapped. */
  roles?: string[];
  /** The database user the SQL side impersonates. */
  dbUser: string;
}

/** One step of a test sign-in's trace. Credentials in `detail` are redacted where they are recorded. */
export interface TraceStep {
  id: number;
  /** Milliseconds since the test started. */
  atMs: number;
  /** An HTTP exchange with the IdP, a check the bridge applied, or a step of the flow. */
  kind: 'http' | 'check' | 'step';
  title: string;
  status: 'ok' | 'fail' | 'warn' | 'info';
  durationMs?: number;
  detail: Record<string, unknown>;
}

type TestSignInBase = {
  testId: string;
  profileId: string;
  /** Every step, including the failing one. */
  trace?: TraceStep[];
  /** When the test started (ms since the epoch). */
  startedAt?: number;
};

export type TestSignInResult =
  | (TestSignInBase & { ok: true; claims: Record<string, unknown>; identity: Identity })
  | (TestSignInBase & {
      ok: false;
      code: string;
      message: string;
      /** Present when the ID token was valid but could not be mapped (e.g. no email claim). */
      claims?: Record<string, unknown>;
    });

export interface AuditEntry {
  id: number;
  at: number;
  subject: string;
  email?: string;
  dbUser?: string;
  clientId: string;
  tool: string;
  profile?: string;
  database?: string;
  statement?: string;
  statementHash?: string;
  rowCount?: number;
  durationMs: number;
  /**
   * 'declined': a write the person did not confirm (nothing changed); 'pending': a write previewed and waiting
   * for the person's approval outside the client (nothing changed yet); 'expired': such a write nobody answered
   * in time (nothing changed); 'running': written before the call ran and not finished yet (or the process
   * ended during it).
   */
  outcome: 'ok' | 'error' | 'refused' | 'cancelled' | 'declined' | 'pending' | 'expired' | 'running';
  /** SQL Server's error number (an integer) when the server raised the error. */
  errorNumber?: number;
  /** The driver's error code (ETIMEOUT, ECONNRESET, ECANCEL...), when the driver gave one. */
  errorCode?: string;
  errorMessage?: string;
  /** The access-policy rule that decided the call (absent when no policy is set). */
  rule?: string;
  /** Who confirmed a write (their e-mail, else subject) and when it was committed or declined. */
  confirmedBy?: string;
  /** Through which channel the person answered. */
  confirmedVia?: ConfirmChannel;
}

/** Where a person confirmed a write: the MCP client's own form, the desktop app, the connector's or the bridge's page. */
export const CONFIRM_CHANNELS = [
  'elicitation',
  'desktop app',
  'connector page',
  'approval page',
  'app card',
] as const;
export type ConfirmChannel = (typeof CONFIRM_CHANNELS)[number];

/** A write as the person reviews it, the same in every channel. */
export interface WriteReview {
  id: string;
  /** The T-SQL statement, whole. */
  statement: string;
  /** host:port of the SQL Server. */
  server: string;
  database: string;
  /** The connection profile's id. */
  connection: string;
  /** Whom SQL Server runs it as: a database user, or the connection's own login. */
  runsAs: string;
  /** Rows the preview affected (run and rolled back). */
  rowsAffected: number;
  /** Who asked for it: e-mail, else subject. */
  requestedBy: string;
  /** The MCP client that asked. */
  client: string;
  /** ms since the epoch. */
  expiresAt: number;
}

export type PendingWriteStatus =
  'pending' | 'approved' | 'declined' | 'expired' | 'committing' | 'committed' | 'failed';

/** A write waiting for (or past) the person's decision, as the desktop app lists it. */
export interface PendingWriteView extends WriteReview {
  status: PendingWriteStatus;
  /** 'approval': from a client without elicitation (an approval link); 'connector': asked by the stdio connector. */
  source: 'approval' | 'connector';
  decidedBy?: string;
  decidedVia?: ConfirmChannel;
}

/** A stored connection profile: its password or client secret lives only in the keychain. */
export type ConnectionProfile = ConnectionProfileConfig & { has_secret: boolean };

/** SQL Server and driver errors as a sentence that says what happened and what to do. */
export interface ExplainedError {
  code: string;
  number?: number;
  message: string;
  fix?: string;
}

export type ConnectionTest =
  | { ok: true; serverVersion: string; login: string; database: string; latencyMs: number }
  | ({ ok: false } & ExplainedError);

/** What one person may do under the access policy, for the Policy page and the IdP lab. */
export interface AccessExplanation {
  /** false: no rules, the connection profiles alone decide. */
  policySet: boolean;
  rule?: string;
  /** Why nothing is allowed (no rule matches). */
  refusal?: string;
  tools: Array<'read' | 'explain' | 'write'>;
  dbUser: string;
  /** Whether the database user comes from the ID token's mapping or the rule's db_user. */
  dbUserFrom: 'identity' | 'policy';
  connections: Array<{
    id: string;
    name?: string;
    /** Set when the connection is not open to this person. */
    refusal?: string;
    databases: string;
    tables: { allow: string[]; deny: string[] };
    rowLimit: number;
    timeoutSeconds: number;
    writes: boolean;
  }>;
}

/** The policy beside SQL Server's own grants, for one person on one connection (checked live, impersonated). */
export type LivePermissions = { connection: string; database: string; dbUser: string } & (
  | {
      ok: true;
      tables: Array<{
        schema: string;
        name: string;
        /** Why the policy refuses this table; null when it opens it. */
        policy: string | null;
        /** Whether SQL Server grants the database user SELECT on it (null: it could not tell). */
        select: boolean | null;
      }>;
      /** Only the first tables were checked. */
      truncated: boolean;
    }
  | { ok: false; message: string }
);

/**
 * An MCP request that did not reach a tool, for the Inspector's live feed: sessions opened (initialize,
 * server/discover) and requests refused before any tool ran (no or bad token, missing scope, another user's
 * session). Live only: not written to the audit log.
 */
export interface McpRequestEvent {
  at: number;
  method: string;
  status: number;
  outcome: 'accepted' | 'rejected';
  /** Why it was refused, as the bridge told the client. */
  reason?: string;
  clientId?: string;
  subject?: string;
  email?: string;
  protocolVersion?: string;
}

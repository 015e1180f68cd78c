import type { Identity } from '../../shared/types.js';
import type { TokenBroker } from '../oauth/token-broker.js';
import type { IdpProfile } from '../idp/profiles.js';
import type { ConnectionProfile } from '../sql/profiles.js';
import type { AccessTokenRecord, Grant } from '../oauth/grants.js';
import type { KnownClient } from '../oauth/clients.js';
import {
  type BrokerStatus,
  type ClientInfo,
  type ControlParams,
  type GrantInfo,
  type Problem,
  type StatusInfo,
  type TokenInfo,
} from '../../shared/control/contract.js';
import type { ControlDeps } from './control-deps.js';

/** Services' records as the control contract's payloads, and the Status page's problems. */
/** A person as the control API describes one (Try it, a test sign-in's identity), as the policy reads them. */
export function identityOf(p: ControlParams<'policy.explain'>['person']): Identity {
  return {
    subject: '',
    issuer: '',
    idp: p.idp ?? '',
    groups: p.groups ?? [],
    roles: p.roles ?? [],
    email: p.email || undefined,
    dbUser: p.dbUser ?? '',
  };
}

export function problems(s: {
  idps: IdpProfile[];
  conns: ConnectionProfile[];
  activeIdp?: string;
  defaultConnection?: string;
  readiness: StatusInfo['readiness'];
}): Problem[] {
  const { idps, conns } = s;
  const out: Problem[] = [];
  const { checks } = s.readiness;
  // What /readyz finds wrong is a problem here too: the page must not say "Ready" while it says not ready.
  if (checks.database !== 'ok')
    out.push({ page: 'status', message: `The state database is not usable: ${checks.database}` });
  if (checks.migrations !== 'ok' && checks.migrations !== 'unknown')
    out.push({ page: 'status', message: `The state database's schema: ${checks.migrations}` });
  if (s.activeIdp && checks.idp !== 'ok')
    out.push({
      page: 'idp',
      message: `The active identity provider does not answer, so nobody can sign in: ${checks.idp}. Check its issuer URL and that this computer reaches it (the IdP lab's checks show where it fails).`,
    });
  if (!idps.length)
    out.push({ page: 'idp', message: 'No identity provider is set up: nobody can sign in. Add one.' });
  else if (!s.activeIdp)
    out.push({
      page: 'idp',
      message: 'Several identity providers exist and none is active: choose the one users sign in with.',
    });
  if (!conns.length)
    out.push({
      page: 'connections',
      message: 'No SQL Server connection is set up: the SQL tools have nothing to query. Add one.',
    });
  if (conns.length > 1 && !s.defaultConnection)
    out.push({
      page: 'connections',
      message:
        'Several connections exist and none is the default: tool calls that name none will fail. Choose one.',
    });
  for (const c of conns)
    if (
      !c.has_secret &&
      (c.auth.type === 'sql' || c.auth.type === 'ntlm' || c.auth.type === 'entra-service-principal')
    )
      out.push({
        page: 'connections',
        message: `Connection "${c.id}" has no password or secret stored: type it again and save.`,
      });
  return out;
}

/** The connection a tool call without a "connection" argument uses, if there is one. */
export async function defaultConnection(deps: ControlDeps): Promise<string | undefined> {
  return deps.connections.resolve().then(
    (p) => p.id,
    () => undefined,
  );
}

export function clientInfo(c: KnownClient & { fromConfig: boolean }): ClientInfo {
  return {
    clientId: c.info.client_id,
    name: c.info.client_name,
    source: c.source,
    redirectUris: c.info.redirect_uris,
    fromConfig: c.fromConfig,
    skipConsent: c.skipConsent,
  };
}

export async function grantInfo(deps: ControlDeps, g: Grant): Promise<GrantInfo> {
  const family = await deps.grants.refreshFamily(g.id);
  return {
    id: g.id,
    clientId: g.clientId,
    subject: g.identity.subject,
    email: g.identity.email,
    dbUser: g.identity.dbUser,
    scopes: g.scopes,
    audience: g.resource,
    createdAt: g.createdAt,
    revokedAt: g.revokedAt,
    revokedReason: g.revokedReason,
    refreshIssued: family.issued,
    refreshExpiresAt: family.activeExpiresAt,
    ...(g.via ? { via: g.via } : {}),
  };
}

export async function brokerStatus(broker: TokenBroker): Promise<BrokerStatus> {
  const who = broker.signedInAs();
  return {
    signedInAs: who && { subject: who.subject, label: who.email ?? who.subject },
    allowances: await broker.allowances(),
    pending: broker.pendingRequests(),
  };
}

export function tokenInfo(deps: ControlDeps, t: AccessTokenRecord): TokenInfo {
  const c = t.claims as { client_id?: string; sub?: string; scope?: string; aud?: string | string[] };
  return {
    jti: t.jti,
    grantId: t.grantId,
    clientId: c.client_id ?? '',
    subject: c.sub ?? '',
    scopes: c.scope ? c.scope.split(' ') : [],
    audience: Array.isArray(c.aud) ? c.aud.join(' ') : (c.aud ?? ''),
    issuedAt: t.issuedAt,
    expiresAt: t.expiresAt,
    revoked: deps.grants.isAccessTokenRevoked(t.jti) || deps.grants.isGrantRevoked(t.grantId),
    claims: t.claims,
  };
}

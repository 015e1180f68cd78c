import {
  connectionProfileSchema,
  policySchema,
  type BridgeConfig,
  type ConnectionProfileConfig,
  type PolicyConfig,
} from '../../shared/config-schema.js';
import type { Identity, LivePermissions, McpRequestEvent } from '../../shared/types.js';
import type { AuditLog } from '../mcp/audit.js';
import type { McpEndpoint } from '../mcp/endpoint.js';
import type { ClientRegistry } from '../oauth/clients.js';
import type { GrantStore } from '../oauth/grants.js';
import type { IdpProfiles } from '../idp/profiles.js';
import type { IdpTester } from '../idp/test-sign-in.js';
import type { UpstreamIdp } from '../idp/upstream.js';
import type { Pools } from '../sql/pools.js';
import type { PolicyStore } from '../policy/policy-store.js';
import type { TokenBroker } from '../broker/token-broker.js';
import { explainAccess } from '../policy/explain-access.js';
import type { ConnectionProfiles } from '../sql/profiles.js';
import type { ConnectionTest } from '../sql/test-connection.js';
import type { IdpProfile } from '../idp/profiles.js';
import type { ConnectionProfile } from '../sql/profiles.js';
import { APP_VERSION } from '../version.js';
import { diagnoseIdp } from '../idp/doctor.js';
import { IDP_PRESET_DEFAULTS } from '../idp/presets.js';
import type { AccessTokenRecord, Grant } from '../oauth/grants.js';
import type { KnownClient } from '../oauth/clients.js';
import { clientSnippets, connectorEntryFor } from '../mcp/client-config.js';
import {
  claudeDesktopConfigPath,
  installInClaudeDesktop,
  InstallError,
} from '../connector/claude-desktop-config.js';
import {
  ControlError,
  requestSchemas,
  type BrokerStatus,
  type ClientInfo,
  type ControlApi,
  type ControlEvent,
  type ControlMethod,
  type ControlParams,
  type ControlResults,
  type GrantInfo,
  type PresetInfo,
  type Problem,
  type TokenInfo,
} from '../../shared/control/contract.js';

type Handlers = { [M in ControlMethod]: (params: ControlParams<M>) => Promise<ControlResults[M]> };

/**
 * What the control API works on: the services it uses, named, rather than the whole core (which composes
 * them and hands itself over as this). Keeps the handlers from reaching anything else, and core.ts from being
 * imported back by the module it composes.
 */
export interface ControlDeps {
  readonly config: BridgeConfig;
  readonly profiles: IdpProfiles;
  readonly upstream: Pick<UpstreamIdp, 'invalidate'>;
  readonly tester: Pick<IdpTester, 'begin' | 'cancel' | 'onResult' | 'revealIdToken'>;
  readonly connections: ConnectionProfiles;
  readonly pools: Pick<Pools, 'discard'>;
  readonly clients: ClientRegistry;
  readonly grants: GrantStore;
  readonly audit: AuditLog;
  readonly policy: PolicyStore;
  readonly broker: TokenBroker;
  readonly mcp: Pick<McpEndpoint, 'sessionCount' | 'requests'>;
  readonly port: number;
  urls(): { mcp: string; issuer: string; idpCallback: string; origin: string };
  testConnection(profileId: string): Promise<ConnectionTest>;
  testConnectionDraft(profile: ConnectionProfileConfig): Promise<ConnectionTest>;
  /** The saved policy beside SQL Server's grants for this person on this connection. */
  checkAccessLive(identity: Identity, connectionId: string): Promise<LivePermissions>;
}

/** The one implementation of the contract, over the services; both transports call `control.request`. */
export function createControl(core: ControlDeps): ControlApi {
  const startedAt = Date.now();
  // Test sign-ins started as this computer's user: their person becomes the desktop sign-in connectors share.
  const desktopTests = new Set<string>();
  core.tester.onResult((r) => {
    if (desktopTests.delete(r.testId) && r.ok) core.broker.signIn(r.identity);
  });
  const mustExist = async <T>(value: Promise<T | undefined> | T | undefined, what: string): Promise<T> => {
    const v = await value;
    if (v === undefined) throw new ControlError(`No ${what}.`, 'not_found');
    return v;
  };

  const h: Handlers = {
    'status.get': async () => {
      // Each lookup once: profile listings read the keychain (has_secret) for every profile.
      const [idps, conns, activeIdp, defaultConn] = await Promise.all([
        core.profiles.list(),
        core.connections.list(),
        core.profiles.active().then((p) => p?.id),
        defaultConnection(core),
      ]);
      return {
        running: true,
        version: APP_VERSION,
        mcpUrl: core.urls().mcp,
        issuer: core.urls().issuer,
        idpCallback: core.urls().idpCallback,
        port: core.port,
        keychain: 'available',
        activeIdp,
        defaultConnection: defaultConn,
        mcpSessions: core.mcp.sessionCount(),
        activeGrants: core.grants.listGrants().length,
        startedAt,
        problems: problems({ idps, conns, activeIdp, defaultConnection: defaultConn }),
      };
    },
    'idp.presets': async () =>
      Object.entries(IDP_PRESET_DEFAULTS).map(([id, p]): PresetInfo => ({
        id: id as PresetInfo['id'],
        label: p.label,
        issuerHint: p.issuerHint,
        scopes: p.scopes,
        groupsClaim: p.groupsClaim,
        rolesClaim: p.rolesClaim,
        dbUser: p.dbUser,
        notes: p.notes,
      })),
    'idp.list': () => core.profiles.list(),
    'idp.save': async (p) => {
      const saved = await core.profiles.save(p);
      core.upstream.invalidate(saved.id);
      return saved;
    },
    'idp.remove': async ({ id }) => ({ removed: await core.profiles.remove(id) }),
    'idp.setActive': async ({ id }) => {
      await mustExist(core.profiles.get(id), `identity provider profile "${id}"`);
      core.profiles.setActive(id);
      return { active: id };
    },
    'idp.testSignIn': async ({ id, again, desktop }) => {
      await mustExist(core.profiles.get(id), `identity provider profile "${id}"`);
      try {
        const started = await core.tester.begin(id, { again });
        if (desktop) desktopTests.add(started.testId);
        return started;
      } catch (err) {
        throw new ControlError((err as Error).message, 'failed');
      }
    },
    'idp.cancelTestSignIn': async ({ testId }) => ({ cancelled: core.tester.cancel(testId) }),
    'idp.revealIdToken': async ({ testId }) => ({
      idToken: await mustExist(
        core.tester.revealIdToken(testId),
        'ID token kept for this test sign-in (they are kept for 10 minutes, in memory): run the test again',
      ),
    }),
    'idp.diagnose': async ({ id }) => {
      const profile = await mustExist(core.profiles.get(id), `identity provider profile "${id}"`);
      const redirectUri = core.urls().idpCallback;
      const checks = await diagnoseIdp(profile, {
        redirectUri,
        clientSecret: await core.profiles.clientSecret(id),
        clockToleranceSeconds: core.config.idp.clock_tolerance_seconds,
      });
      return { redirectUri, checks };
    },
    'connections.list': () => core.connections.list(),
    'connections.save': async (p) => {
      const saved = await core.connections.save(p);
      core.connections.keepDefault();
      await core.pools.discard(saved.id);
      return saved;
    },
    'connections.remove': async ({ id }) => {
      await core.pools.discard(id);
      const removed = await core.connections.remove(id);
      core.connections.keepDefault();
      return { removed };
    },
    'connections.testDraft': async (p) => core.testConnectionDraft(connectionProfileSchema.parse(p)),
    'connections.test': async ({ id }) => {
      await mustExist(core.connections.get(id), `connection profile "${id}"`);
      return core.testConnection(id);
    },
    'connections.setDefault': async ({ id }) => {
      await mustExist(core.connections.get(id), `connection profile "${id}"`);
      core.connections.setDefault(id);
      return { default: id };
    },
    'clients.list': async () => core.clients.listRegistered().map(clientInfo),
    'clients.add': async (c) => {
      try {
        return clientInfo({ ...core.clients.addPreregistered(c), fromConfig: false });
      } catch (err) {
        throw new ControlError((err as Error).message, 'bad_request');
      }
    },
    'clients.remove': async ({ id }) => {
      if (core.clients.isFromConfig(id))
        throw new ControlError(
          `Client "${id}" is defined in the config file (oauth.clients); remove it there.`,
          'bad_request',
        );
      return { removed: core.clients.removeRegistered(id) };
    },
    'clients.config': async ({ id }) => {
      const client = await mustExist(core.clients.find(id), `client "${id}"`);
      return clientSnippets(client, core.urls().mcp);
    },
    'clients.installClaudeDesktop': async ({ id }) => {
      const client = await mustExist(core.clients.find(id), `client "${id}"`);
      try {
        const r = installInClaudeDesktop(
          claudeDesktopConfigPath(),
          connectorEntryFor(client, core.urls().mcp),
        );
        return { file: r.file, changed: r.changed, backup: r.backup, entry: { ...r.entry } };
      } catch (err) {
        if (err instanceof InstallError) throw new ControlError(err.message, 'failed');
        throw err;
      }
    },
    'grants.list': async ({ includeRevoked }) =>
      core.grants.listGrants({ includeRevoked }).map((g) => grantInfo(core, g)),
    'grants.revoke': async ({ id }) => {
      await mustExist(core.grants.getGrant(id), `grant "${id}"`);
      core.grants.revokeGrant(id, 'revoked_in_app');
      return { revoked: true };
    },
    'tokens.list': async ({ includeExpired }) =>
      core.grants.listAccessTokens({ includeExpired }).map((t) => tokenInfo(core, t)),
    'tokens.revoke': async ({ jti }) => {
      const t = await mustExist(core.grants.getAccessToken(jti), `access token "${jti}"`);
      core.grants.revokeAccessToken(t.jti, t.expiresAt);
      return { revoked: true };
    },
    'audit.query': async (p) => core.audit.query(p),
    'broker.status': async () => brokerStatus(core.broker),
    'broker.decide': async ({ id, allow }) => ({ decided: core.broker.decide(id, allow) }),
    'broker.revoke': async ({ clientId }) => {
      const who = core.broker.signedInAs();
      const subjects = new Set(
        core.broker
          .allowances()
          .filter((a) => a.clientId === clientId)
          .map((a) => a.subject),
      );
      for (const subject of subjects) core.broker.revoke(clientId, subject);
      let revoked = 0;
      for (const g of core.grants.listGrants({}))
        if (
          g.via === 'broker' &&
          g.clientId === clientId &&
          (subjects.has(g.identity.subject) || g.identity.subject === who?.subject)
        ) {
          core.grants.revokeGrant(g.id, 'revoked_in_app');
          revoked++;
        }
      return { revoked };
    },
    'broker.signOut': async () => {
      const was = !!core.broker.signedInAs();
      core.broker.signOut();
      return { signedOut: was };
    },
    'policy.get': async () => ({ policy: core.policy.get(), fromConfig: !!core.config.policy }),
    'policy.save': async (policy) => ({
      policy: core.policy.save(policy),
      fromConfig: !!core.config.policy,
    }),
    'policy.explain': async ({ person, policy }) =>
      explainAccess(
        identityOf(person),
        policy ? policySchema.parse(policy) : core.policy.get(),
        await core.connections.list(),
      ),
    'policy.checkLive': async ({ person, connection }) => {
      await mustExist(core.connections.get(connection), `connection profile "${connection}"`);
      return core.checkAccessLive(identityOf(person), connection);
    },
  };

  return {
    async request(method, params) {
      const schema = requestSchemas[method];
      if (!schema) throw new ControlError(`Unknown request "${String(method)}".`, 'bad_request');
      const parsed = schema.safeParse(params ?? {});
      if (!parsed.success) {
        const fields: Record<string, string> = {};
        for (const i of parsed.error.issues) fields[i.path.join('.') || '(root)'] ??= sayIssue(i);
        throw new ControlError(
          `Some fields need attention: ${Object.entries(fields)
            .map(([f, m]) => `${f}: ${m}`)
            .join('; ')}`,
          'bad_request',
          fields,
        );
      }
      return (h[method] as (p: unknown) => Promise<ControlResults[typeof method]>)(parsed.data);
    },
    subscribe(listener: (event: ControlEvent) => void, onState?: (connected: boolean) => void) {
      const onAudit = (data: ControlEvent['data']) => listener({ type: 'audit.entry', data } as ControlEvent);
      core.audit.on('entry', onAudit as never);
      const offGrants = core.grants.onEvent((e) => {
        if (e.type === 'grant_revoked')
          listener({ type: 'grant.revoked', data: { grantId: e.grantId, reason: e.reason } });
        else if (e.type === 'access_token_issued')
          listener({ type: 'token.issued', data: tokenInfo(core, e.token) });
        else listener({ type: 'token.revoked', data: { jti: e.jti } });
      });
      const offTests = core.tester.onResult((data) => listener({ type: 'idp.testResult', data }));
      const onPolicy = (data: PolicyConfig) => listener({ type: 'policy.changed', data });
      core.policy.on('change', onPolicy);
      const onRequest = (data: McpRequestEvent) => listener({ type: 'mcp.request', data });
      core.mcp.requests.on('request', onRequest);
      const onBroker = () => listener({ type: 'broker.changed', data: brokerStatus(core.broker) });
      core.broker.on('change', onBroker);
      // In process (and over IPC) the stream cannot drop: it is live from the start.
      onState?.(true);
      return () => {
        core.audit.off('entry', onAudit as never);
        offGrants();
        offTests();
        core.policy.off('change', onPolicy);
        core.mcp.requests.off('request', onRequest);
        core.broker.off('change', onBroker);
      };
    },
  };
}

/** A person as the control API describes one (Try it, a test sign-in's identity), as the policy reads them. */
function identityOf(p: ControlParams<'policy.explain'>['person']): Identity {
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

function problems(s: {
  idps: IdpProfile[];
  conns: ConnectionProfile[];
  activeIdp?: string;
  defaultConnection?: string;
}): Problem[] {
  const { idps, conns } = s;
  const out: Problem[] = [];
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
async function defaultConnection(core: ControlDeps): Promise<string | undefined> {
  return core.connections.resolve().then(
    (p) => p.id,
    () => undefined,
  );
}

function clientInfo(c: KnownClient & { fromConfig: boolean }): ClientInfo {
  return {
    clientId: c.info.client_id,
    name: c.info.client_name,
    source: c.source,
    redirectUris: c.info.redirect_uris,
    fromConfig: c.fromConfig,
    skipConsent: c.skipConsent,
  };
}

function grantInfo(core: ControlDeps, g: Grant): GrantInfo {
  const family = core.grants.refreshFamily(g.id);
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

function brokerStatus(broker: TokenBroker): BrokerStatus {
  const who = broker.signedInAs();
  return {
    signedInAs: who && { subject: who.subject, label: who.email ?? who.subject },
    allowances: broker.allowances(),
    pending: broker.pendingRequests(),
  };
}

function tokenInfo(core: ControlDeps, t: AccessTokenRecord): TokenInfo {
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
    revoked: core.grants.isAccessTokenRevoked(t.jti) || core.grants.isGrantRevoked(t.grantId),
    claims: t.claims,
  };
}

/** A zod issue as a person reads it next to a field ("must be at least 1"), not the schema's wording. */
function sayIssue(i: {
  code: string;
  message: string;
  minimum?: unknown;
  maximum?: unknown;
  input?: unknown;
}): string {
  if (i.code === 'too_small')
    return i.minimum === 1 && typeof i.input === 'string'
      ? 'required'
      : `must be at least ${String(i.minimum)}`;
  if (i.code === 'too_big') return `must be at most ${String(i.maximum)}`;
  if (i.code === 'invalid_type' && i.input === undefined) return 'required';
  return i.message;
}

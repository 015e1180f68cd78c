import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { builtViewsDir, defaultDataDir } from './config/paths.js';
import type { AddressInfo } from 'node:net';
import type { BridgeConfig } from '../shared/config-schema.js';
import crypto from 'node:crypto';
import { createControl } from './control/handlers.js';
import { controlHttpRouter } from './control/http-transport.js';
import type { ControlApi } from '../shared/control/contract.js';
import { createHttpApp, originOf } from './http/app.js';
import { originServers } from './http/origin-servers.js';
import type Provider from 'oidc-provider';
import { PRM_PATHS, type OriginContext } from './oauth/origin.js';
import { Origins } from './http/origins.js';
import { IdpProbe, readiness, type Readiness } from './http/health.js';
import { writeApprovalRouter } from './http/write-approvals.js';
import { IdpProfiles } from './idp/profiles.js';
import { UpstreamIdp } from './idp/upstream.js';
import { IdpTester } from './idp/test-sign-in.js';
import { McpEndpoint } from './mcp/endpoint.js';
import { identityTools, type ToolSet } from './mcp/tools.js';
import { AuditLog } from './mcp/audit.js';
import { sqlTools, WRITE_TOOLS } from './mcp/sql-tools.js';
import { schemaContext } from './mcp/schema-context.js';
import { ConfirmationCodec } from './mcp/confirmations.js';
import { Views } from './mcp/views.js';
import { checkConfiguredTools, configuredTools } from './mcp/configured-tools.js';
import { ConfiguredToolStore } from './mcp/configured-tool-store.js';
import { ConfigError } from './config/load.js';
import { PendingWrites } from './mcp/pending-writes.js';
import { ConfirmationDesk } from './mcp/confirmation-desk.js';
import { Pools } from './sql/pools.js';
import { ConnectionProfiles } from './sql/profiles.js';
import { SqlRunner } from './sql/runner.js';
import { ConnectionTester } from './sql/test-connection.js';
import { AccessTokens } from './oauth/access-tokens.js';
import {
  createAuthorizationServer,
  resourceServerInfo,
  type AuthorizationServerDeps,
} from './oauth/authorization-server.js';
import { registerIdJagGrant } from './oauth/id-jag.js';
import { registerBrokerGrant } from './oauth/broker-grant.js';
import { TokenBroker } from './oauth/token-broker.js';
import { listenForConnectors } from './broker/broker-socket.js';
import { ClientRegistry } from './oauth/clients.js';
import { GrantStore } from './oauth/grants.js';
import { Interactions } from './oauth/interactions.js';
import { ModelStore } from './oauth/model-store.js';
import { observeAuthorizationServer } from './oauth/observe.js';
import { RegistrationLimit } from './oauth/registration-limit.js';
import { loadStateKeys } from './secrets/sealer.js';
import { loadSigningKeys } from './oauth/signing-key.js';
import { cimdFetchGuarded, cimdFetchTrusting } from './oauth/cimd-fetch.js';
import { PolicyStore } from './policy/policy-store.js';
import { LivePermissionsCheck } from './policy/live-permissions.js';
import type { Identity } from '../shared/types.js';
import type { SecretStore } from './secrets/secret-store.js';
import { openState, type OpenedState } from './open-state.js';
import type { StateRepositories } from './state/repositories.js';
import type { RateLimits } from './state/rate-limits.js';
import { nowSeconds } from './state/clock.js';
import { systemClock, type Clock } from './state/clock.js';

export interface CoreOptions {
  config: BridgeConfig;
  dataDir: string;
  /** Extra tool sets (the SQL tools) on top of the identity tool. */
  toolSets?: ToolSet[];
  /** Trusted CA for fetching client metadata documents. */
  cimdCa?: string;
  log?: (msg: string) => void;
  /** The control API token; a random one per run by default. */
  controlToken?: string;
  /** A built renderer to serve at /ui/ (headless `serve --ui`), talking to the control API over HTTP. */
  uiDir?: string;
  /** The config file the config came from: its problems are named with their line. */
  configFile?: string;
  /** Where MSSQL_MCP_STATE_KEY is read in team mode (default: the process environment). */
  env?: NodeJS.ProcessEnv;
  /** What time it is for expiries the core decides itself (idle MCP sessions, pending writes); tests move it. */
  clock?: Clock;
}

export interface CoreUrls {
  origin: string;
  mcp: string;
  issuer: string;
  authorizationServerMetadata: string;
  protectedResourceMetadata: string;
  idpCallback: string;
  /** The browser UI with this run's control token in the fragment (never sent to the server or in Referer). */
  ui?: string;
}

/** The services the core composes, each named once; the control API and the tests reach them by name. */
export interface CoreServices {
  readonly config: BridgeConfig;
  /** The stores over the state database (settings, profiles, audit, the authorization server's records). */
  readonly state: StateRepositories;
  readonly secrets: SecretStore;
  readonly idpProfiles: IdpProfiles;
  readonly upstream: UpstreamIdp;
  readonly clients: ClientRegistry;
  readonly grants: GrantStore;
  readonly tokens: AccessTokens;
  /** The authorization server (oidc-provider) of an origin, created on first use. */
  readonly authorizationServer: (ctx: OriginContext) => Provider;
  readonly mcp: McpEndpoint;
  readonly connections: ConnectionProfiles;
  readonly pools: Pools;
  readonly connectionTests: ConnectionTester;
  /** The saved policy beside SQL Server's grants for a person on a connection (the Policy page's check). */
  readonly livePermissions: LivePermissionsCheck;
  readonly audit: AuditLog;
  readonly policy: PolicyStore;
  /** The tools an administrator defines (config file and app). */
  readonly configuredTools: ConfiguredToolStore;
  /** The desktop sign-in shared with connectors over the local channel. */
  readonly broker: TokenBroker;
  readonly origins: Origins;
  readonly tester: IdpTester;
  /** Writes previewed for clients without elicitation, waiting for the person's approval. */
  readonly pendingWrites: PendingWrites;
  /** Confirmations connectors ask the running app for (the "Waiting for you" panel). */
  readonly desk: ConfirmationDesk;
  /** The state store, its schema and the active IdP checked for real: `/readyz` and the Status page. */
  readiness(): Promise<Readiness>;
}

/** What the core runs and must stop: listeners, timers, the checkpointer; and this run's control token. */
interface CoreRuntime {
  servers: http.Server[];
  pruneTimer: NodeJS.Timeout;
  /** Marks and audits writes nobody approved in time. */
  expiryTimer: NodeJS.Timeout;
  /** This run's token for the control API (the UI's only credential). */
  controlToken: string;
  uiServed: boolean;
  /** The state database (and for SQLite its checkpointer), closed last. */
  state: { close(): Promise<void> };
  /** The local channel connectors ask for tokens on. */
  brokerSocket: { close(): Promise<void> };
  /** Where connectors find that channel (undefined in team mode: none). */
  dataDir?: string;
}

// The core's service fields are CoreServices' (declared once there), assigned from one object in the constructor.
/* eslint-disable @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type */
export interface BridgeCore extends CoreServices {}
/** The headless core: composes the services and owns their lifecycle. The only place they meet. */
export class BridgeCore {
  /* eslint-enable @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type */
  readonly controlToken: string;

  private constructor(
    services: CoreServices,
    private readonly run: CoreRuntime,
  ) {
    Object.assign(this, services);
    this.controlToken = run.controlToken;
    this.control = createControl(this);
  }

  /** The typed control API (what the UI talks to, over IPC or HTTP). */
  readonly control: ControlApi;

  static async start(opts: CoreOptions): Promise<BridgeCore> {
    const { config } = opts;
    const log = opts.log ?? ((m: string) => console.error(`[bridge] ${m}`));
    const opened = await openState(config, opts.dataDir, log, opts.env);
    const { secrets, repositories: state } = opened;
    try {
      const stored = await openStoredServices(config, state, secrets, opts.configFile);
      const oauth = await openOAuthState(config, opened, opts.env);
      const { servers, origins } = await listenAll(config);
      opened.listening(origins.primary().origin);
      const upstream = new UpstreamIdp(stored.idpProfiles, config.idp.clock_tolerance_seconds);
      const tokens = new AccessTokens(
        oauth.keys,
        oauth.grants,
        () => origins.all().map((o) => o.issuer),
        undefined,
        () => loadSigningKeys(secrets, opts.env),
      );
      // The one callback registered at the IdP, whichever origin the client used.
      const idpCallback = () => `${origins.primary().origin}/idp/callback`;
      const broker = new TokenBroker(
        state.settings,
        async (id) => (await oauth.clients.find(id))?.source === 'preregistered',
      );
      const makeAuthorizationServer = authorizationServers({
        config,
        state,
        rateLimits: opened.rateLimits,
        oauth,
        tokens,
        origins,
        broker,
        profiles: stored.idpProfiles,
        upstream,
        policy: stored.policy,
        cimdCa: opts.cimdCa,
        log,
      });
      const interactions = new Interactions({
        signIns: state.upstreamSignIns,
        config,
        sealer: oauth.sealer,
        clients: oauth.clients,
        grants: oauth.grants,
        profiles: stored.idpProfiles,
        upstream,
        // Asked during requests only, when `byOrigin` (below, once the MCP endpoint exists) is made.
        providerFor: (ctx) => byOrigin(ctx).provider,
        originOf,
        idpCallback,
      });
      const tester = new IdpTester(
        stored.idpProfiles,
        upstream,
        idpCallback,
        config.idp.test_sign_in_timeout_seconds * 1000,
        {
          accessSeconds: config.oauth.access_token_ttl_seconds,
          refreshSeconds: config.oauth.refresh_token_ttl_seconds,
        },
      );
      const pendingWrites = new PendingWrites(
        state.pendingWrites,
        opts.clock ?? systemClock,
        config.sql.confirm_timeout_seconds * 1000,
      );
      const desk = new ConfirmationDesk();
      const mcp = mcpEndpoint(
        config,
        { ...stored, ...oauth, tokens, pendingWrites },
        opts.toolSets ?? [],
        log,
        opts.clock,
      );
      const byOrigin = originServers({ provider: makeAuthorizationServer, mcp: (ctx) => mcp.handler(ctx) });
      // Requests refused before a tool ran (401, 403) and sessions opened go in the audit log too, so the
      // Inspector and an export show them after a reload, not only while a window watched.
      mcp.requests.on('request', (ev) => {
        void stored.audit
          .record({
            subject: ev.subject ?? '',
            email: ev.email,
            clientId: ev.clientId ?? '',
            tool: ev.method,
            durationMs: 0,
            outcome: ev.outcome === 'accepted' ? 'ok' : 'refused',
            errorCode: ev.outcome === 'accepted' ? undefined : `HTTP ${ev.status}`,
            errorMessage:
              ev.reason ??
              (ev.protocolVersion ? `session opened, protocol ${ev.protocolVersion}` : undefined),
          })
          .catch((err: Error) => log(`audit of an MCP request: ${err.message}`));
      });
      const controlToken = opts.controlToken ?? crypto.randomBytes(32).toString('base64url');
      const idpProbe = new IdpProbe(opts.clock);
      const pruneTimer = setInterval(() => {
        void oauth.grants.prune().catch(() => undefined);
        void state.upstreamSignIns.pruneExpired(nowSeconds()).catch(() => undefined);
        void pendingWrites.prune().catch(() => undefined);
      }, 10 * 60_000).unref();
      const expiryTimer = setInterval(
        () => void pendingWrites.expireDue(stored.audit).catch(() => undefined),
        30_000,
      ).unref();
      // What /readyz says, and what the Status page shows: one check, so they cannot disagree.
      const ready = () =>
        readiness({
          state,
          storeProblem: () => opened.problem(),
          profiles: stored.idpProfiles,
          probe: idpProbe,
        });
      const core = new BridgeCore(
        {
          readiness: ready,
          config,
          state,
          secrets,
          ...stored,
          connectionTests: new ConnectionTester(stored.connections),
          livePermissions: new LivePermissionsCheck(
            stored.policy,
            stored.connections,
            new SqlRunner(stored.pools),
          ),
          upstream,
          clients: oauth.clients,
          grants: oauth.grants,
          tokens,
          authorizationServer: (ctx) => byOrigin(ctx).provider,
          mcp,
          broker,
          origins,
          tester,
          pendingWrites,
          desk,
        },
        {
          servers,
          pruneTimer,
          expiryTimer,
          controlToken,
          uiServed: !!opts.uiDir,
          state: opened,
          // Team mode is a server: no person at its keyboard to share a sign-in with or to confirm in an app,
          // and its data directory need not exist (the state is in PostgreSQL).
          brokerSocket: config.state.url
            ? { close: () => Promise.resolve() }
            : await listenForConnectors(opts.dataDir, broker, desk),
          dataDir: config.state.url ? undefined : path.resolve(opts.dataDir),
        },
      );
      // Attached once the core exists: the control API's handlers are the core's own.
      const control = controlHttpRouter(core.control, {
        token: controlToken,
        isOwnOrigin: (o) => origins.isOwnOrigin(o),
      });
      const app = createHttpApp({
        config,
        origins,
        servers: byOrigin,
        interactions,
        tester,
        mcp,
        control,
        writeApprovals: writeApprovalRouter({
          pendingWrites,
          interactions,
          key: oauth.sealer.deriveKey('write approval sessions'),
          bodyLimit: config.server.body_limit,
        }),
        uiDir: opts.uiDir,
        readiness: ready,
        log,
      });
      for (const s of servers) s.on('request', app);
      return core;
    } catch (err) {
      await opened.close();
      throw err;
    }
  }

  /** The data directory a connector must be told (it finds the app's sign-in there), when not the default. */
  get connectorDataDir(): string | undefined {
    const dir = this.run.dataDir;
    return dir && dir !== path.resolve(defaultDataDir()) ? dir : undefined;
  }

  get port(): number {
    return (this.run.servers[0]!.address() as AddressInfo).port;
  }

  urls(origin = this.origins.primary().origin): CoreUrls {
    return {
      origin,
      mcp: `${origin}/mcp`,
      issuer: `${origin}/`,
      authorizationServerMetadata: `${origin}/.well-known/oauth-authorization-server`,
      protectedResourceMetadata: `${origin}${PRM_PATHS[0]}`,
      idpCallback: `${this.origins.primary().origin}/idp/callback`,
      ui: this.run.uiServed ? `${origin}/ui/#token=${this.controlToken}` : undefined,
    };
  }

  async stop(): Promise<void> {
    clearInterval(this.run.pruneTimer);
    clearInterval(this.run.expiryTimer);
    await this.run.brokerSocket.close();
    // Running MCP calls finish (or are answered with an error) before their connections and pools go away.
    await this.mcp.drain(this.config.server.shutdown_grace_seconds * 1000);
    await this.mcp.closeAll();
    await this.pools.closeAll();
    await this.grants.flush();
    await this.run.state.close();
    await Promise.all(
      this.run.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
  }
}

/** The services over the repositories: profiles (the config file's saved at every start), audit, policy. */
async function openStoredServices(
  config: BridgeConfig,
  state: StateRepositories,
  secrets: SecretStore,
  configFile?: string,
) {
  const profiles = new IdpProfiles(state.idpProfiles, state.settings, secrets);
  for (const p of config.idp.profiles) await profiles.save(p);
  if (config.idp.active) await profiles.setActive(config.idp.active);
  const connections = new ConnectionProfiles(
    state.connectionProfiles,
    state.settings,
    secrets,
    () => config.sql.default,
  );
  for (const p of config.sql.profiles) await connections.save(p);
  // Configured tools are checked once, here, against the connections they name: a tool that could never run
  // stops the start with a sentence naming it and its line, rather than failing at someone's first call.
  const problems = checkConfiguredTools(
    config.tools,
    await connections.list(),
    // Read again only to name lines, and only when there are tools to name.
    config.tools.length && configFile && fs.existsSync(configFile)
      ? fs.readFileSync(configFile, 'utf8')
      : undefined,
  );
  if (problems.length) throw new ConfigError(problems.join('\n'));
  const configuredTools = await ConfiguredToolStore.open(state.settings, config.tools);
  const audit = new AuditLog(state.audit, config.audit);
  await audit.prune();
  const policy = await PolicyStore.open(state.settings);
  // A policy in the config file is the policy (as profiles there are saved at every start).
  if (config.policy) await policy.save(config.policy);
  return {
    idpProfiles: profiles,
    connections,
    pools: new Pools(connections),
    audit,
    policy,
    configuredTools,
  };
}

/** The authorization server's keys and storage: signing key, sealing keys, artifacts, grants, clients. */
async function openOAuthState(
  config: BridgeConfig,
  { repositories: state, secrets, events }: OpenedState,
  env: NodeJS.ProcessEnv = process.env,
) {
  const keys = await loadSigningKeys(secrets, env);
  const { sealer, cookieKeys } = await loadStateKeys(secrets);
  const models = new ModelStore(state.oidcModels, sealer, config.oauth.refresh_grace_seconds);
  const grants = await GrantStore.open(state.grants, models, events);
  await grants.prune();
  await state.upstreamSignIns.pruneExpired(nowSeconds());
  return {
    keys,
    sealer,
    cookieKeys,
    models,
    grants,
    clients: new ClientRegistry(state.clients, config.oauth),
  };
}
type OAuthState = Awaited<ReturnType<typeof openOAuthState>>;

/** Listens on the configured address; with 127.0.0.1 also on ::1 (localhost may resolve there first). */
async function listenAll(config: BridgeConfig): Promise<{ servers: http.Server[]; origins: Origins }> {
  const primary = http.createServer();
  const port = await listen(primary, config.server.host, config.server.port);
  const servers = [primary];
  if (config.server.host === '127.0.0.1') {
    const v6 = http.createServer();
    if (
      await listen(v6, '::1', port).then(
        () => true,
        () => false,
      )
    )
      servers.push(v6);
  }
  return {
    servers,
    origins: new Origins(port, config.server.public_hosts, config.server.public_url),
  };
}

/** Makes oidc-provider for an origin (its issuer is the origin the client used); originServers keeps it. */
function authorizationServers(d: {
  config: BridgeConfig;
  state: StateRepositories;
  rateLimits: RateLimits;
  oauth: OAuthState;
  tokens: AccessTokens;
  origins: Origins;
  broker: TokenBroker;
  profiles: IdpProfiles;
  upstream: UpstreamIdp;
  policy: PolicyStore;
  cimdCa?: string;
  log: (msg: string) => void;
}): (ctx: OriginContext) => Provider {
  const { config, oauth, tokens, origins } = d;
  const tokenLimit = d.rateLimits('token', config.oauth.token_requests_per_minute);
  const authorizeLimit = d.rateLimits('authorize', config.oauth.authorize_requests_per_minute);
  const { grants, models } = oauth;
  const asDeps: AuthorizationServerDeps = {
    config,
    clients: oauth.clients,
    grants,
    models,
    signingJwks: oauth.keys.all.map((k) => k.privateJwk),
    cookieKeys: oauth.cookieKeys,
    registrationLimit: new RegistrationLimit(d.state.clients, config.oauth.dcr.max_per_hour),
    // One counter per limit for every origin's provider (a limit per provider would multiply with the names the
    // bridge answers on) and, in team mode, for every instance.
    tokenRequestAllowed: () => tokenLimit.take(),
    authorizeRequestAllowed: () => authorizeLimit.take(),
    corsAllowed: (o) => config.server.allowed_origins.includes(o) || origins.isOwnOrigin(o),
    cimdFetch: d.cimdCa ? cimdFetchTrusting(d.cimdCa) : cimdFetchGuarded(config.oauth.cimd_allowed_hosts),
    extend: (p, ctx) => {
      const resourceServer = (c: OriginContext) => resourceServerInfo(config, c);
      const scopesFor = (identity: Identity) => d.policy.scopesFor(identity);
      registerBrokerGrant(p, ctx, { broker: d.broker, grants, resourceServer, scopesFor });
      if (config.oauth.id_jag)
        registerIdJagGrant(p, ctx, {
          profiles: d.profiles,
          upstream: d.upstream,
          grants,
          models,
          resourceServer,
          scopesFor,
        });
    },
    grantableScopes: async (grantId) => {
      const grant = await grants.getGrant(grantId);
      return grant && d.policy.scopesFor(grant.identity);
    },
    revokeAccessToken: async (token, clientId) => {
      // Unknown tokens and tokens of other clients are answered 200 without effect (RFC 7009 §2.2).
      const claims = await tokens.decodeOwn(token);
      if (claims?.jti && claims.client_id === clientId)
        await grants.revokeAccessToken(claims.jti, claims.exp ?? 0);
    },
  };
  return (ctx) => {
    const p = createAuthorizationServer(asDeps, ctx);
    observeAuthorizationServer(p, grants, d.log);
    return p;
  };
}

/** The MCP endpoint with the identity tool, the SQL tools and the schema context (and any extra tool sets). */
function mcpEndpoint(
  config: BridgeConfig,
  d: Awaited<ReturnType<typeof openStoredServices>> &
    OAuthState & { tokens: AccessTokens; pendingWrites: PendingWrites },
  extra: ToolSet[],
  log: (message: string) => void,
  clock?: Clock,
): McpEndpoint {
  const confirmations = new ConfirmationCodec(
    d.sealer.deriveKey('mcp request state'),
    config.sql.confirm_timeout_seconds,
    (id, expiresAt) => d.models.claimOnce('WriteConfirmation', id, expiresAt),
  );
  const sqlDeps = {
    connections: d.connections,
    runner: new SqlRunner(d.pools),
    audit: d.audit,
    confirmations,
    pendingWrites: d.pendingWrites,
    clientName: async (id: string) => (await d.clients.find(id))?.info.client_name,
  };
  return new McpEndpoint({
    tokens: d.tokens,
    grants: d.grants,
    confirmations,
    policy: d.policy,
    confirmTimeoutMs: config.sql.confirm_timeout_seconds * 1000,
    sessionIdleMs: config.server.mcp_session_idle_seconds * 1000,
    clock,
    views: new Views(builtViewsDir()),
    isWriteTool: (name) => WRITE_TOOLS.has(name) || d.configuredTools.isWriteTool(name),
    toolSets: [
      identityTools(d.audit),
      sqlTools(sqlDeps),
      configuredTools(sqlDeps, () => d.configuredTools.list(), log),
      schemaContext(sqlDeps),
      ...extra,
    ],
  });
}

function listen(server: http.Server, host: string, port: number): Promise<number> {
  // Keep idle connections longer than clients do (undici: 4 s), so a client never reuses a socket the server is
  // closing at that moment (ECONNRESET on the next request).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

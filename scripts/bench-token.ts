/**
 * /token throughput of the bridge's authorization server against oidc-provider alone (its in-memory adapter,
 * the same client, JWT access tokens and resource indicators), at concurrency 1 and 8, in the same run.
 * Codes are minted through each server's own models, so only /token is measured.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import readline from 'node:readline';
import type { AddressInfo } from 'node:net';
import Provider, { type Adapter, type AdapterPayload } from 'oidc-provider';
import type { BridgeCore } from '../app/main/core.js';

const CLIENT_ID = 'claude-desktop';
const REDIRECT = 'http://127.0.0.1:5555/oauth/callback';
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

export interface TokenTarget {
  tokenUrl: string;
  mint(n: number): Promise<string[]>;
  close(): Promise<void>;
}

/** Codes for `accountId` at a provider, each from its own grant (as n sign-ins would leave them). */
async function mintCodes(
  provider: Provider,
  resource: string,
  n: number,
  onGrant?: (id: string) => Promise<void>,
) {
  const client = (await provider.Client.find(CLIENT_ID))!;
  const codes: string[] = [];
  for (let i = 0; i < n; i++) {
    const grant = new provider.Grant({ accountId: 'bob', clientId: CLIENT_ID });
    grant.addResourceScope(resource, 'mcp:tools');
    grant.addOIDCScope('mcp:tools');
    const grantId = await grant.save();
    await onGrant?.(grantId);
    const code = new provider.AuthorizationCode({
      accountId: 'bob',
      client,
      grantId,
      scope: 'mcp:tools',
      resource,
      redirectUri: REDIRECT,
      codeChallenge: CHALLENGE,
      codeChallengeMethod: 'S256',
      gty: 'authorization_code',
    });
    codes.push(await code.save());
  }
  return codes;
}

export function bridgeTarget(core: BridgeCore): TokenTarget {
  const ctx = core.origins.primary();
  const provider = core.authorizationServer(ctx);
  return {
    tokenUrl: `${ctx.origin}/token`,
    mint: (n) =>
      mintCodes(provider, ctx.resource, n, (id) =>
        core.grants.createGrant({
          id,
          clientId: CLIENT_ID,
          identity: { subject: 'bob', issuer: 'bench', idp: 'bench', groups: [], dbUser: 'bob' },
          scopes: ['mcp:tools'],
          resource: ctx.resource,
          issuer: ctx.issuer,
        }),
      ),
    close: async () => undefined,
  };
}

/**
 * An in-memory adapter: oidc-provider's own keeps 1000 entries (an LRU for quick starts), fewer than one run
 * holds; this one is a plain Map with the same semantics, so the baseline is as fast as in memory can be.
 */
class MapAdapter implements Adapter {
  private static readonly store = new Map<string, AdapterPayload>();
  constructor(private readonly model: string) {}
  private key = (id: string) => `${this.model}:${id}`;
  async upsert(id: string, payload: AdapterPayload) {
    MapAdapter.store.set(this.key(id), payload);
  }
  async find(id: string) {
    return MapAdapter.store.get(this.key(id));
  }
  async findByUid() {
    return undefined;
  }
  async findByUserCode() {
    return undefined;
  }
  async consume(id: string) {
    const p = MapAdapter.store.get(this.key(id));
    if (p) p.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string) {
    MapAdapter.store.delete(this.key(id));
  }
  async revokeByGrantId() {
    // Not exercised: the benchmark never reuses a token.
  }
}

/** oidc-provider configured as the bridge's AS is, but in memory and with nothing around it. */
export async function plainOidcProvider(signingJwk: Record<string, unknown>): Promise<TokenTarget> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const resource = `${origin}/mcp`;
  const provider = new Provider(`${origin}/`, {
    adapter: MapAdapter,
    clients: [
      {
        client_id: CLIENT_ID,
        redirect_uris: ['http://127.0.0.1/oauth/callback'],
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [{ ...signingJwk, use: 'sig' }] },
    scopes: ['openid', 'mcp:tools'],
    pkce: { required: () => true },
    routes: { token: '/token' },
    findAccount: (_c, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    issueRefreshToken: () => true,
    expiresWithSession: () => false,
    rotateRefreshToken: true,
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'mcp:tools',
          audience: resource,
          accessTokenTTL: 900,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
  });
  server.on('request', provider.callback());
  return {
    tokenUrl: `${origin}/token`,
    mint: (n) => mintCodes(provider, resource, n),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const post = (url: string, body: Record<string, string>) =>
  fetch(url, { method: 'POST', body: new URLSearchParams(body) }).then(async (r) => {
    const json = (await r.json()) as Record<string, string>;
    if (r.status !== 200) throw new Error(`${url}: ${r.status} ${JSON.stringify(json)}`);
    return json;
  });

/** The load client process (scripts/bench-token-client.ts); `job` answers requests per second. */
export function tokenLoadClient() {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'bench-token-client.ts')],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return {
    async job(j: Record<string, unknown>): Promise<number> {
      child.stdin!.write(`${JSON.stringify(j)}\n`);
      const { value, done } = await lines.next();
      if (done) throw new Error('the token load client exited');
      return (JSON.parse(value as string) as { perSecond: number }).perSecond;
    },
    close: () => child.stdin!.end(),
  };
}

const CODE_FIELDS = {
  grant_type: 'authorization_code',
  client_id: CLIENT_ID,
  code_verifier: VERIFIER,
  redirect_uri: REDIRECT,
};

/** Code exchanges and refreshes per second at one concurrency, driven from the load client's process. */
export async function tokenRates(
  t: TokenTarget,
  load: ReturnType<typeof tokenLoadClient>,
  concurrency: number,
  n: number,
) {
  const codes = await t.mint(n + concurrency);
  const codeRate = await load.job({
    url: t.tokenUrl,
    kind: 'code',
    items: codes.slice(0, n),
    n,
    concurrency,
    fields: CODE_FIELDS,
  });
  // One refresh chain per worker, each from its own grant.
  const chains = await Promise.all(
    codes.slice(n).map(async (code) => (await post(t.tokenUrl, { ...CODE_FIELDS, code })).refresh_token!),
  );
  const refreshRate = await load.job({
    url: t.tokenUrl,
    kind: 'refresh',
    items: chains,
    n,
    concurrency,
    fields: { grant_type: 'refresh_token', client_id: CLIENT_ID },
  });
  return { codeRate, refreshRate };
}

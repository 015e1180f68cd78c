/**
 * The test identity provider: oidc-provider (a certified OpenID Provider) on 127.0.0.1, with known users,
 * a real login form that checks passwords, and on request misbehaviour for negative tests (an ID token with a
 * wrong issuer, audience or nonce, or already expired), made by re-signing its ID token with its own key.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jose from 'jose';
import Provider from 'oidc-provider';
import { memoryAdapter } from './memory-adapter.js';
import { claimNames, FLAVOUR_SHAPES, type Flavour, type FlavourShape } from './flavours.js';
export { AUTH0_GROUPS_CLAIM, ENTRA_TENANT, FLAVOURS, type Flavour } from './flavours.js';

export interface TestUser {
  password: string;
  claims: Record<string, unknown>;
}

export interface TestIdpClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  /**
   * For enterprise-managed authorization: the client id this client has at the resource's authorization
   * server (the bridge), written into the ID-JAGs it obtains by token exchange.
   */
  id_jag_client_id?: string;
}

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ID_JAG_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id-jag';
const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';

export type Misbehaviour =
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'bad_nonce'
  | 'expired'
  /** The token endpoint answers 503 (an IdP outage behind a working front door). */
  | 'token_unavailable'
  /** The token endpoint never answers (a hung IdP); the connection is dropped after 30 s. */
  | 'token_hang'
  | undefined;

export interface TestIdp {
  issuer: string;
  misbehave(mode: Misbehaviour): void;
  stop(): Promise<void>;
}

export const DEMO_USERS: Record<string, TestUser> = {
  alice: {
    password: 'alice-pass',
    claims: {
      email: 'alice@example.com',
      email_verified: true,
      name: 'Alice Analyst',
      preferred_username: 'alice',
      groups: ['analysts'],
    },
  },
  bob: {
    password: 'bob-pass',
    claims: {
      email: 'bob@example.com',
      email_verified: true,
      name: 'Bob Builder',
      preferred_username: 'bob',
      groups: ['engineers', 'dba'],
    },
  },
  nomail: { password: 'nomail-pass', claims: { name: 'No Mail', preferred_username: 'nomail' } },
  // Signs in fine but has no database user: impersonation must fail, never fall back.
  carol: {
    password: 'carol-pass',
    claims: {
      email: 'carol@example.com',
      email_verified: true,
      name: 'Carol Contractor',
      preferred_username: 'carol',
      groups: [],
    },
  },
};

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startTestIdp(opts: {
  clients: TestIdpClient[];
  users?: Record<string, TestUser>;
  port?: number;
  /** Behave as this IdP does (issuer shape, claims, refusals); default: a plain OpenID Provider. */
  flavour?: Flavour;
}): Promise<TestIdp> {
  const users = opts.users ?? DEMO_USERS;
  const shape = FLAVOUR_SHAPES[opts.flavour ?? 'generic'];
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${origin}${shape.path}`;
  // Where the provider is mounted: requests under it reach oidc-provider with the prefix stripped.
  const mount = shape.path.replace(/\/$/, '');

  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const signingJwk = { ...(await jose.exportJWK(privateKey)), kid: 'test-idp-key', alg: 'RS256', use: 'sig' };

  const provider = new Provider(issuer, {
    adapter: memoryAdapter(),
    clients: opts.clients.map(({ id_jag_client_id: _mapped, ...c }) => ({
      ...c,
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code', TOKEN_EXCHANGE],
      response_types: ['code'],
    })),
    jwks: { keys: [signingJwk] },
    findAccount: (_ctx, id) => {
      const user = users[id];
      return user
        ? { accountId: id, claims: () => ({ sub: id, ...shape.claimsOf(user.claims) }) }
        : undefined;
    },
    claims: shape.claims,
    scopes: shape.scopes,
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `${mount}/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    cookies: { keys: ['test-idp-cookie-key'] },
    ttl: {
      Interaction: 600,
      Grant: 600,
      Session: 600,
      AccessToken: 600,
      IdToken: 600,
      AuthorizationCode: 60,
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!doctype html><h1>Test IdP error</h1><pre>${escape(JSON.stringify(out))}</pre>`;
    },
  });

  let mode: Misbehaviour;
  provider.use(async (ctx, next) => {
    const tokenRequest = ctx.path === '/token' && ctx.method === 'POST';
    if (tokenRequest && mode === 'token_unavailable') {
      ctx.status = 503;
      ctx.body = { error: 'temporarily_unavailable', error_description: 'the test IdP was asked to fail' };
      return;
    }
    if (tokenRequest && mode === 'token_hang') {
      await new Promise((r) => setTimeout(r, 30_000).unref());
      ctx.req.socket.destroy();
      return;
    }
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    if (
      mode &&
      mode !== 'token_unavailable' &&
      mode !== 'token_hang' &&
      ctx.path === '/token' &&
      ctx.method === 'POST' &&
      body?.id_token
    ) {
      body.id_token = await resign(body.id_token, mode, privateKey);
    }
  });

  await registerIdJagExchange(provider, { clients: opts.clients, users, issuer, signingJwk, privateKey });

  const oidcCallback = provider.callback();
  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (mount) {
      if (!url.pathname.startsWith(`${mount}/`)) {
        res.statusCode = 404;
        return res.end('not here: this IdP lives under ' + mount);
      }
      // oidc-provider finds its mount path as originalUrl minus url, as under express.
      (req as http.IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
      req.url = req.url!.slice(mount.length);
      url.pathname = url.pathname.slice(mount.length);
    }
    const refusal = url.pathname === '/auth' ? shape.refuses?.(url.searchParams) : undefined;
    if (refusal) {
      res.statusCode = 400;
      res.setHeader('content-type', 'text/html');
      return res.end(`<!doctype html><h1>Sign-in refused</h1><p>${escape(refusal)}</p>`);
    }
    const match = /^\/interaction\/([^/]+)(\/login)?$/.exec(url.pathname);
    if (!match) return void oidcCallback(req, res);
    interaction({ provider, users, shape, mount }, req, res, match[2] === '/login').catch((err: Error) => {
      res.statusCode = 500;
      res.end(`interaction failed: ${err.message}`);
    });
  });

  return {
    issuer,
    misbehave: (m) => {
      mode = m;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * RFC 8693 token exchange of one of this IdP's ID tokens for an ID-JAG (draft-ietf-oauth-identity-assertion-
 * authz-grant §4.2): the IdP half of enterprise-managed authorization, for tests and the demo.
 */
async function registerIdJagExchange(
  provider: Provider,
  d: {
    clients: TestIdpClient[];
    users: Record<string, TestUser>;
    issuer: string;
    signingJwk: jose.JWK & { kid: string };
    privateKey: jose.CryptoKey;
  },
): Promise<void> {
  const publicKey = await jose.importJWK({ ...d.signingJwk, d: undefined }, 'RS256');
  provider.registerGrantType(
    TOKEN_EXCHANGE,
    async (ctx) => {
      const p = ctx.oidc.params as Record<string, string | undefined>;
      const client = d.clients.find((c) => c.client_id === ctx.oidc.client.clientId);
      const fail = (description: string) => {
        ctx.status = 400;
        ctx.body = { error: 'invalid_request', error_description: description };
      };
      if (p.requested_token_type !== ID_JAG_TOKEN_TYPE)
        return fail(`requested_token_type must be ${ID_JAG_TOKEN_TYPE}`);
      if (p.subject_token_type !== ID_TOKEN_TYPE) return fail(`subject_token_type must be ${ID_TOKEN_TYPE}`);
      if (!p.audience || !p.resource) return fail('audience and resource are required');
      if (!client?.id_jag_client_id) return fail('this client has no client id at that authorization server');
      let sub: string;
      try {
        const { payload } = await jose.jwtVerify(p.subject_token ?? '', publicKey, {
          issuer: d.issuer,
          audience: client.client_id,
        });
        sub = payload.sub!;
      } catch (err) {
        ctx.status = 400;
        ctx.body = { error: 'invalid_grant', error_description: `subject_token: ${(err as Error).message}` };
        return;
      }
      const user = d.users[sub];
      const idJag = await new jose.SignJWT({
        ...user?.claims,
        client_id: client.id_jag_client_id,
        resource: p.resource,
        ...(p.scope ? { scope: p.scope } : {}),
      })
        .setProtectedHeader({ alg: 'RS256', kid: d.signingJwk.kid, typ: 'oauth-id-jag+jwt' })
        .setIssuer(d.issuer)
        .setSubject(sub)
        .setAudience(p.audience)
        .setJti(crypto.randomUUID())
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(d.privateKey);
      ctx.body = {
        access_token: idJag,
        issued_token_type: ID_JAG_TOKEN_TYPE,
        token_type: 'N_A',
        expires_in: 300,
        ...(p.scope ? { scope: p.scope } : {}),
      };
    },
    ['subject_token', 'subject_token_type', 'requested_token_type', 'audience', 'resource', 'scope'],
  );
}

/** The IdP's sign-in page: the form, then the check of the typed user and password. */
async function interaction(
  d: { provider: Provider; users: Record<string, TestUser>; shape: FlavourShape; mount: string },
  req: http.IncomingMessage,
  res: http.ServerResponse,
  submitting: boolean,
): Promise<void> {
  const details = await d.provider.interactionDetails(req, res);
  const clientId = String(details.params.client_id);
  const action = `${d.mount}/interaction/${details.uid}/login`;
  if (!submitting) return loginForm(res, action, clientId);
  const form = new URLSearchParams(await readBody(req));
  const login = form.get('login') ?? '';
  const user = d.users[login];
  if (!user || user.password !== form.get('password'))
    return loginForm(res, action, clientId, 'Invalid user name or password.');
  const grant = new d.provider.Grant({ accountId: login, clientId });
  grant.addOIDCScope(typeof details.params.scope === 'string' ? details.params.scope : 'openid');
  grant.addOIDCClaims(claimNames(d.shape));
  const grantId = await grant.save();
  await d.provider.interactionFinished(
    req,
    res,
    { login: { accountId: login }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

function loginForm(res: http.ServerResponse, action: string, clientId: string, error?: string): void {
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.end(
    `<!doctype html><html><head><title>Test IdP sign-in</title></head><body><h1>Sign in to Test IdP</h1>` +
      `<p>Client: ${escape(clientId)}</p>${error ? `<p class="error">${escape(error)}</p>` : ''}` +
      `<form method="post" action="${escape(action)}">` +
      `<label>User <input name="login" autocomplete="username" autofocus></label>` +
      `<label>Password <input name="password" type="password" autocomplete="current-password"></label>` +
      `<button type="submit">Sign in</button></form></body></html>`,
  );
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

async function resign(
  idToken: string,
  mode: NonNullable<Misbehaviour>,
  key: jose.CryptoKey,
): Promise<string> {
  const claims = jose.decodeJwt(idToken);
  const header = jose.decodeProtectedHeader(idToken);
  const now = Math.floor(Date.now() / 1000);
  if (mode === 'wrong_issuer') claims.iss = 'https://evil.example/';
  if (mode === 'wrong_audience') claims.aud = 'someone-else';
  if (mode === 'bad_nonce') claims.nonce = 'not-the-nonce';
  if (mode === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  return new jose.SignJWT(claims).setProtectedHeader({ alg: header.alg!, kid: header.kid }).sign(key);
}

import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as jose from 'jose';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { startEnv, type Env } from '../support/harness.js';
import {
  authorizeViaBrowser,
  CLIENT_REDIRECT,
  mcpClient,
  signIn,
  tokenRequest,
} from '../support/mcp-client.js';
import { TestSdkOAuthProvider } from '../support/sdk-oauth-provider.js';
import { selfSignedCert } from '@mssql-mcp-bridge/tds-test-server';
import { UserAgent } from '../support/user-agent.js';

describe('consent for dynamically registered clients', () => {
  let env: Env;
  beforeAll(async () => {
    env = await startEnv({ config: { oauth: { code_ttl_seconds: 1, dcr: { max_per_hour: 3 } } } });
  });
  afterAll(() => env?.close());

  async function registerClient(redirect: string): Promise<string> {
    const res = await fetch(`${env.core.urls().origin}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [redirect], client_name: 'Sneaky <b>App</b>' }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { client_id: string }).client_id;
  }

  it('shows an unframeable consent page naming client, redirect and scopes; refuses forged submissions; remembers consent', async () => {
    const redirect = 'http://127.0.0.1:61300/cb';
    const clientId = await registerClient(redirect);
    const flow = await authorizeViaBrowser(env, {
      clientId,
      redirectUri: redirect,
      scope: 'mcp:tools mssql:write',
    });
    expect(flow.result.kind).toBe('page');
    if (flow.result.kind !== 'page') return;
    expect(flow.result.url.pathname).toMatch(/^\/interaction\/[\w-]+$/);
    expect(flow.result.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(flow.result.headers.get('x-frame-options')).toBe('DENY');
    const html = flow.result.html;
    expect(html).toContain('Sneaky &lt;b&gt;App&lt;/b&gt;');
    expect(html).toContain(redirect);
    expect(html).toContain('<code>mssql:write</code>');
    const action = new URL(/<form method="post" action="([^"]+)"/.exec(html)![1]!, env.core.urls().origin);

    // A forged submission (another page's form, another program) carries no interaction cookie of this browser.
    const forged = await fetch(action, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ decision: 'allow' }),
    });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('x-bridge-error')).toBe('interaction_not_found');

    // The user's own browser (with its cookie) allows, and the client gets its code.
    const ok = await flow.ua.fetch(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ decision: 'allow' }),
    });
    expect(ok.status).toBe(303);
    const back = await flow.ua.browse(new URL(ok.headers.get('location')!, action).href, {
      stopAt: redirect,
    });
    if (back.kind !== 'redirected') throw new Error(`stopped at ${back.url}`);
    expect(back.url.searchParams.get('code')).toBeTruthy();
    expect(back.url.searchParams.get('iss')).toBe(env.core.urls().issuer);

    // Consent is remembered for this user and client: the next sign-in goes straight back.
    const again = await authorizeViaBrowser(env, { clientId, redirectUri: redirect, scope: 'mcp:tools' });
    expect(again.result.kind).toBe('redirected');
  });

  it('expires codes after their lifetime', async () => {
    const flow = await authorizeViaBrowser(env);
    if (flow.result.kind !== 'redirected') throw new Error('no redirect');
    // The clock moves past the code's lifetime (the bridge runs in this process: its Date is this one).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2_100 });
    const r = await tokenRequest(env, {
      grant_type: 'authorization_code',
      client_id: 'claude-desktop',
      code: flow.result.url.searchParams.get('code')!,
      code_verifier: flow.verifier,
      redirect_uri: CLIENT_REDIRECT,
    }).finally(() => vi.useRealTimers());
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_grant');
  });

  const register = (name: string) =>
    fetch(`${env.core.urls().origin}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['http://127.0.0.1/cb'], client_name: name }),
    });

  it('limits registrations per client, so one noisy client cannot lock the others out', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await register('Noisy')).status);
    // The limit is 3 an hour for each requester.
    expect(statuses).toEqual([201, 201, 201, 429]);
    const refused = (await (await register('Noisy')).json()) as { error_description: string };
    expect(refused.error_description).toContain('reuse its client_id');
    expect((await register('Quiet')).status).toBe(201);
  });

  it('dcr-flood: registrations under made-up names never lock out a new client, and storage stays bounded', async () => {
    // max_per_hour 3 here: unfinished registrations kept at most 30. The flood is three times that.
    const flood: number[] = [];
    for (let i = 0; i < 90; i++) flood.push((await register(`flood ${i}`)).status);
    expect(flood.every((s) => s === 201)).toBe(true);
    const fresh = await register('A new client');
    expect(fresh.status).toBe(201);
    const { client_id } = (await fresh.json()) as { client_id: string };
    const signedIn = new Set(
      (await env.core.grants.listGrants({ includeRevoked: true })).map((g) => g.clientId),
    );
    const unfinished = (await env.core.state.clients.list()).filter(
      (c) => c.source === 'dcr' && !signedIn.has(String(c.metadata.client_id)),
    );
    expect(unfinished.length).toBeLessThanOrEqual(30);
    // The newest registration is kept, and signs in.
    expect(await env.core.state.clients.get(client_id)).toBeTruthy();
  });
});

describe('setup states', () => {
  it('/authorize explains which setting is missing when no IdP is configured', async () => {
    const env = await startEnv({ withIdp: false });
    try {
      const provider = new TestSdkOAuthProvider({
        redirectUrl: CLIENT_REDIRECT,
        clientId: 'claude-desktop',
        user: 'alice',
      });
      let page = '';
      provider.redirectToAuthorization = async (url: URL) => {
        const res = await new UserAgent().browse(url.href, { stopAt: CLIENT_REDIRECT });
        if (res.kind === 'page') page = `${res.status} ${res.headers.get('x-bridge-error')} ${res.html}`;
      };
      await auth(provider, { serverUrl: env.core.urls().mcp });
      expect(page).toMatch(/^503 idp_not_configured/);
      expect(page).toContain('idp.profiles');
    } finally {
      await env.close();
    }
  });
});

describe('Client ID Metadata Documents', () => {
  const tls = selfSignedCert();
  let server: https.Server;
  let base = '';
  let env: Env;
  const docs: Record<string, unknown> = {};
  /** Every document path fetched. */
  const requested: string[] = [];

  beforeAll(async () => {
    server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
      requested.push(req.url ?? '');
      const doc = docs[req.url ?? ''];
      res.writeHead(doc ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(doc ?? {}));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    docs['/good.json'] = {
      client_id: `${base}/good.json`,
      client_name: 'Hosted client',
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1/callback'],
    };
    // A web client (the default application_type): its redirect must match exactly, port included.
    docs['/web.json'] = {
      client_id: `${base}/web.json`,
      redirect_uris: ['http://127.0.0.1/callback'],
    };
    docs['/userinfo.json'] = {
      client_id: `${base}/userinfo.json`,
      application_type: 'native',
      redirect_uris: ['http://claude.ai@127.0.0.1/callback'],
    };
    // A web client whose redirect is on its document's own https host: the client's own, TLS vouches for both.
    docs['/own-host.json'] = {
      client_id: `${base}/own-host.json`,
      redirect_uris: [`${base}/callback`],
    };
    docs['/liar.json'] = {
      client_id: `${base}/someone-else.json`,
      redirect_uris: ['http://127.0.0.1/callback'],
    };
    docs['/open-redirect.json'] = {
      client_id: `${base}/open-redirect.json`,
      redirect_uris: ['https://evil.example/cb'],
    };
    // Documents from any host (this test's TLS server on loopback), not only the default well-known ones.
    env = await startEnv({
      config: { oauth: { client_id_metadata_documents: true, cimd_allowed_hosts: [] } },
      cimdCa: tls.cert,
    });
  });
  afterAll(async () => {
    await env?.close();
    server?.close();
  });

  const authorize = (clientId: string) => {
    const url = new URL('/authorize', env.core.urls().origin);
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: 'http://127.0.0.1:5555/callback',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }))
      url.searchParams.set(k, v);
    return fetch(url, { redirect: 'manual' });
  };

  it('advertises support and accepts a document whose client_id is its own URL', async () => {
    const meta = (await (
      await fetch(`${env.core.urls().origin}/.well-known/oauth-authorization-server`)
    ).json()) as Record<string, unknown>;
    expect(meta.client_id_metadata_document_supported).toBe(true);
    const res = await authorize(`${base}/good.json`);
    expect(res.status).toBe(303);
    const interaction = new URL(res.headers.get('location')!, env.core.urls().origin);
    expect(interaction.pathname).toMatch(/^\/interaction\//);
  });

  it('signs in end to end with a metadata-document client: consent, code, token, /mcp', async () => {
    const clientId = `${base}/good.json`;
    const { tokens } = await signIn(env, {
      clientId,
      redirectUri: 'http://127.0.0.1:5555/callback',
      consent: 'allow',
    });
    expect(jose.decodeJwt(tokens.access_token).client_id).toBe(clientId);
    const client = await mcpClient(env.core.urls().mcp, tokens.access_token);
    expect((await client.callTool({ name: 'whoami', arguments: {} })).structuredContent).toMatchObject({
      subject: 'alice',
    });
    await client.close();
  });

  const refusal = async (res: Response) => ({
    status: res.status,
    code: res.headers.get('x-bridge-error'),
    type: res.headers.get('content-type'),
    html: await res.text(),
  });

  it('matches a web client document redirect exactly (RFC 8252 port flexibility is for native clients)', async () => {
    const web = await refusal(await authorize(`${base}/web.json`));
    expect(web).toMatchObject({ status: 400, code: 'invalid_redirect_uri' });
    expect(web.type).toContain('text/html');
  });

  it('refuses userinfo in a document redirect (RFC 8252 §8.x, draft-ietf-oauth-client-id-metadata-document)', async () => {
    const r = await refusal(await authorize(`${base}/userinfo.json`));
    expect(r.status).toBe(400);
    expect(r.html).toContain('user name or password');
  });

  it('fetches documents only from oauth.cimd_allowed_hosts when it is set', async () => {
    const strict = await startEnv({
      withIdp: false,
      config: { oauth: { client_id_metadata_documents: true, cimd_allowed_hosts: ['clients.example'] } },
      cimdCa: tls.cert,
    });
    try {
      const url = new URL('/authorize', strict.core.urls().origin);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: `${base}/good.json`,
        redirect_uri: 'http://127.0.0.1:5555/callback',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }).toString();
      const before = requested.length;
      const r = await refusal(await fetch(url, { redirect: 'manual' }));
      expect(r).toMatchObject({ status: 400, code: 'invalid_client' });
      expect(requested.length).toBe(before); // never fetched
    } finally {
      await strict.close();
    }
  });

  it("accepts a document's https redirect on the document's own host (the consent page still shows it)", async () => {
    const url = new URL('/authorize', env.core.urls().origin);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: `${base}/own-host.json`,
      redirect_uri: `${base}/callback`,
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(new URL(res.headers.get('location')!, url).pathname).toMatch(/^\/interaction\//);
  });

  it('cimd-ssrf: a document on a special-use address is refused before any connection is made', async () => {
    // The production fetch (no test CA), documents from any host: an open port must not answer differently.
    const probe = net.createServer((s) => s.destroy());
    let connections = 0;
    probe.on('connection', () => connections++);
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    const open = await startEnv({
      withIdp: false,
      config: { oauth: { client_id_metadata_documents: true, cimd_allowed_hosts: [] } },
    });
    try {
      for (const clientId of [
        `https://127.0.0.1:${port}/x.json`,
        `https://localhost:${port}/x.json`,
        `https://[::ffff:127.0.0.1]:${port}/x.json`,
        `https://10.0.0.1:${port}/x.json`,
        `https://169.254.169.254/latest/meta-data.json`,
      ]) {
        const url = new URL('/authorize', open.core.urls().origin);
        url.search = new URLSearchParams({
          response_type: 'code',
          client_id: clientId,
          redirect_uri: 'http://127.0.0.1:5555/callback',
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
        }).toString();
        const started = Date.now();
        const r = await refusal(await fetch(url, { redirect: 'manual' }));
        expect(r.status, clientId).toBe(400);
        expect(Date.now() - started, clientId).toBeLessThan(2000);
      }
      expect(connections).toBe(0);
    } finally {
      await open.close();
      probe.close();
    }
  });

  it('refuses a document naming another client_id, or a redirect the policy forbids', async () => {
    const liar = await refusal(await authorize(`${base}/liar.json`));
    expect(liar.status).toBe(400);
    expect(liar.type).toContain('text/html');
    const open = await refusal(await authorize(`${base}/open-redirect.json`));
    expect(open.status).toBe(400);
    expect(open.html).toContain('not a loopback address');
  });
});

/**
 * The authorization server attacked from outside, as a hostile local program or web page would: each case a
 * refusal the bridge must make, named with the rule it enforces.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import { startEnv, type Env } from '../support/harness.js';
import {
  authorizeUrl as authorizeUrlFor,
  CLIENT_REDIRECT,
  PKCE_PAIR,
  signIn,
  tokenRequest,
} from '../support/mcp-client.js';
import { UserAgent } from '../support/user-agent.js';

const ALLOWED_ORIGIN = 'http://localhost:6274';
let env: Env;
beforeAll(async () => {
  env = await startEnv({ config: { server: { allowed_origins: [ALLOWED_ORIGIN] } } });
});
afterAll(() => env?.close());

const pkce = PKCE_PAIR;
const authorizeUrl = (params: Record<string, string | undefined> = {}, origin = env.core.urls().origin) =>
  authorizeUrlFor(origin, params);

/** Alice signs in through the whole flow; the code her client's listener got, and /token's answer to it. */
async function redeem(redirectUri: string, tokenFields: Record<string, string>) {
  const result = await new UserAgent().browse(authorizeUrl({ redirect_uri: redirectUri }).href, {
    stopAt: redirectUri,
    login: { user: 'alice', password: 'alice-pass' },
  });
  if (result.kind !== 'redirected') throw new Error('no redirect');
  return tokenRequest(env, {
    grant_type: 'authorization_code',
    client_id: 'claude-desktop',
    code: result.url.searchParams.get('code')!,
    code_verifier: pkce.verifier,
    redirect_uri: redirectUri,
    ...tokenFields,
  });
}

const location = (res: Response, base: URL | string) => new URL(res.headers.get('location')!, base);

describe('a sign-in is bound to the browser that started it (RFC 9700 §4.7, §2.1.1)', () => {
  it('a sign-in link handed to another browser signs no one in, and gives the starter no code', async () => {
    const attacker = new UserAgent();
    const start = authorizeUrl();
    const interaction = location(await attacker.fetch(start), start);
    expect(interaction.pathname).toMatch(/^\/interaction\//);
    const toIdp = await attacker.fetch(interaction);
    expect(toIdp.status).toBe(302);
    const idpLink = location(toIdp, interaction);
    expect(idpLink.origin).toBe(env.idp.issuer);

    // The victim, in their own browser, signs in at the real IdP page.
    const victim = await new UserAgent().browse(idpLink.href, {
      stopAt: CLIENT_REDIRECT,
      login: { user: 'bob', password: 'bob-pass' },
    });
    expect(victim.kind).toBe('page');
    if (victim.kind !== 'page') return;
    expect(victim.status).toBe(400);
    expect(victim.headers.get('x-bridge-error')).toBe('interaction_not_found');
    expect(victim.html).toContain('started in another browser');

    // The attacker's browser cannot finish it: without the one-time secret only the victim's redirect carried,
    // and resuming the request sends it back to the IdP, never to the client with a code.
    const uid = interaction.pathname.split('/')[2]!;
    const guessed = await attacker.fetch(new URL(`/interaction/${uid}/signed-in`, start));
    expect(guessed.status).toBe(400);
    expect(guessed.headers.get('x-bridge-error')).toBe('sign_in_not_bound');
    const resumed = await attacker.browse(new URL(`/authorize/${uid}`, start).href, {
      stopAt: CLIENT_REDIRECT,
    });
    expect(resumed.kind).toBe('page');
  });

  it("finish-secret-spent: the finish link refused in the victim's browser cannot be replayed by the starter", async () => {
    const attacker = new UserAgent();
    const start = authorizeUrl();
    const interaction = location(await attacker.fetch(start), start);
    const idpLink = location(await attacker.fetch(interaction), interaction);
    const victim = await new UserAgent().browse(idpLink.href, {
      stopAt: CLIENT_REDIRECT,
      login: { user: 'bob', password: 'bob-pass' },
    });
    if (victim.kind !== 'page') throw new Error('the victim was redirected to the client');
    expect(victim.url.pathname).toMatch(/\/signed-in$/);
    expect(victim.url.searchParams.get('finish')).toBeTruthy();
    // The link leaks (history, a log, a screenshot) to whoever started the sign-in: it was spent on first use.
    const replay = await attacker.fetch(victim.url);
    expect(replay.status).toBe(400);
    expect(replay.headers.get('x-bridge-error')).toBe('sign_in_not_bound');
    expect(replay.headers.get('location')).toBeNull();
  });

  it('the IdP callback cannot be replayed (one use of the upstream state)', async () => {
    const ua = new UserAgent();
    const start = authorizeUrl();
    const interaction = location(await ua.fetch(start), start);
    const idpLink = location(await ua.fetch(interaction), interaction);
    const state = idpLink.searchParams.get('state')!;
    const first = await fetch(`${env.core.urls().idpCallback}?state=${state}&code=x`, { redirect: 'manual' });
    expect(first.status).toBe(400); // a forged code fails at the IdP...
    const again = await fetch(`${env.core.urls().idpCallback}?state=${state}&code=x`, { redirect: 'manual' });
    expect(again.headers.get('x-bridge-error')).toBe('state_mismatch'); // ...and the state is gone
  });
});

describe('redirect URIs are matched exactly (RFC 6749 §3.1.2, RFC 8252 §7.3, RFC 9700 §4.1.3)', () => {
  const refusedAtAuthorize = async (redirect_uri: string, client_id = 'claude-desktop') => {
    const res = await fetch(authorizeUrl({ redirect_uri, client_id }), {
      redirect: 'manual',
      headers: { accept: 'text/html' },
    });
    expect(res.status, redirect_uri).toBe(400);
    expect(res.headers.get('location'), redirect_uri).toBeNull();
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  };

  it('refuses userinfo before a loopback host at /authorize (RFC 8252 §8.10 spoofing)', async () => {
    await refusedAtAuthorize(`http://evil.com@localhost:${env.core.port}/oauth/callback`);
    await refusedAtAuthorize('http://claude.ai@127.0.0.1:5555/oauth/callback');
  });

  it('refuses a fragment at /authorize (RFC 6749 §3.1.2)', async () => {
    await refusedAtAuthorize('http://127.0.0.1:5555/oauth/callback#frag');
  });

  it('refuses other spellings of a registered loopback host (LOCALHOST, 127.1, 127.0.0.1., [::1] for 127.0.0.1)', async () => {
    for (const uri of [
      'http://LOCALHOST:5555/oauth/callback',
      'http://127.1:5555/oauth/callback',
      'http://127.0.0.1.:5555/oauth/callback',
      'http://[::1]:5555/oauth/callback',
      'http://127.0.0.1:5555/oauth/callback/',
      'http://127.0.0.1:5555/oauth/callback?x=1',
    ])
      await refusedAtAuthorize(uri, 'vscode');
  });

  const register = (body: Record<string, unknown>) =>
    fetch(`${env.core.urls().origin}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('refuses userinfo, fragments and non-normal spellings at registration (RFC 7591 §2, §3.2.2)', async () => {
    for (const uri of [
      'http://claude.ai@127.0.0.1:5555/cb',
      'http://127.0.0.1:5555/cb#x',
      'http://LOCALHOST:5555/cb',
      'http://127.1:5555/cb',
      'http://127.0.0.1.:5555/cb',
    ]) {
      const res = await register({ redirect_uris: [uri], client_name: `spelling ${uri}` });
      expect(res.status, uri).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_redirect_uri');
    }
  });

  it('honours application_type: a native client may use any loopback port, a web client only its own (RFC 8252 §7.3)', async () => {
    const ids: Record<string, string> = {};
    for (const type of ['native', 'web']) {
      const res = await register({
        application_type: type,
        redirect_uris: ['http://127.0.0.1/cb'],
        client_name: `${type} app`,
      });
      expect(res.status).toBe(201);
      ids[type] = ((await res.json()) as { client_id: string }).client_id;
    }
    const other = 'http://127.0.0.1:4444/cb';
    const native = await fetch(authorizeUrl({ client_id: ids.native, redirect_uri: other }), {
      redirect: 'manual',
    });
    expect(native.status).toBe(303);
    expect(location(native, env.core.urls().origin).pathname).toMatch(/^\/interaction\//);
    await refusedAtAuthorize(other, ids.web);
  });

  it('refuses at /token a redirect_uri other than the one authorized (RFC 6749 §4.1.3)', async () => {
    const r = await redeem('http://127.0.0.1:5556/oauth/callback', {
      redirect_uri: 'http://127.0.0.1:5557/oauth/callback',
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_grant');
  });
});

describe('PKCE values are checked for format (RFC 7636 §4.1, §4.2)', () => {
  it('refuses a code_challenge that is not 43 unreserved characters, redirecting with iss (RFC 9207)', async () => {
    for (const challenge of ['x', 'a'.repeat(42), `${'a'.repeat(42)}!`]) {
      const res = await fetch(authorizeUrl({ code_challenge: challenge }), { redirect: 'manual' });
      expect(res.status).toBe(303);
      const back = location(res, env.core.urls().origin);
      expect(back.origin + back.pathname).toBe(CLIENT_REDIRECT);
      expect(back.searchParams.get('error')).toBe('invalid_request');
      expect(back.searchParams.get('iss')).toBe(env.core.urls().issuer);
      expect(back.searchParams.get('state')).toBe('s1');
    }
  });

  it('refuses a one-character code_verifier at /token', async () => {
    const r = await redeem(CLIENT_REDIRECT, { code_verifier: 'a' });
    expect(r.status).toBe(400);
    expect(r.body.access_token).toBeUndefined();
  });
});

describe('served on every loopback name (RFC 8252 §7.3)', () => {
  it('signs in and calls /mcp on http://[::1]:PORT', async () => {
    const origin = `http://[::1]:${env.core.port}`;
    const meta = (await (await fetch(`${origin}/.well-known/oauth-authorization-server`)).json()) as {
      issuer: string;
    };
    expect(meta.issuer).toBe(`${origin}/`);
    const { tokens } = await signIn(env, { origin });
    expect(jose.decodeJwt(tokens.access_token).aud).toBe(`${origin}/mcp`);
  });
});

describe('dynamic registration is for browser sign-in only (RFC 7591 §2)', () => {
  it('dcr-grant-types: a self-registered client cannot take the jwt-bearer (ID-JAG) or desktop sign-in grants', async () => {
    for (const grant of [
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      'client_credentials',
      'urn:mssql-mcp-bridge:params:oauth:grant-type:desktop-sign-in',
    ]) {
      const res = await fetch(`${env.core.urls().origin}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          client_name: `grants ${grant}`,
          redirect_uris: ['http://127.0.0.1:9/cb'],
          grant_types: ['authorization_code', 'refresh_token', grant],
        }),
      });
      expect(res.status, grant).toBe(400);
      const body = (await res.json()) as { error: string; error_description: string };
      expect(body.error).toBe('invalid_client_metadata');
    }
  });
});

describe('HTTP hygiene of every endpoint', () => {
  it('no-credentials-no-error-code: a request without credentials gets a challenge with no error code (RFC 6750 §3.1)', async () => {
    const res = await fetch(env.core.urls().mcp, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
    const www = res.headers.get('www-authenticate')!;
    expect(www).toMatch(/^Bearer /);
    expect(www).not.toContain('error=');
    expect(www).toContain('resource_metadata=');
    // A token that fails verification still says why.
    const bad = await fetch(env.core.urls().mcp, {
      method: 'POST',
      body: '{}',
      headers: { authorization: 'Bearer x' },
    });
    expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('duplicate-host: a request with two Host headers is refused with 400 (RFC 9112 §3.2)', async () => {
    const net = await import('node:net');
    const answer = await new Promise<string>((resolve) => {
      const socket = net.connect(env.core.port, '127.0.0.1', () =>
        socket.write(
          `GET /.well-known/oauth-protected-resource/mcp HTTP/1.1\r\nHost: 127.0.0.1:${env.core.port}\r\nHost: evil.example\r\nConnection: close\r\n\r\n`,
        ),
      );
      let data = '';
      socket.on('data', (c) => (data += c.toString()));
      socket.on('close', () => resolve(data));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
  });

  it('sends X-Content-Type-Options: nosniff on JSON, HTML, metadata, errors and /mcp', async () => {
    const o = env.core.urls().origin;
    for (const [url, init] of [
      [`${o}/.well-known/oauth-authorization-server`, {}],
      [`${o}/.well-known/oauth-protected-resource/mcp`, {}],
      [`${o}/jwks`, {}],
      [`${o}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'x' }) }],
      [authorizeUrl({ redirect_uri: 'https://evil.example/' }).href, { headers: { accept: 'text/html' } }],
      [`${o}/mcp`, { method: 'POST', body: '{}' }],
      [`${o}/nope`, {}],
      [`${o}/idp/callback?state=x`, {}],
    ] as const) {
      const res = await fetch(url, { redirect: 'manual', ...init });
      expect(res.headers.get('x-content-type-options'), url).toBe('nosniff');
    }
  });

  it('answers CORS only for allowed origins, never "*" (Fetch standard; RFC 6749 §10.13)', async () => {
    const o = env.core.urls().origin;
    for (const path of ['/.well-known/oauth-authorization-server', '/jwks']) {
      const bare = await fetch(`${o}${path}`);
      expect(bare.headers.get('access-control-allow-origin'), path).toBeNull();
      const allowed = await fetch(`${o}${path}`, { headers: { origin: ALLOWED_ORIGIN } });
      expect(allowed.headers.get('access-control-allow-origin'), path).toBe(ALLOWED_ORIGIN);
    }
    const token = await fetch(`${o}/token`, {
      method: 'POST',
      headers: { origin: ALLOWED_ORIGIN },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: 'mcp-inspector',
        refresh_token: 'x',
      }),
    });
    expect(token.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    const bareToken = await fetch(`${o}/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: 'mcp-inspector',
        refresh_token: 'x',
      }),
    });
    expect(bareToken.headers.get('access-control-allow-origin')).toBeNull();
    const foreign = await fetch(`${o}/token`, {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
  });
});

describe('state at rest', () => {
  const dbFiles = () =>
    ['state.db', 'state.db-wal', 'state.db-shm']
      .map((f) => path.join(env.dataDir, f))
      .filter((f) => fs.existsSync(f));

  it('keeps the data directory 0700 and every state file 0600', async () => {
    await signIn(env);
    expect(fs.statSync(env.dataDir).mode & 0o777).toBe(0o700);
    for (const f of dbFiles()) expect(fs.statSync(f).mode & 0o777, f).toBe(0o600);
  });

  it('stores no sign-in secret, code or refresh token in clear', async () => {
    const ua = new UserAgent();
    const start = authorizeUrl();
    const interaction = location(await ua.fetch(start), start);
    const idpLink = location(await ua.fetch(interaction), interaction);
    const { tokens, code } = await signIn(env);
    const secrets = {
      nonce: idpLink.searchParams.get('nonce')!,
      state: idpLink.searchParams.get('state')!,
      interaction: interaction.pathname.split('/')[2]!,
      code,
      refresh: tokens.refresh_token!,
    };
    const bytes = Buffer.concat(dbFiles().map((f) => fs.readFileSync(f)));
    for (const [what, value] of Object.entries(secrets))
      expect(bytes.includes(Buffer.from(value)), `${what} in clear`).toBe(false);
  });
});

describe('MCP authorization (2025-11-25 and 2026-07-28)', () => {
  it('advertises only the MCP scopes, public clients, S256 and iss, and no offline_access', async () => {
    const res = await fetch(`${env.core.urls().origin}/.well-known/oauth-authorization-server`);
    const text = await res.text();
    const meta = JSON.parse(text) as Record<string, unknown>;
    expect(meta.scopes_supported).toEqual(['mcp:tools', 'mssql:write']);
    expect(meta.token_endpoint_auth_methods_supported).toEqual(['none']);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.authorization_response_iss_parameter_supported).toBe(true);
    expect(text).not.toContain('offline_access');
  });

  it('puts iss in error responses too (RFC 9207 §2)', async () => {
    const res = await fetch(authorizeUrl({ code_challenge_method: 'plain' }), { redirect: 'manual' });
    expect(location(res, env.core.urls().origin).searchParams.get('iss')).toBe(env.core.urls().issuer);
  });
});

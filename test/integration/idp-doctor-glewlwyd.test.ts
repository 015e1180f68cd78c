/**
 * The IdP doctor at an IdP that does not answer RFC 6749's way (issue 29, point 10). Debian's glewlwyd 2.7.5
 * answers a token request with a made-up code `invalid_code` for the right client secret and 403
 * `unauthorized_client` for a wrong one; the doctor showed the same "could not be confirmed" for both. Here an
 * HTTP server answers exactly so (discovery, authorization and token endpoints), and the doctor tells the right
 * secret (ok) from a wrong one (fail, with the fix).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnoseIdp } from '../../app/main/idp/doctor.js';
import { idpProfileSchema } from '../../app/shared/config-schema.js';

const SECRET = 'the-right-secret';
let server: http.Server;
let issuer: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', date: new Date().toUTCString() });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/api/oidc/.well-known/openid-configuration')
      return json(200, {
        issuer: `${issuer}/api/oidc`,
        authorization_endpoint: `${issuer}/api/oidc/auth`,
        token_endpoint: `${issuer}/api/oidc/token`,
        jwks_uri: `${issuer}/api/oidc/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        claims_supported: ['email', 'name'],
        scopes_supported: ['openid', 'email'],
      });
    if (url.pathname === '/api/oidc/jwks') return json(200, { keys: [] });
    if (url.pathname === '/api/oidc/auth') {
      res.writeHead(302, { location: `${issuer}/login.html` }).end();
      return;
    }
    if (url.pathname === '/api/oidc/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        // glewlwyd's answers: the client checked first, then the code.
        if (form.get('client_id') !== 'bridge' || form.get('client_secret') !== SECRET)
          return json(403, { error: 'unauthorized_client' });
        json(400, { error: 'invalid_code' });
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const diagnose = (clientSecret: string) =>
  diagnoseIdp(
    {
      ...idpProfileSchema.parse({ id: 'glewlwyd', issuer: `${issuer}/api/oidc`, client_id: 'bridge' }),
      has_client_secret: true,
    },
    { redirectUri: 'http://127.0.0.1:8765/idp/callback', clientSecret, clockToleranceSeconds: 30 },
  );

describe('the IdP doctor at a glewlwyd-like IdP', () => {
  it('the right secret: ok, because the IdP answers it differently from a made-up one', async () => {
    const client = (await diagnose(SECRET)).find((c) => c.id === 'client')!;
    expect(client.status).toBe('ok');
    expect(client.detail).toContain(
      'HTTP 400 invalid_code for it, HTTP 403 unauthorized_client for the made-up one',
    );
  });

  it('a wrong secret: fail, named as most likely wrong, with the fix', async () => {
    const client = (await diagnose('not-the-secret')).find((c) => c.id === 'client')!;
    expect(client.status).toBe('fail');
    expect(client.detail).toContain(
      'The IdP answers the stored secret exactly as it answers a made-up one (HTTP 403 unauthorized_client), so the stored secret is most likely wrong for client id "bridge"',
    );
    expect(client.detail).toContain('Copy the client id (and secret');
  });
});

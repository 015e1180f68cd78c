import { afterEach, describe, expect, it } from 'vitest';
import { startTestIdp } from '@mssql-mcp-bridge/demo-idp';
import { startEnv, type Env } from '../support/harness.js';
import { ManualClock } from '../support/memory-secret-store.js';

/** Liveness and readiness as a reverse proxy or an orchestrator reads them. */
let env: Env | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const get = async (path: string) => {
  const res = await fetch(`${env!.core.urls().origin}${path}`);
  return {
    status: res.status,
    cache: res.headers.get('cache-control'),
    body: (await res.json()) as Record<string, unknown>,
  };
};

describe('/healthz and /readyz', () => {
  it('is alive and ready with its database, its schema and the IdP discovery loaded', async () => {
    env = await startEnv();
    expect(await get('/healthz')).toEqual({ status: 200, cache: 'no-store', body: { status: 'ok' } });
    expect(await get('/readyz')).toMatchObject({
      status: 200,
      cache: 'no-store',
      body: { ready: true, checks: { database: 'ok', migrations: 'ok', idp: 'ok' } },
    });
  });

  it('is not ready, saying why, when no IdP is configured or its discovery fails', async () => {
    env = await startEnv({ withIdp: false });
    const none = await get('/readyz');
    expect(none.status).toBe(503);
    expect((none.body.checks as { idp: string }).idp).toMatch(/no identity provider is configured/);

    await env.core.idpProfiles.save({ id: 'down', issuer: 'http://127.0.0.1:9/', client_id: 'x' });
    await env.core.idpProfiles.setActive('down');
    const down = await get('/readyz');
    expect(down.status).toBe(503);
    expect((down.body.checks as { idp: string }).idp).toMatch(
      /the identity provider cannot be reached at http:\/\/127\.0\.0\.1:9\/\.well-known\/openid-configuration \(bad port\)/,
    );
    expect(down.body.checks).toMatchObject({ database: 'ok', migrations: 'ok' });
    expect((await get('/healthz')).status).toBe(200); // alive all the same
  });

  it('checks the IdP for real: ready while it answers, not ready (naming why) once it stops, even after discovery loaded', async () => {
    const clock = new ManualClock();
    env = await startEnv({ withIdp: false, clock });
    const idp = await startTestIdp({
      clients: [{ client_id: 'x', client_secret: 's', redirect_uris: ['http://127.0.0.1/cb'] }],
    });
    try {
      await env.core.idpProfiles.save({ id: 'corp', issuer: idp.issuer, client_id: 'x' });
      await env.core.idpProfiles.setActive('corp');
      expect((await get('/readyz')).status).toBe(200);
      await idp.stop();
      // Within the 10 s the last answer is believed (a polling proxy does not hammer the IdP)...
      expect((await get('/readyz')).status).toBe(200);
      clock.advance(11_000);
      // ...then the IdP is asked again, and its silence is said.
      const down = await get('/readyz');
      expect(down.status).toBe(503);
      expect((down.body.checks as { idp: string }).idp).toMatch(/cannot be reached at .*\(ECONNREFUSED\)/);
    } finally {
      await idp.stop().catch(() => undefined);
    }
  });

  it('says it is stopping while it drains, so a proxy stops sending it work', async () => {
    env = await startEnv();
    await env.core.mcp.drain(0);
    expect(await get('/healthz')).toMatchObject({ status: 503, body: { status: 'stopping' } });
    expect((await get('/readyz')).body.ready).toBe(false);
  });
});

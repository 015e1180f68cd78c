import { afterEach, describe, expect, it } from 'vitest';
import { startEnv, type Env } from '../support/harness.js';

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

    await env.core.profiles.save({ id: 'down', issuer: 'http://127.0.0.1:9/', client_id: 'x' });
    await env.core.profiles.setActive('down');
    const down = await get('/readyz');
    expect(down.status).toBe(503);
    expect((down.body.checks as { idp: string }).idp).toMatch(
      /the discovery of http:\/\/127\.0\.0\.1:9\/ failed/,
    );
    expect(down.body.checks).toMatchObject({ database: 'ok', migrations: 'ok' });
    expect((await get('/healthz')).status).toBe(200); // alive all the same
  });

  it('says it is stopping while it drains, so a proxy stops sending it work', async () => {
    env = await startEnv();
    await env.core.mcp.drain(0);
    expect(await get('/healthz')).toMatchObject({ status: 503, body: { status: 'stopping' } });
    expect((await get('/readyz')).body.ready).toBe(false);
  });
});

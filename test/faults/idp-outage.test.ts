/**
 * The identity provider failing in the middle of a sign-in: the person sees a page with the status that fits,
 * the step that failed and what to do, never a raw "fetch failed".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnv, type Env } from '../support/harness.js';
import { authorizeUrl } from '../support/mcp-client.js';
import { UserAgent } from '../support/user-agent.js';

let env: Env;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(() => env?.close());

/** Signs in at the IdP and stops where it sends the browser back to the bridge. */
async function atCallback(): Promise<{ ua: UserAgent; callback: URL }> {
  const ua = new UserAgent();
  const back = await ua.browse(authorizeUrl(env.core.urls().origin).href, {
    stopAt: env.core.urls().idpCallback,
    login: { user: 'alice', password: 'alice-pass' },
  });
  if (back.kind !== 'redirected') throw new Error(`stopped at ${back.url}`);
  return { ua, callback: back.url };
}

describe('IdP outage', () => {
  it('the IdP token endpoint failing with HTTP 503: 502 page naming the step, the status and the fix', async () => {
    const { ua, callback } = await atCallback();
    env.idp.misbehave('token_unavailable');
    try {
      const res = await ua.fetch(callback);
      expect(res.status).toBe(502);
      expect(res.headers.get('x-bridge-error')).toBe('idp_server_error');
      const html = await res.text();
      expect(html).toContain('at its token endpoint (exchanging the sign-in code) failed with HTTP 503');
      expect(html).toContain('start the sign-in again');
    } finally {
      env.idp.misbehave(undefined);
    }
  });

  it('the IdP token endpoint hanging: 504 page after the 10 s upstream timeout, naming the step', async () => {
    const { ua, callback } = await atCallback();
    env.idp.misbehave('token_hang');
    try {
      const started = Date.now();
      const res = await ua.fetch(callback);
      expect(res.status).toBe(504);
      expect(res.headers.get('x-bridge-error')).toBe('idp_timeout');
      expect(await res.text()).toContain(
        'at its token endpoint (exchanging the sign-in code) did not answer in time',
      );
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      env.idp.misbehave(undefined);
    }
  }, 30_000);

  it('the IdP stopped between its login and the callback: 502 page naming the token endpoint and the fix', async () => {
    const ua = new UserAgent();
    // Discovery happens when the sign-in starts; the browser is stopped where the IdP sends it back.
    const back = await ua.browse(authorizeUrl(env.core.urls().origin).href, {
      stopAt: env.core.urls().idpCallback,
      login: { user: 'alice', password: 'alice-pass' },
    });
    if (back.kind !== 'redirected') throw new Error(`stopped at ${back.url}`);
    await env.idp.stop();
    const res = await ua.fetch(back.url);
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('x-bridge-error')).toBe('idp_unreachable');
    const html = await res.text();
    expect(html).toContain('at its token endpoint (exchanging the sign-in code) could not be reached');
    expect(html).toContain('ECONNREFUSED');
    expect(html).toContain('start the sign-in again');
    expect(html).not.toContain('fetch failed');
  });
});

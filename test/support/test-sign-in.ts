import type { TestSignInResult } from '../../app/shared/types.js';
import type { Env } from './harness.js';
import { UserAgent } from './user-agent.js';

/**
 * Runs the UI's Test sign-in for `user` through the control API and a browser-like agent: the IdP's login form,
 * then the bridge's callback. Returns the result event and the authorization code the IdP sent back.
 */
export async function runTestSignIn(
  env: Env,
  user: string,
  profileId = 'test',
  /** As this computer's user (tray, window): connectors may then share the sign-in. */
  desktop = false,
): Promise<{ result: TestSignInResult; code: string }> {
  const results: TestSignInResult[] = [];
  const stop = env.core.control.subscribe((e) => {
    if (e.type === 'idp.testResult') results.push(e.data);
  });
  try {
    const { testId, url } = await env.core.control.request('idp.testSignIn', { id: profileId, desktop });
    const ua = new UserAgent();
    const at = await ua.browse(url, {
      stopAt: env.core.urls().idpCallback,
      login: { user, password: `${user}-pass` },
    });
    if (at.kind !== 'redirected')
      throw new Error(`stopped at ${at.url}: ${at.status} ${at.html.slice(0, 300)}`);
    const page = await ua.browse(at.url.href, { stopAt: 'http://never.invalid/' });
    if (page.kind !== 'page') throw new Error('the callback redirected instead of answering');
    const result = results.find((r) => r.testId === testId);
    if (!result) throw new Error('no test result event after the callback answered');
    return { result, code: at.url.searchParams.get('code') ?? '' };
  } finally {
    stop();
  }
}

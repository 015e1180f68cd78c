import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import type { TestSignInResult } from '../../app/shared/types.js';
import { traceReport, traceReportHtml, traceText } from '../../app/shared/trace-report.js';
import { BRIDGE_IDP_CLIENT, startEnv, type Env } from '../support/harness.js';
import { runTestSignIn } from '../support/test-sign-in.js';
import { waitFor } from '../support/processes.js';

/**
 * The IdP lab's trace: a real test sign-in at the test IdP (oidc-provider) through the bridge's callback, recorded
 * step by step with the values each check compared, credentials redacted where recorded, and a report built from
 * it that holds no code, token or secret.
 */
let env: Env;
const results: TestSignInResult[] = [];
let stop: () => void;

beforeAll(async () => {
  env = await startEnv({
    config: { policy: { rules: [{ id: 'analysts', match: { groups: ['analysts'] }, tools: ['read'] }] } },
  });
  stop = env.core.control.subscribe((e) => {
    if (e.type === 'idp.testResult') results.push(e.data);
  });
}, 60_000);
afterAll(async () => {
  stop?.();
  await env?.close();
});

const testSignIn = (user: string) => runTestSignIn(env, user);

const step = (r: TestSignInResult, title: string) => {
  const s = r.trace?.find((x) => x.title === title);
  if (!s) throw new Error(`no step "${title}" in ${r.trace?.map((x) => x.title).join(', ')}`);
  return s;
};

describe('test sign-in trace', () => {
  it('records every step in order, with the values each check compared', async () => {
    const { result } = await testSignIn('alice');
    expect(result.ok).toBe(true);
    const titles = result.trace!.map((s) => s.title);
    expect(titles.slice(0, 4)).toEqual([
      'Discovery document',
      'Authorization request',
      'Callback',
      'Token request',
    ]);
    for (const t of [
      'State',
      'PKCE (S256)',
      'Issuer',
      'Audience',
      'Nonce',
      'Expiry',
      'Signature',
      'Identity mapping',
    ])
      expect(step(result, t).status, t).toBe('ok');
    expect(titles).toContain('Signing keys (JWKS)');
    expect(result.trace!.map((s) => s.atMs)).toEqual(
      [...result.trace!.map((s) => s.atMs)].sort((a, b) => a - b),
    );

    const discovery = step(result, 'Discovery document');
    expect(discovery.detail).toMatchObject({ status: 200, request: { method: 'GET' } });
    expect(String((discovery.detail.request as { url: string }).url)).toContain(
      '/.well-known/openid-configuration',
    );
    const authz = step(result, 'Authorization request').detail.parameters as Record<string, string>;
    expect(authz).toMatchObject({ code_challenge_method: 'S256', client_id: BRIDGE_IDP_CLIENT.client_id });
    expect(authz.scope).toContain('openid');
    expect(step(result, 'Nonce').detail.sent).toBe(authz.nonce);
    expect(step(result, 'Issuer').detail).toMatchObject({
      id_token_iss: env.idp.issuer,
      configured_issuer: env.idp.issuer,
    });
    const sig = step(result, 'Signature').detail;
    expect(sig).toMatchObject({ alg: 'RS256', jwks_uri: expect.stringContaining(env.idp.issuer) });
    expect(step(result, 'Token lifetimes').detail).toMatchObject({ bridge_access_token_seconds: 900 });
    expect(step(result, 'Refresh').detail.note).toMatch(/No refresh token was issued/);
    expect(step(result, 'Sign-out (end session)').detail).toMatchObject({
      end_session_endpoint: expect.stringContaining(env.idp.issuer),
    });
    expect(step(result, 'UserInfo (not used for mapping)').status).toBe('info');

    // The ID token is revealed only on request, and it is the one the trace describes.
    const { idToken } = await env.core.control.request('idp.revealIdToken', { testId: result.testId });
    expect(jose.decodeProtectedHeader(idToken).kid).toBe(sig.kid);
    expect(jose.decodeJwt(idToken).nonce).toBe(authz.nonce);
  });

  it('redacts codes, tokens, verifiers and the client secret where they are recorded, and so does the report', async () => {
    const { result, code } = await testSignIn('bob');
    const { idToken } = await env.core.control.request('idp.revealIdToken', { testId: result.testId });
    const tokenRequest = step(result, 'Token request').detail as {
      request: { body: Record<string, string>; headers?: Record<string, string> };
      response: Record<string, string>;
    };
    expect(tokenRequest.request.body.code).toMatch(/^\[redacted: \d+ characters, sha256 /);
    expect(tokenRequest.request.body.code_verifier).toMatch(/^\[redacted/);
    expect(tokenRequest.response.id_token).toMatch(/^\[redacted/);
    expect(tokenRequest.response.access_token).toMatch(/^\[redacted/);
    expect((step(result, 'Callback').detail.parameters as Record<string, string>).code).toBe(
      tokenRequest.request.body.code, // the same value: the same hash
    );

    const report = traceReport({
      result,
      profile: {
        id: 'test',
        issuer: env.idp.issuer,
        preset: 'generic',
        client_id: BRIDGE_IDP_CLIENT.client_id,
      },
      appVersion: 'test',
    });
    const html = traceReportHtml(report);
    for (const text of [JSON.stringify(report), html, traceText(result.trace!), JSON.stringify(result)]) {
      expect(text).not.toContain(code);
      expect(text).not.toContain(idToken);
      expect(text).not.toContain(idToken.split('.')[2]); // not even the signature
      expect(text).not.toContain(BRIDGE_IDP_CLIENT.client_secret);
      expect(text).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/); // no JWT of any kind
    }
    expect(html).toContain('<h1>Test sign-in report</h1>');
    expect(html).not.toContain('<script');
    expect(report.claims?.email).toBe('bob@example.com');
  });

  it('a failing check is the last step, named with its code and the values that disagree', async () => {
    env.idp.misbehave('bad_nonce');
    try {
      const { result } = await testSignIn('alice');
      expect(result).toMatchObject({ ok: false, code: 'id_token_nonce_mismatch' });
      const last = result.trace!.at(-1)!;
      expect(last).toMatchObject({ title: 'Code exchange and ID-token validation', status: 'fail' });
      expect(last.detail.message).toMatch(/nonce does not match/);
    } finally {
      env.idp.misbehave(undefined);
    }
  });

  it('an IdP error on the callback and a cancelled test end the trace with what happened', async () => {
    const { testId } = await env.core.control.request('idp.testSignIn', { id: 'test' });
    await env.core.control.request('idp.cancelTestSignIn', { testId });
    await waitFor(() => results.some((r) => r.testId === testId), 'the cancelled result');
    const cancelled = results.find((r) => r.testId === testId)!;
    expect(cancelled.trace!.map((s) => s.title)).toEqual([
      'Discovery document',
      'Authorization request',
      'Ended',
    ]);
    await expect(env.core.control.request('idp.revealIdToken', { testId })).rejects.toThrow(
      /run the test again/,
    );
  });
});

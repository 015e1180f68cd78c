/**
 * The tray's logic without Electron: the menu model for each state, and DesktopSession signing in through the
 * real test IdP (the "system browser" is the HTTP user agent filling the IdP's login form) and signing out,
 * which revokes that user's MCP sessions.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DesktopSession } from '../../app/main/tray/desktop-session.js';
import { trayMenu, trayTooltip } from '../../app/main/tray/tray-menu.js';
import { startEnv, type Env } from '../support/harness.js';
import { postInitialize, signIn } from '../support/mcp-client.js';
import { UserAgent } from '../support/user-agent.js';

let env: Env;
beforeAll(async () => {
  env = await startEnv();
}, 60_000);
afterAll(() => env?.close());

const labels = (s: Parameters<typeof trayMenu>[0]) =>
  trayMenu(s).map((i) => (i.type === 'separator' ? '---' : `${i.label}${i.enabled ? '' : ' (disabled)'}`));

describe('tray menu', () => {
  it('offers sign-in only with an active IdP, and sign-out once signed in', () => {
    expect(labels({ problems: 0, signingIn: false })).toEqual([
      'Starting… (disabled)',
      'No identity provider (disabled)',
      '---',
      'Sign in… (disabled)',
      'Open window',
      'Copy MCP URL (disabled)',
      '---',
      'Quit MSSQL MCP Bridge',
    ]);
    const ready = {
      problems: 1,
      signingIn: false,
      port: 8765,
      activeIdp: 'corp',
      mcpUrl: 'http://127.0.0.1:8765/mcp',
    };
    expect(labels(ready)).toContain('Sign in…');
    expect(labels(ready)).toContain('1 setting(s) need attention (disabled)');
    expect(labels({ ...ready, signingIn: true })).toContain('Signing in… (see your browser) (disabled)');
    const signedIn = { ...ready, signedInAs: { subject: 'alice', label: 'alice@example.com' } };
    expect(labels(signedIn)).toContain('Sign out alice@example.com');
    expect(trayTooltip(signedIn)).toBe('MSSQL MCP Bridge · :8765 · alice@example.com');
  });
});

describe('DesktopSession (tray sign-in)', () => {
  it('signs in through the IdP in the browser, then sign-out revokes that user’s sessions only', async () => {
    const opened: string[] = [];
    const browser = new UserAgent();
    const session = new DesktopSession(env.core.control, async (url) => {
      opened.push(url);
      // The system browser: the person signs in; the bridge's callback page ends the flow.
      const page = await browser.browse(url, {
        stopAt: 'about:never',
        login: { user: 'alice', password: 'alice-pass' },
      });
      expect(page.kind === 'page' && page.html).toContain('Test sign-in succeeded');
    });
    await session.refresh();
    expect(session.state).toMatchObject({ port: env.core.port, activeIdp: 'test' });

    expect(await session.signIn()).toBe(true);
    expect(new URL(opened[0]!).origin).toBe(new URL(env.idp.issuer).origin);
    expect(session.state.signedInAs).toEqual({ subject: 'alice', label: 'alice@example.com' });

    const alice = await signIn(env, { user: 'alice' });
    const bob = await signIn(env, { user: 'bob' });
    expect(await session.signOut()).toBe(1);
    expect((await postInitialize(env.core.urls().mcp, alice.tokens.access_token)).status).toBe(401);
    expect((await postInitialize(env.core.urls().mcp, bob.tokens.access_token)).status).toBe(200);
    expect(session.state.signedInAs).toBeUndefined();
    session.dispose();
  });

  it('reports a failed sign-in as a sentence and stays signed out', async () => {
    const session = new DesktopSession(env.core.control, async (url) => {
      await new UserAgent().browse(url, {
        stopAt: 'about:never',
        login: { user: 'nomail', password: 'nomail-pass' },
      });
    });
    expect(await session.signIn()).toBe(false);
    expect(session.state.signedInAs).toBeUndefined();
    expect(session.state.error).toContain('"email" claim');
    session.dispose();
  });
});

describe('test sign-in that never comes back', () => {
  it('ends with the timeout sentence, or "cancelled", and a late callback is refused', async () => {
    const { IdpTester } = await import('../../app/main/idp/test-sign-in.js');
    const tester = new IdpTester(
      env.core.idpProfiles,
      env.core.upstream,
      () => env.core.urls().idpCallback,
      1000,
    );
    const results: Array<{ code?: string; message?: string; ok: boolean }> = [];
    tester.onResult((r) => results.push(r));
    const active = (await env.core.control.request('status.get', {})).activeIdp!;

    // The sign-in's timer runs on a faked clock that also moves on its own (the IdP is reached for real); the
    // test moves it past the timeout instead of waiting.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
    let slow;
    try {
      slow = await tester.begin(active);
      await vi.advanceTimersByTimeAsync(1000);
    } finally {
      vi.useRealTimers();
    }
    expect(results).toEqual([
      expect.objectContaining({
        ok: false,
        code: 'timeout',
        message: expect.stringMatching(/No sign-in came back .* within 1 s\. If its tab shows an error/),
      }),
    ]);
    const late = await tester.complete(new URLSearchParams({ state: `test.${slow.testId}`, code: 'x' }));
    expect(late).toMatchObject({ ok: false, code: 'state_mismatch' });

    const cancelled = await tester.begin(active, { again: true });
    expect(new URL(cancelled.url).searchParams.get('prompt')).toBe('login');
    expect(tester.cancel(cancelled.testId)).toBe(true);
    expect(tester.cancel(cancelled.testId)).toBe(false);
    expect(results[1]).toMatchObject({ ok: false, code: 'cancelled', message: 'Test sign-in cancelled.' });
  });
});

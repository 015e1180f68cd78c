import net from 'node:net';
import path from 'node:path';
import { brokerSocketPath } from '../../app/main/broker/broker-socket.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import { ConnectorCredentials } from '../../app/main/connector/connector-credentials.js';
import { askBroker, brokeredTokens } from '../../app/main/connector/broker-client.js';
import { BROKER_GRANT } from '../../app/main/oauth/token-broker.js';
import { KeytarSecretStore } from '../../app/main/secrets/secret-store.js';
import { startEnv, type Env } from '../support/harness.js';
import { mcpClient, postInitialize } from '../support/mcp-client.js';
import { runTestSignIn } from '../support/test-sign-in.js';

/**
 * Sign-in shared with connectors: the person signs in once in the app (a desktop test sign-in, as the tray does),
 * allows the connector once, and the connector (its real credentials class, the real keychain) gets an
 * audience-bound token over the local channel with no browser; the tray's sign-out ends it.
 */
let env: Env;
beforeAll(async () => {
  env = await startEnv();
}, 60_000);
afterAll(async () => {
  await env?.close();
});

const exchange = (code: string, clientId = 'claude-desktop') =>
  fetch(`${env.core.urls().origin}/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: BROKER_GRANT,
      code,
      client_id: clientId,
      resource: env.core.urls().mcp,
    }),
  });

describe('connectors share the desktop sign-in', () => {
  it('says no one is signed in, and refuses a client that is not pre-registered', async () => {
    expect(await askBroker(env.dataDir, 'claude-desktop', 't')).toMatchObject({ status: 'signed_out' });
    expect(await askBroker(env.dataDir, 'made-up', 't')).toMatchObject({ status: 'denied' });
    expect(await askBroker(path.join(env.dataDir, 'elsewhere'), 'claude-desktop', 't')).toBeUndefined();
  });

  it('after the person allows it once in the app, the connector gets a token with no browser step', async () => {
    const { result } = await runTestSignIn(env, 'alice', 'test', true);
    expect(result.ok).toBe(true);
    expect((await env.core.control.request('broker.status', {})).signedInAs).toMatchObject({
      subject: 'alice',
    });

    const secrets = await KeytarSecretStore.open(env.service);
    const browser: string[] = [];
    const lines: string[] = [];
    const credentials = new ConnectorCredentials({
      secrets,
      mcpUrl: new URL(env.core.urls().mcp),
      clientId: 'claude-desktop',
      lockFile: path.join(env.dataDir, 'connector.lock'),
      signInTimeoutMs: 15_000,
      showSignIn: (url) => void browser.push(url.href),
      brokered: () =>
        brokeredTokens({
          dataDir: env.dataDir,
          mcpUrl: new URL(env.core.urls().mcp),
          clientId: 'claude-desktop',
          label: 'claude-desktop connector (test)',
          waitMs: 15_000,
          log: (l) => void lines.push(l),
        }),
    });
    const renewing = credentials.renew(undefined);
    // The connector waits, saying where to allow it; the app lists the request.
    await expect
      .poll(async () => (await env.core.control.request('broker.status', {})).pending.length)
      .toBe(1);
    const [request] = (await env.core.control.request('broker.status', {})).pending;
    expect(request).toMatchObject({ clientId: 'claude-desktop', label: 'claude-desktop connector (test)' });
    await env.core.control.request('broker.decide', { id: request!.id, allow: true });
    await renewing;
    expect(browser).toEqual([]);
    expect(lines.join('\n')).toContain('Allow "claude-desktop" to use your sign-in');

    const token = (await credentials.accessToken())!;
    const claims = jose.decodeJwt(token);
    expect(claims).toMatchObject({ aud: env.core.urls().mcp, client_id: 'claude-desktop', sub: 'alice' });
    const client = await mcpClient(env.core.urls().mcp, token);
    const me = (await client.callTool({ name: 'whoami', arguments: {} })).structuredContent as {
      subject: string;
    };
    expect(me.subject).toBe('alice');
    await client.close();
    const grants = await env.core.control.request('grants.list', {});
    expect(grants.find((g) => g.clientId === 'claude-desktop' && g.subject === 'alice')).toMatchObject({
      via: 'broker',
    });
    // In the keychain, under the bridge's origin, as the browser flow's tokens are.
    expect(await secrets.get(`connector:${new URL(env.core.urls().mcp).origin}:tokens`)).toContain(token);

    // The allowance stays: the next connector is answered at once.
    expect(await askBroker(env.dataDir, 'claude-desktop', 'again')).toMatchObject({ status: 'ok' });
  });

  it('a code works once, only for its client', async () => {
    const answer = await askBroker(env.dataDir, 'claude-desktop', 'x');
    if (answer?.status !== 'ok') throw new Error(JSON.stringify(answer));
    expect((await exchange(answer.code, 'vscode')).status).toBe(400);
    const again = await askBroker(env.dataDir, 'claude-desktop', 'x');
    if (again?.status !== 'ok') throw new Error(JSON.stringify(again));
    expect((await exchange(again.code)).status).toBe(200);
    const replay = await exchange(again.code);
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('a person who refuses the connector sends it to the browser; tray sign-out ends the shared sign-in', async () => {
    await env.core.control.request('broker.revoke', { clientId: 'claude-desktop' });
    const asking = brokeredTokens({
      dataDir: env.dataDir,
      mcpUrl: new URL(env.core.urls().mcp),
      clientId: 'claude-desktop',
      label: 'refused one',
      waitMs: 15_000,
      log: () => undefined,
    });
    await expect
      .poll(async () => (await env.core.control.request('broker.status', {})).pending.length)
      .toBe(1);
    const [request] = (await env.core.control.request('broker.status', {})).pending;
    await env.core.control.request('broker.decide', { id: request!.id, allow: false });
    expect(await asking).toBeUndefined();

    const answer = await askBroker(env.dataDir, 'claude-desktop', 'y');
    expect(answer?.status).toBe('pending'); // refused once; asks again, not allowed by itself

    await env.core.control.request('broker.signOut', {});
    expect(await askBroker(env.dataDir, 'claude-desktop', 'z')).toMatchObject({ status: 'signed_out' });
  });

  it('revoking the connector in the app revokes the sessions it got from the desktop sign-in', async () => {
    const { result } = await runTestSignIn(env, 'bob', 'test', true);
    expect(result.ok).toBe(true);
    const pending = askBroker(env.dataDir, 'claude-desktop', 'bob connector');
    expect((await pending)?.status).toBe('pending');
    const [request] = (await env.core.control.request('broker.status', {})).pending;
    await env.core.control.request('broker.decide', { id: request!.id, allow: true });
    const answer = await askBroker(env.dataDir, 'claude-desktop', 'bob connector');
    if (answer?.status !== 'ok') throw new Error(JSON.stringify(answer));
    const { access_token, scope } = (await (await exchange(answer.code)).json()) as {
      access_token: string;
      scope: string;
    };
    // The shared sign-in grants what bob's access gives (no policy rules here: everything, writes included);
    // with a rule that gives no writes it would be mcp:tools alone (PolicyStore.scopesFor, tested in the unit tier).
    expect(scope.split(' ').sort()).toEqual(['mcp:tools', 'mssql:write']);
    expect((await postInitialize(env.core.urls().mcp, access_token)).status).toBe(200);
    const { revoked } = await env.core.control.request('broker.revoke', { clientId: 'claude-desktop' });
    expect(revoked).toBeGreaterThanOrEqual(1);
    expect((await postInitialize(env.core.urls().mcp, access_token)).status).toBe(401);
    expect((await env.core.control.request('broker.status', {})).allowances).toEqual([]);
  });
});

/** Raw lines to the app's local channel, as any process of this OS user could send them. */
function sendRaw(dataDir: string, bytes: Buffer | string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(brokerSocketPath(dataDir));
    let data = '';
    socket.setTimeout(3000, () => socket.destroy());
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (c) => (data += c.toString('utf8')));
    socket.on('error', () => resolve(data));
    socket.on('close', () => resolve(data));
  });
}

describe('the local channel, attacked from outside (fuzzed)', () => {
  it('broker socket: no line of any shape ends the app or an answer; asks still work after 600 bad ones', async () => {
    const crashes: unknown[] = [];
    const onCrash = (e: unknown) => crashes.push(e);
    process.on('unhandledRejection', onCrash);
    process.on('uncaughtException', onCrash);
    try {
      const known = [
        'null',
        '[]',
        '42',
        '"token"',
        '{"op":"token","clientId":"claude-desktop","label":{"toString":1}}',
        '{"op":"token","clientId":{"toString":1}}',
        '{"op":"confirm"}',
        '{"op":"confirm","review":null,"timeoutMs":1000}',
        '{"op":"confirm","review":{"statement":1},"timeoutMs":"x"}',
        '{"__proto__":{"op":"token"},"clientId":"claude-desktop"}',
        '{"op":"token","clientId":"' + 'a'.repeat(5000) + '"}',
      ];
      let seed = 7;
      const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      const fuzzed = Array.from({ length: 600 }, (_, i) => {
        if (i < known.length) return `${known[i]}\n`;
        const base = known[Math.floor(rand() * known.length)]!;
        const cut = Math.floor(rand() * base.length);
        const junk = Buffer.from(
          Array.from({ length: 1 + Math.floor(rand() * 20) }, () => Math.floor(rand() * 256)),
        );
        return Buffer.concat([
          Buffer.from(base.slice(0, cut)),
          junk,
          Buffer.from(base.slice(cut)),
          Buffer.from('\n'),
        ]);
      });
      for (let i = 0; i < fuzzed.length; i += 20)
        await Promise.all(fuzzed.slice(i, i + 20).map((line) => sendRaw(env.dataDir, line)));
      // A line past the limit is cut off, not buffered forever.
      await sendRaw(env.dataDir, 'x'.repeat(600 * 1024));
      expect(crashes).toEqual([]);
      expect(JSON.parse(await sendRaw(env.dataDir, 'null\n'))).toMatchObject({ status: 'denied' });
      expect(await askBroker(env.dataDir, 'claude-desktop', 't')).toMatchObject({
        status: expect.any(String),
      });
    } finally {
      process.off('unhandledRejection', onCrash);
      process.off('uncaughtException', onCrash);
    }
  });

  it("a confirm ask appears in the app's list, and the connector going away withdraws it", async () => {
    const review = {
      statement: 'UPDATE t SET a = 1',
      server: 'h:1433',
      database: 'Sales',
      connection: 'sales',
      runsAs: 'database user bob',
      rowsAffected: 1,
      requestedBy: 'bob@example.com',
      client: 'claude-desktop',
      expiresAt: Date.now() + 60_000,
    };
    const socket = net.connect(brokerSocketPath(env.dataDir));
    await new Promise((r) => socket.once('connect', r));
    socket.write(`${JSON.stringify({ op: 'confirm', review, timeoutMs: 60_000 })}\n`);
    await expect.poll(() => env.core.desk.list().length).toBe(1);
    expect(env.core.desk.list()[0]).toMatchObject({ statement: review.statement, source: 'connector' });
    socket.destroy();
    await expect.poll(() => env.core.desk.list().length).toBe(0);
  });
});

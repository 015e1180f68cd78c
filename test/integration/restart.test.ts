import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { startEnv, type Env } from '../support/harness.js';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { startTestIdp } from '@mssql-mcp-bridge/demo-idp';
import { BRIDGE_IDP_CLIENT, freePort } from '../support/harness.js';
import { signIn } from '../support/mcp-client.js';
import { exited, removeSecrets, startServe, withServeProcess } from '../support/processes.js';
import { TestSdkOAuthProvider } from '../support/sdk-oauth-provider.js';

let env: Env;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(() => env?.close());

describe('restart', () => {
  it('keeps DCR clients, refresh tokens and access tokens across a restart on the same port', async () => {
    const provider = new TestSdkOAuthProvider({
      redirectUrl: 'http://127.0.0.1:61200/oauth/callback',
      user: 'alice',
    });
    const transport = new StreamableHTTPClientTransport(new URL(env.core.urls().mcp), {
      authProvider: provider,
    });
    await expect(new Client({ name: 't', version: '1' }).connect(transport)).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    await transport.finishAuth(provider.lastCode!);
    const before = provider.saved.tokens!;
    const clientId = provider.saved.client!.client_id;

    const port = env.core.port;
    await env.restart();
    expect(env.core.port).toBe(port);

    // The DCR registration survived.
    expect((await env.core.clients.find(clientId))?.info).toMatchObject({
      client_id: clientId,
      redirect_uris: ['http://127.0.0.1:61200/oauth/callback'],
    });
    // A token signed before the restart still verifies (the key came back from the keychain).
    const client = new Client({ name: 't', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(env.core.urls().mcp), {
        requestInit: { headers: { authorization: `Bearer ${before.access_token}` } },
      }),
    );
    expect((await client.callTool({ name: 'whoami', arguments: {} })).structuredContent).toMatchObject({
      subject: 'alice',
    });
    await client.close();
    // The refresh token still works, and rotates.
    const res = await fetch(`${env.core.urls().origin}/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: clientId,
        refresh_token: before.refresh_token!,
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { refresh_token: string; access_token: string };
    expect(body.refresh_token).not.toBe(before.refresh_token);
  });

  it('loses nothing committed when the process is killed with SIGKILL', async () => {
    await withServeProcess(async ({ child, dataDir, origin }) => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${origin}/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ redirect_uris: [`http://127.0.0.1:${7000 + i}/cb`] }),
        });
        expect(res.status).toBe(201);
        ids.push(((await res.json()) as { client_id: string }).client_id);
      }
      child.kill('SIGKILL');
      await exited(child);
      const db = new Database(path.join(dataDir, 'state.db'), { readonly: true });
      const stored = (db.prepare('SELECT client_id FROM clients').all() as Array<{ client_id: string }>).map(
        (r) => r.client_id,
      );
      db.close();
      expect(stored.sort()).toEqual(ids.sort());
    });
  });

  it('prints its URLs and stops cleanly on SIGTERM', async () => {
    await withServeProcess(async ({ child }) => {
      expect(child.output()).toContain('Pre-registered clients:       claude-desktop, vscode, mcp-inspector');
      expect(child.output()).toMatch(
        /Resource metadata \(RFC 9728\): http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp/,
      );
      child.kill('SIGTERM');
      expect(await exited(child), child.output()).toBe(0);
    });
  });

  it('a kill -9 in the middle of a refresh burst revokes no session: the retry of the old token still rotates', async () => {
    const port = await freePort();
    const idp = await startTestIdp({
      clients: [{ ...BRIDGE_IDP_CLIENT, redirect_uris: [`http://127.0.0.1:${port}/idp/callback`] }],
    });
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-kill-'));
    const service = `mssql-mcp-bridge-test-${crypto.randomUUID()}`;
    const configFile = path.join(dataDir, 'config.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        secrets: { service },
        oauth: { refresh_grace_seconds: 60 },
        idp: {
          active: 'test',
          profiles: [{ id: 'test', preset: 'generic', issuer: idp.issuer, ...BRIDGE_IDP_CLIENT }],
        },
      }),
    );
    let child: Awaited<ReturnType<typeof startServe>>['child'] | undefined;
    try {
      let started = await startServe(dataDir, configFile, port);
      child = started.child;
      const { origin } = started;
      // signIn needs no Env when the origin is given: this bridge runs in the child process.
      const noEnv = {} as Env;
      const sessions = [];
      for (let i = 0; i < 12; i++) sessions.push((await signIn(noEnv, { origin })).tokens.refresh_token!);
      const refresh = (token: string) =>
        fetch(`${origin}/token`, {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            client_id: 'claude-desktop',
            refresh_token: token,
          }),
        }).then(
          async (r) => ({ status: r.status, body: (await r.json()) as Record<string, string> }),
          () => undefined, // the answer never came
        );
      // Every session refreshes at once; the bridge dies while those requests are in flight.
      const burst = sessions.map((t) => refresh(t));
      await Promise.race(burst);
      child.kill('SIGKILL');
      await exited(child);
      const answered = await Promise.all(burst);

      started = await startServe(dataDir, configFile, port);
      child = started.child;
      // Each client retries with the token it holds: the old one if the answer was lost, the new one if not.
      const retries = await Promise.all(
        sessions.map((t, i) => refresh(answered[i]?.status === 200 ? answered[i]!.body.refresh_token! : t)),
      );
      expect(retries.map((r) => r?.status)).toEqual(sessions.map(() => 200));
      expect(
        answered.some((a) => a === undefined),
        'the kill came before some answers',
      ).toBe(true);
    } finally {
      child?.kill('SIGKILL');
      if (child) await exited(child);
      await idp.stop();
      await removeSecrets(service);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

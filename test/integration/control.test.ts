import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlError, type ControlApi, type ControlEvent } from '../../app/shared/control/contract.js';
import { controlHttpClient } from '../../app/shared/control/http-client.js';
import {
  controlIpcClient,
  serveControlOverIpc,
  type IpcMainLike,
} from '../../app/shared/control/ipc-transport.js';
import { startEnv, type Env } from '../support/harness.js';
import { mcpClient, postInitialize, signIn } from '../support/mcp-client.js';

let env: Env;
let viaHttp: ControlApi;
let viaIpc: Pick<ControlApi, 'request'>;
const pushed: ControlEvent[] = [];

beforeAll(async () => {
  env = await startEnv({ sql: {} });
  viaHttp = controlHttpClient(env.core.urls().origin, env.core.controlToken);
  // Electron's ipcMain/webContents are the one edge that cannot run here: a minimal stand-in with the same calls.
  const handlers = new Map<
    string,
    (e: unknown, m: { method: string; params: unknown }) => Promise<unknown>
  >();
  const ipcMain: IpcMainLike = { handle: (channel, fn) => void handlers.set(channel, fn) };
  serveControlOverIpc(env.core.control, ipcMain, { send: (_c, event) => void pushed.push(event) });
  viaIpc = controlIpcClient({
    invoke: (channel, message) =>
      handlers.get(channel)!({}, structuredClone(message)).then((r) => structuredClone(r)),
    on: () => undefined,
    removeListener: () => undefined,
  });
}, 60_000);
afterAll(() => env?.close());

async function rpc(headers: Record<string, string>, body: unknown = { method: 'status.get', params: {} }) {
  const res = await fetch(`${env.core.urls().origin}/control/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('control HTTP transport guards', () => {
  it('refuses requests without this run’s token, and with a wrong one', async () => {
    expect((await rpc({})).status).toBe(401);
    expect((await rpc({ authorization: 'Bearer not-the-token' })).status).toBe(401);
    expect((await rpc({ authorization: `Bearer ${env.core.controlToken}` })).status).toBe(200);
  });

  it('accepts the token only in the Authorization header, never in a URL', async () => {
    const base = env.core.urls().origin;
    const viaQuery = await fetch(`${base}/control/events?token=${encodeURIComponent(env.core.controlToken)}`);
    expect(viaQuery.status).toBe(401);
    const viaHeader = await fetch(`${base}/control/events`, {
      headers: { authorization: `Bearer ${env.core.controlToken}` },
    });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.headers.get('content-type')).toContain('text/event-stream');
    await viaHeader.body!.cancel();
  });

  it('refuses foreign Origins, including browser origins that may use /mcp', async () => {
    for (const origin of ['https://evil.example', 'http://localhost:6274']) {
      const r = await rpc({ authorization: `Bearer ${env.core.controlToken}`, origin });
      expect(r.status, origin).toBe(403);
    }
    expect(
      (await rpc({ authorization: `Bearer ${env.core.controlToken}`, origin: env.core.urls().origin }))
        .status,
    ).toBe(200);
  });

  it('refuses a non-loopback Host', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: env.core.port,
          path: '/control/rpc',
          method: 'POST',
          headers: {
            host: 'attacker.example',
            authorization: `Bearer ${env.core.controlToken}`,
            'content-type': 'application/json',
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ method: 'status.get', params: {} }));
    });
    expect(status).toBe(403);
  });
});

describe('one contract, two transports', () => {
  it('answers the same over IPC and HTTP, errors included', async () => {
    const { tokens } = await signIn(env, { user: 'alice' });
    const client = await mcpClient(env.core.urls().mcp, tokens.access_token);
    await client.callTool({ name: 'run_query', arguments: { sql: 'SELECT COUNT(*) AS n FROM Regions' } });
    for (const [method, params] of [
      ['idp.list', {}],
      ['connections.list', {}],
      ['clients.list', {}],
      ['grants.list', {}],
      ['audit.query', { limit: 5 }],
    ] as const) {
      expect(await viaIpc.request(method, params as never), method).toEqual(
        await viaHttp.request(method, params as never),
      );
    }
    const status = await viaHttp.request('status.get', {});
    expect(status).toMatchObject({
      running: true,
      mcpUrl: env.core.urls().mcp,
      activeIdp: 'test',
      keychain: 'available',
    });
    expect(await viaIpc.request('status.get', {})).toEqual(await viaHttp.request('status.get', {}));
    for (const api of [viaHttp, viaIpc]) {
      await expect(api.request('grants.revoke', { id: 'no-such-grant' })).rejects.toMatchObject({
        code: 'not_found',
      });
      await expect(api.request('connections.test', {} as never)).rejects.toBeInstanceOf(ControlError);
      await expect(api.request('connections.test', {} as never)).rejects.toMatchObject({
        code: 'bad_request',
      });
    }
    await client.close();
  });

  it('never sends a secret: profiles say whether one is stored, grants carry no token', async () => {
    const idps = await viaHttp.request('idp.list', {});
    expect(idps[0]).toMatchObject({ id: 'test', has_client_secret: true });
    const conns = await viaHttp.request('connections.list', {});
    expect(conns[0]).toMatchObject({
      id: 'sales',
      has_secret: true,
      auth: { type: 'sql', user: 'bridge_svc' },
    });
    const raw = JSON.stringify([idps, conns, await viaHttp.request('grants.list', {})]);
    expect(raw).not.toContain('bridge-upstream-secret');
    expect(raw).not.toContain('Bridge-Svc-Passw0rd');
    expect(raw).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/); // no JWT
  });

  it('tests a connection, and revokes a grant so its token is refused at once, with live events', async () => {
    expect(await viaHttp.request('connections.test', { id: 'sales' })).toMatchObject({
      ok: true,
      login: 'bridge_svc',
    });
    const events: ControlEvent[] = [];
    const states: boolean[] = [];
    const off = viaHttp.subscribe(
      (e) => events.push(e),
      (connected) => states.push(connected),
    );
    for (const until = Date.now() + 5_000; !states.includes(true) && Date.now() < until;)
      await new Promise((r) => setTimeout(r, 20));

    const { tokens } = await signIn(env, { user: 'bob' });
    const client = await mcpClient(env.core.urls().mcp, tokens.access_token);
    await client.callTool({ name: 'whoami', arguments: {} });
    await client.callTool({ name: 'run_query', arguments: { sql: 'SELECT 1 AS one' } });
    const grant = (await viaHttp.request('grants.list', {})).find((g) => g.subject === 'bob')!;
    expect(grant).toMatchObject({
      clientId: 'claude-desktop',
      dbUser: 'bob',
      audience: env.core.urls().mcp,
      scopes: ['mcp:tools'],
    });
    expect(await viaIpc.request('grants.revoke', { id: grant.id })).toEqual({ revoked: true });
    expect((await postInitialize(env.core.urls().mcp, tokens.access_token)).status).toBe(401);

    for (
      const until = Date.now() + 5_000;
      !events.some((e) => e.type === 'grant.revoked') && Date.now() < until;
    )
      await new Promise((r) => setTimeout(r, 50));
    expect(events.some((e) => e.type === 'audit.entry' && e.data.tool === 'run_query')).toBe(true);
    expect(events.some((e) => e.type === 'token.issued' && e.data.grantId === grant.id)).toBe(true);
    expect(events).toContainEqual({
      type: 'grant.revoked',
      data: { grantId: grant.id, reason: 'revoked_in_app' },
    });
    expect(pushed.some((e) => e.type === 'grant.revoked' && e.data.grantId === grant.id)).toBe(true);
    off();
    await client.close().catch(() => undefined);
  });
});

describe('the default connection', () => {
  it('stays the first one when another is added, and passes to the one left when it is removed', async () => {
    const sales = (await viaHttp.request('connections.list', {})).find((c) => c.id === 'sales')!;
    expect((await viaHttp.request('status.get', {})).defaultConnection).toBe('sales');
    await viaHttp.request('connections.save', {
      ...sales,
      id: 'sales-copy',
      auth: { type: 'sql', user: 'x', password: 'y' },
    });
    const status = await viaHttp.request('status.get', {});
    expect(status.defaultConnection).toBe('sales');
    expect(status.problems.map((p) => p.message).join(' ')).not.toMatch(/none is the default/);

    await viaHttp.request('connections.setDefault', { id: 'sales-copy' });
    await viaHttp.request('connections.remove', { id: 'sales-copy' });
    expect((await viaHttp.request('status.get', {})).defaultConnection).toBe('sales');
  });
});

describe('the Status page says what /readyz says', () => {
  it('ready with a working IdP; an active IdP that cannot be reached is a problem on both, and back', async () => {
    const readyz = async () => {
      const res = await fetch(`${env.core.urls().origin}/readyz`);
      return {
        status: res.status,
        body: (await res.json()) as { ready: boolean; checks: Record<string, string> },
      };
    };
    const ok = await viaHttp.request('status.get', {});
    expect(ok.readiness).toEqual((await readyz()).body);
    expect(ok.readiness.ready).toBe(true);
    expect(ok.problems).toEqual([]);
    // The connection the README says Status shows.
    expect(ok.defaultConnection).toBe('sales');

    await viaHttp.request('idp.save', {
      id: 'gone',
      issuer: 'https://idp.invalid',
      client_id: 'x',
    } as never);
    await viaHttp.request('idp.setActive', { id: 'gone' });
    try {
      const broken = await viaHttp.request('status.get', {});
      const r = await readyz();
      expect(r.status).toBe(503);
      expect(broken.readiness).toEqual(r.body);
      expect(broken.activeIdp).toBe('gone');
      expect(broken.problems).toContainEqual({
        page: 'idp',
        message: expect.stringMatching(
          /^The active identity provider does not answer, so nobody can sign in: the identity provider cannot be reached at https:\/\/idp\.invalid\/\.well-known\/openid-configuration \(ENOTFOUND\)/,
        ) as unknown as string,
      });
    } finally {
      await viaHttp.request('idp.setActive', { id: 'test' });
      await viaHttp.request('idp.remove', { id: 'gone' });
    }
    expect((await viaHttp.request('status.get', {})).problems).toEqual([]);
  });
});

describe('the audit log, as a DBA searches it', () => {
  it('filters over the whole log, pages, keeps refused requests, names clients, and exports the filtered range', async () => {
    const alice = await mcpClient(
      env.core.urls().mcp,
      (await signIn(env, { user: 'alice' })).tokens.access_token,
    );
    const bob = await mcpClient(
      env.core.urls().mcp,
      (await signIn(env, { user: 'bob' })).tokens.access_token,
    );
    const query = (client: typeof alice, sql: string) =>
      client.callTool({ name: 'run_query', arguments: { sql } });
    for (let i = 0; i < 120; i++) await query(alice, `SELECT ${i} AS n`);
    await query(bob, "SELECT 'a%b_c' AS literal");
    const anonymous = await fetch(env.core.urls().mcp, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(anonymous.status).toBe(401);

    // Bob's one query is found however many of alice's came after it (the old view kept the last 50 rows).
    const facets = await viaHttp.request('audit.facets', {});
    expect(facets.people).toEqual(expect.arrayContaining(['alice@example.com', 'bob@example.com']));
    expect(facets.tools).toEqual(expect.arrayContaining(['run_query', 'initialize', 'POST /mcp']));
    expect(facets.connections).toContain('sales');
    expect(facets.clients).toContainEqual({ id: 'claude-desktop', name: 'Claude Desktop' });
    const bobs = await viaHttp.request('audit.query', {
      filter: { person: 'BOB@example.com', tool: 'run_query' },
    });
    expect(bobs.total).toBe(bobs.entries.length);
    expect(bobs.entries.every((e) => e.email === 'bob@example.com' && e.tool === 'run_query')).toBe(true);
    expect(bobs.entries[0]).toMatchObject({ statement: "SELECT 'a%b_c' AS literal", profile: 'sales' });

    // Pages of alice's queries: disjoint, in order, the count of all of them.
    const filter = { person: 'alice@example.com', tool: 'run_query', text: 'select' };
    const first = await viaHttp.request('audit.query', { limit: 50, filter });
    const second = await viaHttp.request('audit.query', {
      limit: 50,
      filter,
      beforeId: first.entries.at(-1)!.id,
    });
    expect(first.total).toBeGreaterThanOrEqual(120);
    expect(second.entries).toHaveLength(50);
    expect(second.entries[0]!.id).toBeLessThan(first.entries.at(-1)!.id);

    // Text is matched as typed: % and _ are characters, not wildcards.
    expect((await viaHttp.request('audit.query', { filter: { text: 'a%b_c' } })).total).toBe(1);
    expect((await viaHttp.request('audit.query', { filter: { text: 'a_b' } })).total).toBe(0);

    // A request refused before any tool ran is in the log (it was only in the live view, gone on reload).
    const refused = await viaHttp.request('audit.query', {
      filter: { tool: 'POST /mcp', outcome: 'refused' },
    });
    expect(refused.entries[0]).toMatchObject({ errorCode: 'HTTP 401', errorMessage: 'no bearer token' });

    // A date range: nothing after now.
    expect((await viaHttp.request('audit.query', { filter: { from: Date.now() + 3_600_000 } })).total).toBe(
      0,
    );

    // The export holds exactly the filtered range.
    const csv = await viaHttp.request('audit.export', { filter, format: 'csv' });
    expect(csv.count).toBe(first.total);
    const lines = csv.content.trim().split('\n');
    expect(lines).toHaveLength(first.total + 1);
    expect(lines[0]).toBe(
      'id,time_utc,person,subject,db_user,client_id,client_name,tool,connection,database,statement,statement_sha256,rows,duration_ms,outcome,error_number,error_code,error,policy_rule,confirmed_by,confirmed_via',
    );
    expect(lines[1]).toContain(',Claude Desktop,run_query,sales,');
    const json = await viaHttp.request('audit.export', {
      filter: { person: 'bob@example.com' },
      format: 'json',
    });
    expect(JSON.parse(json.content)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ person: 'bob@example.com', statement: "SELECT 'a%b_c' AS literal" }),
      ]),
    );
    await alice.close();
    await bob.close();
  }, 60_000);
});

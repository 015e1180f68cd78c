/**
 * Writes through clients as they really are: stock MCP SDK clients that take their scope from the 401 challenge,
 * declare no elicitation (Claude.ai, Claude Desktop's chat) and refresh instead of re-authorizing on a 403; and
 * 2025-era clients that drop Mcp-Session-Id or abandon sessions.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { EXAMPLE_POLICY } from '../../app/shared/example-policy.js';
import { startEnv, type Env } from '../support/harness.js';
import { ManualClock } from '../support/memory-secret-store.js';
import { signIn } from '../support/mcp-client.js';
import { connectWithOAuth, TestSdkOAuthProvider } from '../support/sdk-oauth-provider.js';
import { answerWrite } from '../support/write-approval.js';

let env: Env;
const clock = new ManualClock();
const clients: Client[] = [];
let port = 52_100;

beforeAll(async () => {
  env = await startEnv({
    sql: { allow_writes: true },
    clock,
    config: { policy: EXAMPLE_POLICY, oauth: { dcr: { max_per_hour: 500 } } },
  });
}, 60_000);
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => undefined);
});
afterAll(() => env?.close());

interface ToolOut {
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}
const text = (r: ToolOut) => r.content.map((c) => c.text ?? '').join(' ');

/** A stock SDK client (DCR, scope from the challenge, no elicitation) signed in as `user`. */
async function stockClient(user: string) {
  const provider = new TestSdkOAuthProvider({
    redirectUrl: `http://127.0.0.1:${port++}/oauth/callback`,
    user,
  });
  const client = await connectWithOAuth(env.core.urls().mcp, provider);
  clients.push(client);
  const call = async (name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args })) as ToolOut;
  return { provider, client, call };
}

const tools = async (c: Client) => (await c.listTools()).tools.map((t) => t.name);
const productName = async (call: (n: string, a: Record<string, unknown>) => Promise<ToolOut>, id: number) =>
  (
    (await call('run_query', { sql: `SELECT Name FROM Products WHERE ProductID = ${id}` })).structuredContent!
      .rows as string[][]
  )[0]![0];

describe('scopes right the first time', () => {
  it('bob (a rule with writes), signing in once with a stock SDK client, holds mssql:write and sees execute_statement', async () => {
    const { provider, client } = await stockClient('bob');
    expect(provider.saved.tokens?.scope?.split(' ').sort()).toEqual(['mcp:tools', 'mssql:write']);
    expect(await tools(client)).toContain('execute_statement');
  });

  it("alice's token never carries mssql:write, even when asked for; the tool is unlisted and a call says why", async () => {
    const { provider, client } = await stockClient('alice');
    expect(provider.saved.tokens?.scope).toBe('mcp:tools');
    expect(await tools(client)).not.toContain('execute_statement');
    const asked = await signIn(env, { user: 'alice', scope: 'mcp:tools mssql:write' });
    expect(asked.tokens.scope).toBe('mcp:tools');
    const res = await fetch(env.core.urls().mcp, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${asked.tokens.access_token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-06-18',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'execute_statement', arguments: { sql: 'DELETE FROM Products' } },
      }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error_description: string }).error_description).toContain(
      'your access policy does not give you writes',
    );
  });

  it('the 401 challenge asks for every scope; the metadata lists them', async () => {
    const res = await fetch(env.core.urls().mcp, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('scope="mcp:tools mssql:write"');
    const prm = (await (await fetch(env.core.urls().protectedResourceMetadata)).json()) as {
      scopes_supported: string[];
    };
    expect(prm.scopes_supported).toEqual(expect.arrayContaining(['mcp:tools', 'mssql:write']));
  });

  it('a DCR client that registered with mcp:tools alone is not refused mssql:write later (the policy decides)', async () => {
    const redirect = `http://127.0.0.1:${port++}/cb`;
    const reg = await fetch(new URL('/register', env.core.urls().origin), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'narrow', redirect_uris: [redirect], scope: 'mcp:tools' }),
    });
    expect(reg.status).toBe(201);
    const { client_id } = (await reg.json()) as { client_id: string };
    const { tokens } = await signIn(env, {
      clientId: client_id,
      redirectUri: redirect,
      scope: 'mcp:tools mssql:write',
      user: 'bob',
      consent: 'allow',
    });
    expect(tokens.scope?.split(' ').sort()).toEqual(['mcp:tools', 'mssql:write']);
  });

  it('after a policy change, a stock client reaches writes: its 403 refresh gets the scope and the session lists the tool', async () => {
    const { provider, client, call } = await stockClient('alice');
    expect(await tools(client)).not.toContain('execute_statement');
    const before = env.core.policy.get();
    try {
      await env.core.policy.save({
        rules: before.rules.map((r) =>
          r.id === 'analysts' ? { ...r, tools: ['read', 'explain', 'write'] } : r,
        ),
      });
      const out = await call('execute_statement', {
        sql: "UPDATE Products SET Name = 'Widget' WHERE ProductID = 2",
      });
      // Reached the tool (no 403 dead end): the SDK refreshed, the new token carries the scope, and the preview
      // ran in SQL Server as alice, whose database user has no UPDATE grant there (the server's answer).
      expect(provider.saved.tokens?.scope?.split(' ')).toContain('mssql:write');
      expect(text(out)).toContain("The UPDATE permission was denied on the object 'Products'");
      expect(await tools(client)).toContain('execute_statement');
    } finally {
      await env.core.policy.save(before);
    }
  });
});

describe('a client without elicitation (as Claude.ai): the approval link', () => {
  it('previews, waits for the same person to approve in their browser, then the next call commits once', async () => {
    const { call } = await stockClient('bob');
    const before = await productName(call, 3);
    const sql = "UPDATE Products SET Name = 'Approved name' WHERE ProductID = 3";
    const first = await call('execute_statement', { sql });
    expect(first.isError).toBeFalsy();
    expect(first.structuredContent).toMatchObject({ committed: false, rowsAffected: 1 });
    const { pendingWriteId: id, approvalUrl } = first.structuredContent as {
      pendingWriteId: string;
      approvalUrl: string;
    };
    expect(approvalUrl).toBe(`${env.core.urls().origin}/writes/${id}`);
    expect(text(first)).toContain(approvalUrl);
    expect(await productName(call, 3)).toBe(before);
    // It waits in the app too.
    expect((await env.core.pendingWrites.open()).map((w) => w.id)).toContain(id);

    // Calling again before the approval commits nothing.
    const early = await call('execute_statement', { sql, pending_write_id: id });
    expect(early.structuredContent).toMatchObject({ committed: false });
    expect(text(early)).toContain('has not approved');

    const approved = await answerWrite(approvalUrl, 'bob', 'approve');
    expect(approved.status).toBe(200);
    expect(approved.html).toContain('You approved this change');

    const committed = await call('execute_statement', { sql, pending_write_id: id });
    expect(committed.structuredContent).toMatchObject({ committed: true, rowsAffected: 1 });
    expect(await productName(call, 3)).toBe('Approved name');
    const again = await call('execute_statement', { sql, pending_write_id: id });
    expect(text(again)).toContain('already committed');

    const audit = (await env.core.audit.query({ limit: 10 })).filter((e) => e.tool === 'execute_statement');
    expect(audit[0]).toMatchObject({ outcome: 'refused' });
    expect(audit.find((e) => e.outcome === 'ok')).toMatchObject({
      confirmedBy: 'bob@example.com',
      confirmedVia: 'approval page',
    });
    expect(audit.some((e) => e.outcome === 'pending')).toBe(true);
  });

  it('the link refuses the bearer token alone, another user, a forged POST and a second answer', async () => {
    const { provider, call } = await stockClient('bob');
    const first = await call('execute_statement', {
      sql: "UPDATE Products SET Name = 'X' WHERE ProductID = 4",
    });
    const { approvalUrl } = first.structuredContent as { approvalUrl: string };
    const bearer = { authorization: `Bearer ${provider.saved.tokens!.access_token}` };

    const withToken = await fetch(approvalUrl, { headers: bearer });
    const page = await withToken.text();
    expect(page).toContain('Sign in to review');
    expect(page).not.toContain('name="csrf"');
    const forged = await fetch(approvalUrl, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve&csrf=x',
    });
    expect(forged.status).toBe(403);

    const alice = await answerWrite(approvalUrl, 'alice', 'approve');
    expect(alice.status).toBe(403);
    expect(alice.html).toContain('Only the person who asked can approve it');

    const bob = await answerWrite(approvalUrl, 'bob', 'decline');
    expect(bob.html).toContain('You declined this change');
    // A page from another site: the Origin guard refuses it before the form is read.
    const crossSite = await fetch(approvalUrl, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve',
    });
    expect(crossSite.status).toBe(403);
    const twice = await answerWrite(approvalUrl, 'bob', undefined, bob.ua);
    expect(twice.html).toContain('You declined this change');
    const after = await call('execute_statement', {
      sql: "UPDATE Products SET Name = 'X' WHERE ProductID = 4",
      pending_write_id: (first.structuredContent as { pendingWriteId: string }).pendingWriteId,
    });
    expect(text(after)).toContain('declined');
    expect(await productName(call, 4)).not.toBe('X');
  });

  it('an expired write cannot be approved or committed; a changed statement is not the approved one', async () => {
    const { call } = await stockClient('bob');
    const sql = "UPDATE Products SET Name = 'Late' WHERE ProductID = 5";
    const first = await call('execute_statement', { sql });
    const { approvalUrl, pendingWriteId } = first.structuredContent as {
      approvalUrl: string;
      pendingWriteId: string;
    };
    const other = await call('execute_statement', {
      sql: "UPDATE Products SET Name = 'Other' WHERE ProductID = 5",
      pending_write_id: pendingWriteId,
    });
    expect(other.isError).toBe(true);
    clock.advance(env.core.config.sql.confirm_timeout_seconds * 1000 + 1000);
    // The expiry is audited (the Inspector shows it), once, whichever runs it first.
    expect(await env.core.pendingWrites.expireDue(env.core.audit)).toBeGreaterThanOrEqual(1);
    expect(await env.core.pendingWrites.expireDue(env.core.audit)).toBe(0);
    expect(
      (await env.core.audit.query({ limit: 20 })).find((e) => e.outcome === 'expired' && e.statement === sql),
    ).toMatchObject({
      subject: 'bob',
      errorMessage: 'Nobody approved this change in time; nothing changed.',
    });
    const late = await answerWrite(approvalUrl, 'bob', 'approve');
    expect(late.html).toContain('This change expired');
    const commit = await call('execute_statement', { sql, pending_write_id: pendingWriteId });
    expect(text(commit)).toContain('expired');
    expect(await productName(call, 5)).not.toBe('Late');
  });
});

describe('a client with URL-mode elicitation only (MCP 2025-11-25)', () => {
  it('opens the approval page for the person; the retry commits what they approved, once', async () => {
    const { tokens } = await signIn(env, { user: 'bob', scope: 'mcp:tools mssql:write' });
    const client = new Client(
      { name: 'url-only', version: '1' },
      { capabilities: { elicitation: { url: {} } } },
    );
    const opened: string[] = [];
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      if (req.params.mode !== 'url') throw new Error('expected a URL-mode elicitation');
      opened.push(req.params.url);
      const answer = await answerWrite(req.params.url, 'bob', 'approve');
      expect(answer.html).toContain('You approved this change');
      return { action: 'accept' };
    });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(env.core.urls().mcp), {
        requestInit: { headers: { authorization: `Bearer ${tokens.access_token}` } },
      }),
    );
    clients.push(client);
    const sql = "UPDATE Products SET Name = 'Approved by URL' WHERE ProductID = 6";
    const out = (await client.callTool({ name: 'execute_statement', arguments: { sql } })) as ToolOut;
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatch(/\/writes\/[0-9a-f-]{36}$/);
    expect(out.structuredContent).toMatchObject({ committed: true, rowsAffected: 1 });
    const call = async (name: string, args: Record<string, unknown>) =>
      (await client.callTool({ name, arguments: args })) as ToolOut;
    expect(await productName(call, 6)).toBe('Approved by URL');
  });
});

describe('2025-era sessions that real clients survive', () => {
  const post = (token: string, body: unknown, session?: string) =>
    fetch(env.core.urls().mcp, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-06-18',
        ...(session ? { 'mcp-session-id': session } : {}),
      },
      body: JSON.stringify(body),
    });
  const initialize = {
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'drops-session', version: '1' },
    },
  };
  const rpc = async (res: Response) => {
    const body = await res.text();
    const data = body.startsWith('{') ? body : /^data: (.*)$/m.exec(body)?.[1];
    return JSON.parse(data ?? 'null') as { result?: Record<string, unknown>; error?: { message: string } };
  };

  it('a client that drops Mcp-Session-Id after initialize still lists and calls tools (served statelessly)', async () => {
    const { tokens } = await signIn(env, { user: 'bob', scope: 'mcp:tools mssql:write' });
    const init = await post(tokens.access_token, initialize);
    expect(init.status).toBe(200);
    await init.body?.cancel();
    const list = await rpc(await post(tokens.access_token, { jsonrpc: '2.0', id: 1, method: 'tools/list' }));
    expect((list.result!.tools as Array<{ name: string }>).map((t) => t.name)).toContain('run_query');
    const who = await rpc(
      await post(tokens.access_token, {
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'whoami', arguments: {} },
      }),
    );
    expect(who.result!.structuredContent).toMatchObject({ subject: 'bob' });
  });

  it('1,000 abandoned sessions are closed after the idle time, memory goes back, and their ids get a sentence', async () => {
    const { tokens } = await signIn(env, { user: 'alice' });
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const heap = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    await env.core.mcp.closeIdle();
    const start = env.core.mcp.sessionCount();
    const baseline = heap();
    let last = '';
    for (let i = 0; i < 1000; i++) {
      const res = await post(tokens.access_token, initialize);
      last = res.headers.get('mcp-session-id')!;
      await res.body?.cancel();
    }
    expect(env.core.mcp.sessionCount()).toBe(start + 1000);
    const grown = heap() - baseline;
    clock.advance(env.core.config.server.mcp_session_idle_seconds * 1000 + 1000);
    expect(await env.core.mcp.closeIdle()).toBeGreaterThanOrEqual(1000);
    expect(env.core.mcp.sessionCount()).toBe(0);
    const left = heap() - baseline;
    // Measured: 1,000 sessions hold tens of MB; after closing, what remains is noise.
    expect(grown).toBeGreaterThan(5 * 1024 * 1024);
    expect(left).toBeLessThan(grown / 4);
    const gone = await post(tokens.access_token, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, last);
    expect(gone.status).toBe(404);
    expect((await rpc(gone)).error!.message).toContain('initialize a new session');
  });
});

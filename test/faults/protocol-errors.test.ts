import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnv, type Env } from '../support/harness.js';
import { authorizeUrl, signIn } from '../support/mcp-client.js';

/**
 * Protocol faults answered in the protocol's own terms (issue 13, case 7): invalid tool arguments are -32602
 * (was -32603 with a raw dump), JSON-RPC batches are refused where the negotiated revision has none, and the
 * /authorize limit answers a browser with a page.
 */
let env: Env;
let token: string;
beforeAll(async () => {
  env = await startEnv({ config: { oauth: { authorize_requests_per_minute: 5 } }, sql: {} });
  token = (await signIn(env, { user: 'bob' })).tokens.access_token;
}, 60_000);
afterAll(async () => {
  await env?.close();
});

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

/** One POST to /mcp with the bearer token and the headers a streamable HTTP client sends. */
function send(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(env.core.urls().mcp, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

/** The same, with the JSON-RPC answer parsed. */
async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await send(body, headers);
  const text = await res.text();
  // 2025-era answers come as one SSE event; 2026-07-28 ones as JSON.
  const json = text.startsWith('event:') ? text.slice(text.indexOf('data: ') + 6).trim() : text;
  return {
    status: res.status,
    session: res.headers.get('mcp-session-id'),
    body: JSON.parse(json) as { error: { code: number; message: string } },
  };
}

async function legacySession(version = '2025-06-18'): Promise<Record<string, string>> {
  const init = await post({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  });
  const headers = { 'mcp-session-id': init.session!, 'mcp-protocol-version': version };
  await send({ jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
  return headers;
}

describe('protocol errors', () => {
  it('arguments that are not an object are -32602 Invalid params, in both protocol eras', async () => {
    const legacy = await post(
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'run_query', arguments: [] } },
      await legacySession(),
    );
    expect(legacy.body.error.code).toBe(-32602);
    const modern = await post(
      {
        jsonrpc: '2.0',
        id: 3,
        method: 'tools/call',
        params: { name: 'run_query', arguments: [], _meta: META },
      },
      { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'run_query' },
    );
    expect(modern.body.error.code).toBe(-32602);
  });

  it('refuses JSON-RPC batches under revisions without them, and keeps them for 2025-03-26', async () => {
    const batch = [
      { jsonrpc: '2.0', id: 4, method: 'ping' },
      { jsonrpc: '2.0', id: 5, method: 'ping' },
    ];
    const refused = await post(batch, await legacySession('2025-06-18'));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toEqual({
      code: -32600,
      message: 'JSON-RPC batches are not part of MCP 2025-06-18; send one message per request.',
    });
    const modern = await post(
      batch.map((m) => ({ ...m, params: { _meta: META } })),
      { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'ping' },
    );
    expect(modern.status).toBe(400);
    expect(modern.body.error.code).toBe(-32600);
    const old = await send(batch, await legacySession('2025-03-26'));
    expect(old.status).toBe(200);
  });

  it('answers a browser over the /authorize limit with a page that names the wait and the setting', async () => {
    const answers = [];
    for (let i = 0; i < 8; i++) {
      const res = await fetch(authorizeUrl(env.core.urls().origin), { redirect: 'manual' });
      answers.push({
        status: res.status,
        type: res.headers.get('content-type'),
        retry: res.headers.get('retry-after'),
        csp: res.headers.get('content-security-policy'),
        text: await res.text(),
      });
    }
    // One sign-in already used the window; four more pass, the rest get the page.
    expect(answers.map((a) => a.status === 429)).toEqual([
      false,
      false,
      false,
      false,
      true,
      true,
      true,
      true,
    ]);
    const limited = answers[7]!;
    expect(limited.type).toMatch(/^text\/html/);
    expect(limited.retry).toBe('60');
    expect(limited.csp).toContain("frame-ancestors 'none'");
    expect(limited.text).toContain('Too many sign-ins were started in the last minute; wait a minute');
    expect(limited.text).toContain('oauth.authorize_requests_per_minute');
  });
});

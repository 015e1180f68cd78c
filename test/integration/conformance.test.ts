/**
 * The official MCP conformance suite's server scenarios (`@modelcontextprotocol/conformance`), active (2025) and
 * draft (2026-07-28), against the bridge with a signed-in user's token (added by a loopback proxy: the suite
 * sends none). Scenarios that need the suite's own fixture tools are the baseline in
 * conformance/expected-failures.yaml; anything else failing, or a baseline entry passing, fails the test. The
 * summary is written to test-results/conformance.txt.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnv, type Env } from '../support/harness.js';
import { signIn } from '../support/mcp-client.js';
import { REPO } from '../support/processes.js';
import { tokenProxy } from '../support/token-proxy.js';

let env: Env;
let proxy: Awaited<ReturnType<typeof tokenProxy>>;
let work: string;
const CLI = path.join(REPO, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const summaries: string[] = [];

beforeAll(async () => {
  env = await startEnv({ sql: {} });
  const { tokens } = await signIn(env, { user: 'bob', scope: 'mcp:tools mssql:write' });
  proxy = await tokenProxy(new URL(env.core.urls().mcp), tokens.access_token);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'conformance-'));
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await env?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(path.join(REPO, 'test-results'), { recursive: true });
  fs.writeFileSync(path.join(REPO, 'test-results', 'conformance.txt'), summaries.join('\n'));
});

function runSuite(suite: 'active' | 'draft'): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        CLI,
        'server',
        '--url',
        proxy.url,
        '--suite',
        suite,
        '--expected-failures',
        path.join(REPO, 'conformance/expected-failures.yaml'),
      ],
      { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('MCP conformance suite, server scenarios', () => {
  for (const suite of ['active', 'draft'] as const)
    it(`${suite}: every applicable check passes`, { timeout: 120_000 }, async () => {
      const { code, out } = await runSuite(suite);
      const summary = out.slice(out.indexOf('=== SUMMARY ==='));
      summaries.push(`# ${suite} suite\n${summary}`);
      expect(code, summary).toBe(0);
      // Scenarios that need no fixture pass whole (the suite's own summary lines).
      for (const scenario of suite === 'active'
        ? ['server-initialize', 'server-session-lifecycle', 'ping', 'tools-list', 'dns-rebinding-protection']
        : [
            'caching',
            'http-header-validation',
            'sep-2164-resource-not-found',
            'input-required-result-validate-input',
          ])
        expect(summary).toMatch(new RegExp(`✓ ${scenario}: \\d+ passed, 0 failed`));
    });
});

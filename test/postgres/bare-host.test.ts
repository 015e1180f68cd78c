/**
 * Team mode from a bare host (issue 28, point 3): `serve` with only what docs/team-mode documents — the state URL
 * and the instance key in the environment, a config file — and no data directory it could create (a container
 * whose user has no writable home). It starts, is ready, and serves; nothing is written outside PostgreSQL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_STATE_KEY } from '../support/harness.js';
import { exited, startServe } from '../support/processes.js';
import { createTestDatabase } from '../support/test-database.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-bare-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('team mode on a bare host', () => {
  it('starts without a data directory it could create, its state store ready, and stops cleanly', async () => {
    // A path under a regular file: no process, root included, can create it.
    fs.writeFileSync(path.join(dir, 'not-a-directory'), '');
    const dataDir = path.join(dir, 'not-a-directory', 'data');
    const configFile = path.join(dir, 'team.json');
    fs.writeFileSync(configFile, JSON.stringify({}));
    const env = {
      ...process.env,
      MSSQL_MCP_STATE_URL: await createTestDatabase(),
      MSSQL_MCP_STATE_KEY: TEST_STATE_KEY,
    };
    const { child, origin } = await startServe(dataDir, configFile, 0, env);
    try {
      // The state database answers (the IdP is not configured here, so readiness says that, and only that).
      const body = (await (await fetch(`${origin}/readyz`)).json()) as { checks: Record<string, string> };
      expect(body.checks.database).toMatch(/^ok/);
      expect((await fetch(`${origin}/.well-known/oauth-protected-resource/mcp`)).status).toBe(200);
      expect(child.output()).not.toMatch(/EACCES|ENOTDIR|ENOENT|^\s+at /m);
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
      expect(fs.existsSync(path.join(dir, 'not-a-directory', 'data'))).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});

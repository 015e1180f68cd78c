/**
 * The MCP Bundle for double-click install in Claude Desktop: built and validated by the @anthropic-ai/mcpb
 * tooling, holding no secret, and its launcher (run by Node, as Claude Desktop runs it) starting the app's
 * connector, or saying what to install when there is no app.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/harness.js';
import { REPO } from '../support/processes.js';

const MCPB = path.join(REPO, 'node_modules/@anthropic-ai/mcpb/dist/cli/cli.js');
let unpacked: string;
let manifest: {
  manifest_version: string;
  server: { mcp_config: { env: Record<string, string> } };
  user_config: Record<string, { sensitive?: boolean; default?: unknown }>;
};

beforeAll(() => {
  if (!fs.existsSync(path.join(REPO, 'dist/electron/cli.mjs')))
    throw new Error('Run "npm run build" first (npm test does).');
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-mcpb.ts'], { cwd: REPO, stdio: 'pipe' });
  unpacked = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpb-'));
  execFileSync(process.execPath, [MCPB, 'unpack', path.join(REPO, 'dist/mssql-mcp-bridge.mcpb'), unpacked], {
    stdio: 'pipe',
  });
  manifest = JSON.parse(fs.readFileSync(path.join(unpacked, 'manifest.json'), 'utf8')) as typeof manifest;
}, 120_000);
afterAll(() => {
  if (unpacked) fs.rmSync(unpacked, { recursive: true, force: true });
});

describe('MCP Bundle (.mcpb)', () => {
  it('is valid for the mcpb tooling at its current manifest version, and carries no secret', () => {
    const validate = spawnSync(process.execPath, [MCPB, 'validate', path.join(unpacked, 'manifest.json')], {
      encoding: 'utf8',
    });
    expect(validate.status, validate.stdout + validate.stderr).toBe(0);
    expect(manifest.manifest_version).toBe('0.4');
    expect(fs.readdirSync(unpacked, { recursive: true }).map(String).sort()).toEqual([
      'icon.png',
      'manifest.json',
      'server',
      path.join('server', 'launch.mjs'),
    ]);
    expect(Object.values(manifest.user_config).some((c) => c.sensitive)).toBe(false);
    expect(Object.keys(manifest.server.mcp_config.env)).toEqual([
      'MSSQL_MCP_BRIDGE_URL',
      'MSSQL_MCP_BRIDGE_APP',
    ]);
  });

  it('says what to install when the desktop app is not there', () => {
    const run = spawnSync(process.execPath, [path.join(unpacked, 'server/launch.mjs')], {
      encoding: 'utf8',
      env: { ...process.env, MSSQL_MCP_BRIDGE_APP: path.join(unpacked, 'no-such-app') },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /MSSQL MCP Bridge is not installed at .*no-such-app\. Install the desktop app, or set its path/,
    );
  });

  it("starts the app's connector over stdio (here: Node and the CLI bundle in the app's place)", async () => {
    const url = `http://127.0.0.1:${await freePort()}/mcp`;
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [path.join(unpacked, 'server/launch.mjs')],
      cwd: os.tmpdir(),
      env: {
        ...(process.env as Record<string, string>),
        MSSQL_MCP_BRIDGE_URL: url,
        MSSQL_MCP_BRIDGE_APP: process.execPath,
        MSSQL_MCP_BRIDGE_CLI: path.join(REPO, 'dist/electron/cli.mjs'),
        MSSQL_MCP_DATA_DIR: unpacked,
      },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'claude-desktop-like', version: '1' });
    try {
      await client.connect(transport);
      // No bridge at that URL: the connector itself answers, naming the fix.
      expect(client.getInstructions()).toContain(`not running at ${new URL(url).origin}`);
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['bridge_status']);
    } finally {
      await client.close();
    }
  });
});

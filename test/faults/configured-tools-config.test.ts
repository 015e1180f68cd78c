/**
 * A configured tool that could never run stops the start: `serve` exits 1 with a sentence naming the tool, its
 * line in the config file and what is wrong, and no stack trace; a sound one starts.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exited, removeSecrets, spawnCli } from '../support/processes.js';

describe('configured tools in the config file', () => {
  it('a tool on a connection that does not exist, or with an undeclared parameter: exit 1, the tool and its line named', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-tools-'));
    const service = `mssql-mcp-bridge-test-${crypto.randomUUID()}`;
    const configFile = path.join(dataDir, 'config.json');
    const tool = (name: string, over: Record<string, unknown>) => ({
      name,
      title: name,
      description: 'A tool.',
      connection: 'sales',
      statement: 'SELECT OrderID FROM Orders WHERE CustomerID = @customer_id',
      parameters: [{ name: 'customer_id', type: 'int' }],
      ...over,
    });
    const text = JSON.stringify(
      {
        secrets: { service },
        sql: {
          profiles: [{ id: 'sales', host: '127.0.0.1', database: 'Sales', auth: { type: 'sql', user: 'u' } }],
        },
        tools: [tool('orders_of', { connection: 'nowhere' }), tool('typo', { parameters: [] })],
      },
      null,
      2,
    );
    fs.writeFileSync(configFile, text);
    const lineOf = (name: string) => text.split('\n').findIndex((l) => l.includes(`"name": "${name}"`)) + 1;
    try {
      const child = spawnCli(['serve', '--port', '0', '--data-dir', dataDir, '--config', configFile]);
      expect(await exited(child)).toBe(1);
      const out = child.output();
      expect(out).toContain(
        `Configured tool "orders_of" (line ${lineOf('orders_of')} of the config file): there is no connection profile "nowhere" (known: sales).`,
      );
      expect(out).toContain(
        `Configured tool "typo" (line ${lineOf('typo')} of the config file): the statement uses @customer_id, not declared in parameters.`,
      );
      expect(out).not.toMatch(/^\s+at /m);
    } finally {
      await removeSecrets(service);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

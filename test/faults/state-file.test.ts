/**
 * A damaged state database at start (garbage, cut short by a full disk or a bad copy, or emptied): `serve` refuses with
 * a sentence naming the file and the two ways on (restore, or move it aside to start fresh), exit 1, no stack
 * trace, and leaves the file as it was for whoever restores it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exited, removeSecrets, spawnCli } from '../support/processes.js';

describe('a damaged state database', () => {
  const damaged = (file: string) => [
    `Error: The state database ${file} is damaged`,
    `mv "${file}" "${file}.damaged"`,
  ];
  for (const [what, damage, says] of [
    ['garbage', (file: string) => fs.writeFileSync(file, crypto.randomBytes(8192)), damaged],
    [
      'a database cut short',
      (file: string) => {
        const db = fs.readFileSync(file);
        fs.writeFileSync(file, db.subarray(0, 3000));
      },
      damaged,
    ],
    // SQLite would take it for a new database and start fresh without a word.
    [
      'an empty file (0 bytes)',
      (file: string) => fs.truncateSync(file, 0),
      (file: string) => [`Error: The state database ${file} is empty (0 bytes)`, `rm "${file}"`],
    ],
  ] as const)
    it(`${what}: serve refuses with the file and what to do, exit 1, the file untouched`, async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-state-'));
      const service = `mssql-mcp-bridge-test-${crypto.randomUUID()}`;
      const configFile = path.join(dataDir, 'config.json');
      fs.writeFileSync(configFile, JSON.stringify({ secrets: { service } }));
      const file = path.join(dataDir, 'state.db');
      try {
        // A real state database first (the cut-short case damages it), then the damage.
        const first = spawnCli(['serve', '--port', '0', '--data-dir', dataDir, '--config', configFile]);
        await new Promise<void>((resolve) => {
          const t = setInterval(() => {
            if (first.output().includes('Press Ctrl+C to stop.')) {
              clearInterval(t);
              resolve();
            }
          }, 50);
        });
        first.kill('SIGTERM');
        await exited(first);
        damage(file);
        const before = fs.readFileSync(file);
        const child = spawnCli(['serve', '--port', '0', '--data-dir', dataDir, '--config', configFile]);
        expect(await exited(child)).toBe(1);
        const out = child.output();
        for (const text of says(file)) expect(out).toContain(text);
        expect(out).toContain('Restore it from a backup');
        expect(out).not.toMatch(/^\s+at /m);
        expect(fs.readFileSync(file).equals(before)).toBe(true);
      } finally {
        await removeSecrets(service);
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    }, 60_000);
});

/**
 * The desktop's state file while the bridge runs (issue 28, point 5): its disk fills up, or the file is deleted.
 * A full disk: the call whose audit entry does not fit is refused with the sentence naming the file, the cause
 * and the fix (was a 500 or a raw SQLITE_FULL), `/readyz` says the disk is full, and once space is freed calls run
 * and are audited again without a restart. A deleted file: nothing fails (SQLite writes to the file it opened),
 * so the bridge notices by itself, says so in its log and in `/readyz`. Real process; the full disk is a small
 * tmpfs mounted over the data directory in a mount namespace of the bridge's own (`unshare`), filled from
 * outside through /proc/<pid>/root.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  sampleDatabase,
  SAMPLE_LOGINS,
  startTdsServer,
  type TdsServer,
} from '@mssql-mcp-bridge/tds-test-server';
import { forgeAccessTokenFor } from '../support/forge-token.js';
import { tdsProfile } from '../support/harness.js';
import { mcpClient } from '../support/mcp-client.js';
import { exited, removeSecrets, startServe, waitFor } from '../support/processes.js';

let sql: TdsServer;
beforeAll(async () => {
  sql = await startTdsServer({ logins: SAMPLE_LOGINS, databases: [sampleDatabase()] });
}, 60_000);
afterAll(async () => {
  await sql?.stop();
});

type Out = {
  isError?: boolean;
  content: Array<{ text?: string }>;
  structuredContent?: { rows?: unknown[][] };
};

/** A bridge on its own data directory and keychain service; `prefix` runs it inside another command. */
async function withBridge(
  body: (b: {
    child: Awaited<ReturnType<typeof startServe>>['child'];
    dataDir: string;
    origin: string;
    query: (text: string) => Promise<Out>;
    readyz: () => Promise<{ status: number; database: string }>;
  }) => Promise<void>,
  prefix: (dataDir: string) => string[] = () => [],
): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-disk-'));
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir, { mode: 0o700 });
  const service = `mssql-mcp-bridge-test-${crypto.randomUUID()}`;
  const configFile = path.join(dir, 'config.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify({ secrets: { service }, sql: { profiles: [tdsProfile(sql)] } }),
  );
  const { child, origin } = await startServe(dataDir, configFile, 0, process.env, prefix(dataDir));
  try {
    const client = await mcpClient(`${origin}/mcp`, await forgeAccessTokenFor(service, origin, 'bob'));
    try {
      await body({
        child,
        dataDir,
        origin,
        query: (text) => client.callTool({ name: 'run_query', arguments: { sql: text } }) as Promise<Out>,
        readyz: async () => {
          const res = await fetch(`${origin}/readyz`);
          return {
            status: res.status,
            database: ((await res.json()) as { checks: { database: string } }).checks.database,
          };
        },
      });
    } finally {
      await client.close();
    }
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  } finally {
    child.kill('SIGKILL');
    await removeSecrets(service);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('the state file while the bridge runs', () => {
  it('a full disk: the call is refused with the file and the fix, /readyz says so, and all resumes once freed', async () => {
    // The bridge in a mount namespace of its own with an 8 MiB tmpfs over its data directory (unshare execs, so
    // the pid is node's); the test reaches that directory through /proc/<pid>/root.
    const tmpfs = (dataDir: string) => [
      'unshare',
      '--map-root-user',
      '--mount',
      'sh',
      '-c',
      'mount -t tmpfs -o size=8m,mode=0700 tmpfs "$0" && exec "$@"',
      dataDir,
    ];
    await withBridge(async ({ child, dataDir, query, readyz }) => {
      const inside = `/proc/${child.pid}/root${dataDir}`;
      const file = path.join(dataDir, 'state.db');
      expect(fs.existsSync(path.join(inside, 'state.db'))).toBe(true);
      expect(fs.existsSync(file)).toBe(false); // outside the namespace the directory is empty
      expect((await query('SELECT 1 AS one')).structuredContent?.rows).toEqual([[1]]);

      // Fill the disk to the last block.
      const filler = path.join(inside, 'filler');
      const fd = fs.openSync(filler, 'w');
      const chunk = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) fs.writeSync(fd, chunk);
      } catch (err) {
        expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
      } finally {
        fs.closeSync(fd);
      }

      // Statements whose audit entries no longer fit (each ~100 KB, the most a statement may be): the first
      // whose entry cannot be written is refused and does not run. What was left in SQLite's log takes a few.
      const big = (n: number) => `SELECT ${n} AS n /* ${'x'.repeat(99_000)} */`;
      let refused: Out | undefined;
      for (let n = 0; n < 40 && !refused; n++) {
        const out = await query(big(n));
        if (out.isError) refused = out;
        else expect(out.structuredContent?.rows).toEqual([[n]]);
      }
      if (!refused) throw new Error('40 audit entries of 100 KB fitted on a full 8 MiB disk');
      expect(refused.isError).toBe(true);
      expect(refused.content[0]!.text).toMatch(
        /^This call was not run: the audit log could not be written, and no call runs unaudited\. /,
      );
      expect(refused.content[0]!.text).toContain(
        `The state database ${file} cannot be used (SQLITE_FULL: database or disk is full): the disk is full. Free space on the disk holding ${dataDir}, then retry.`,
      );
      expect(refused.structuredContent).toBeUndefined();
      const ready = await readyz();
      expect(ready.status).toBe(503);
      expect(ready.database).toMatch(
        new RegExp(
          `^The disk holding the state database ${file.replace(/[.]/g, '\\.')} is full \\(\\d+ KiB free\\)`,
        ),
      );

      // Space freed: the same process runs and audits the call, no restart.
      fs.rmSync(filler);
      const again = await query(big(99));
      expect(again.structuredContent?.rows).toEqual([[99]]);
      expect((await readyz()).database).toBe('ok');
    }, tmpfs);
  }, 90_000);

  it('deleted while running: said in the log and in /readyz, which the bridge notices by itself', async () => {
    await withBridge(async ({ child, dataDir, query, readyz }) => {
      const file = path.join(dataDir, 'state.db');
      expect((await readyz()).database).toBe('ok');
      fs.rmSync(file);
      // Nothing fails: SQLite keeps writing to the file it opened. That is why the bridge has to say it.
      expect((await query('SELECT 3 AS three')).structuredContent?.rows).toEqual([[3]]);
      const sentence = `The state database ${file} was deleted while the bridge was running: what it writes now is lost when it stops`;
      const ready = await readyz();
      expect(ready.status).toBe(503);
      expect(ready.database).toContain(sentence);
      expect(ready.database).toContain('Restore the file from a backup and restart the bridge');
      await waitFor(() => child.output().includes(sentence), 'the log to say the file was deleted', 15_000);
      expect(child.output().split(sentence).length).toBe(2); // said once, not every few seconds
    });
  }, 60_000);
});

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';

export interface TestPostgres {
  /** `postgres://bridge@127.0.0.1:<port>/postgres`: the superuser, for creating databases. */
  adminUrl: string;
  /** Stops the server and keeps its data (a database that goes away), for resume(). */
  halt(): void;
  /** Starts it again on the same port with the same data. */
  resume(): void;
  stop(): Promise<void>;
}

/** Debian's PostgreSQL binaries (the postgresql package puts them outside PATH). */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length)
    throw new Error('PostgreSQL is not installed: `sudo apt-get install postgresql` (bash .ci/run does).');
  return path.join(root, versions[0]!, 'bin');
}

/**
 * A PostgreSQL cluster of its own in a temporary directory (initdb, pg_ctl), on a random loopback port,
 * trust authentication on loopback only, removed by stop(). As root the cluster runs as the `postgres` user
 * (PostgreSQL refuses to run as root).
 */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-pg-'));
  const data = path.join(dir, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? userIds('postgres') : undefined;
  if (owner) fs.chownSync(dir, owner.uid, owner.gid);
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(path.join(bin, cmd), args, {
      cwd: dir,
      encoding: 'utf8',
      ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
    });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  const start = () =>
    run('pg_ctl', [
      'start',
      '-w',
      '-D',
      data,
      '-l',
      path.join(dir, 'log'),
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
    ]);
  let running = true;
  try {
    run('initdb', ['-D', data, '-U', 'bridge', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    start();
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    adminUrl: `postgres://bridge@127.0.0.1:${port}/postgres`,
    halt: () => {
      run('pg_ctl', ['stop', '-w', '-m', 'fast', '-D', data]);
      running = false;
    },
    resume: () => {
      start();
      running = true;
    },
    async stop() {
      try {
        if (running) run('pg_ctl', ['stop', '-w', '-m', 'fast', '-D', data]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function userIds(name: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

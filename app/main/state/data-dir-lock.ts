import fs from 'node:fs';
import path from 'node:path';
import { BridgeError } from '../../shared/errors.js';

/** Who holds a data directory: written when the lock is taken, the URL added once it listens. */
export interface LockHolder {
  pid: number;
  url?: string;
  started: string;
}

/**
 * One running bridge per data directory: a second would replace the first's broker socket and write the same
 * state file, and connectors would lose the app's sign-in once it stopped. The lock is a file naming the
 * holder's pid, created exclusively; one left by a process that is gone (a crash, kill -9) is taken over. A pid
 * file rather than an advisory lock (proper-lockfile's mtime leases) because the refusal must name the running
 * bridge, and a bridge stopped with SIGSTOP must still hold its directory.
 */
export class DataDirLock {
  private constructor(
    readonly file: string,
    private holder: LockHolder,
  ) {}

  static acquire(dataDir: string): DataDirLock {
    const file = path.join(dataDir, 'bridge.lock');
    const holder: LockHolder = { pid: process.pid, started: new Date().toISOString() };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.writeFileSync(file, JSON.stringify(holder), { flag: 'wx', mode: 0o600 });
        return new DataDirLock(file, holder);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const other = DataDirLock.holder(dataDir);
      if (other && other.pid !== process.pid && alive(other.pid))
        throw new DataDirBusyError(
          `Another MSSQL MCP Bridge is already running on the data directory ${dataDir} (pid ${other.pid}${other.url ? `, ${other.url}` : ''}, since ${other.started}). ` +
            `Stop it first (quit the app, or kill ${other.pid}), or start this one with another --data-dir.`,
        );
      // Left by a bridge that is gone: take it over (exclusively again, in case another start got there first).
      fs.rmSync(file, { force: true });
    }
    throw new DataDirBusyError(`Could not take the lock ${file}: another start keeps taking it. Try again.`);
  }

  /** Who holds the lock on `dataDir` now, if a live process does. */
  static holder(dataDir: string): LockHolder | undefined {
    try {
      const h = JSON.parse(fs.readFileSync(path.join(dataDir, 'bridge.lock'), 'utf8')) as LockHolder;
      return typeof h.pid === 'number' && alive(h.pid) ? h : undefined;
    } catch {
      return undefined; // absent, or half-written by a start that died: nobody holds it
    }
  }

  /** Adds where this bridge listens, for the next one's refusal. */
  listening(url: string): void {
    this.holder = { ...this.holder, url };
    fs.writeFileSync(this.file, JSON.stringify(this.holder), { mode: 0o600 });
  }

  release(): void {
    const now = DataDirLock.readPid(this.file);
    if (now === process.pid) fs.rmSync(this.file, { force: true });
  }

  private static readPid(file: string): number | undefined {
    try {
      return (JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder).pid;
    } catch {
      return undefined;
    }
  }
}

export class DataDirBusyError extends BridgeError {
  override name = 'DataDirBusyError';
  constructor(message: string) {
    super(message, 'data_dir_busy');
  }
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

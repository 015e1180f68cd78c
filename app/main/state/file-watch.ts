import fs from 'node:fs';
import path from 'node:path';

/** Less free space than this on the state file's disk and the next sign-in or audit entry may not fit. */
const LOW_SPACE_BYTES = 1024 * 1024;

/**
 * What SQLite does not say until a write fails, checked when asked (`/readyz`) and every few seconds (said once
 * in the log): the state file deleted or replaced under the running bridge (SQLite keeps writing to the file it
 * opened, so nothing fails, and everything written since is gone at the next start; checked by device and
 * inode), and its disk full.
 */
export function watchStateFile(
  file: string,
  log: (msg: string) => void,
  everyMs = 5000,
): { problem(): string | undefined; stop(): void } {
  const opened = fs.statSync(file);
  const dir = path.dirname(file);
  const problem = (): string | undefined => {
    const now = fs.statSync(file, { throwIfNoEntry: false });
    if (now && now.ino === opened.ino && now.dev === opened.dev) {
      const disk = fs.statfsSync(dir);
      const free = disk.bavail * disk.bsize;
      return free < LOW_SPACE_BYTES
        ? `The disk holding the state database ${file} is full (${Math.floor(free / 1024)} KiB free): sign-ins and the audit cannot be written, so tool calls are refused. Free space on it; the bridge goes on by itself.`
        : undefined;
    }
    return now
      ? `The state database ${file} was replaced while the bridge was running: the bridge still writes to the file it opened, no longer at that path. Restart the bridge to use the file that is there now (what was written since it was replaced is not in it).`
      : `The state database ${file} was deleted while the bridge was running: what it writes now is lost when it stops, and the next start begins empty (every client signs in again). Restore the file from a backup and restart the bridge, or restart it now to start fresh.`;
  };
  let said: string | undefined;
  const timer = setInterval(() => {
    const p = problem();
    if (p && p !== said) log(p);
    said = p;
  }, everyMs);
  timer.unref();
  return { problem, stop: () => clearInterval(timer) };
}

import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * One sign-in at a time across connector processes: Claude Desktop starts each stdio server twice, and two
 * refreshes of one rotating refresh token would look like token theft to the bridge (reuse detection revokes the
 * grant). The lock is a file created exclusively, holding its owner's pid, so a crashed owner's lock is taken over.
 */
export async function withSignInLock<T>(file: string, waitMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (!ownerAlive(file)) {
        fs.rmSync(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `another connector has been signing in for over ${Math.round(waitMs / 1000)} s (${file})`,
        );
      }
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(file, { force: true });
  }
}

function ownerAlive(file: string): boolean {
  const pid = Number(fs.readFileSync(file, { encoding: 'utf8', flag: 'r' }).trim() || NaN);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

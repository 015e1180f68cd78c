import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints on a worker thread. SQLite's automatic checkpoint runs inside whichever commit crosses the
 * threshold, on the event loop, and fsyncs: every few hundred token requests one of them waited for the disk.
 * The worker's own connection copies the WAL into the database every second (PASSIVE: never blocks a
 * writer); the main connection turns its automatic checkpoint off. If the worker stops, the WAL only grows
 * until the next start or close, which checkpoints.
 */
export function startCheckpointer(file: string, everyMs = 1000): { stop(): Promise<void> } {
  const worker = new Worker(
    `
    const { workerData, parentPort } = require('node:worker_threads');
    const Database = require(workerData.driver);
    const db = new Database(workerData.file);
    db.pragma('busy_timeout = 5000');
    const timer = setInterval(() => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {} }, workerData.everyMs);
    parentPort.on('message', () => { clearInterval(timer); db.close(); process.exit(0); });
    `,
    {
      eval: true,
      workerData: { file, everyMs, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
    },
  );
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    stop: () => {
      // Unref'd while it runs; its exit is awaited now, so it must hold the process until then (else a start that
      // failed, closing the state, ends with exit 0 and no word before its error is said).
      worker.ref();
      worker.postMessage('stop');
      return exited;
    },
  };
}

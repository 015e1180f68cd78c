/**
 * The TDS test server in a process of its own, as users run it (`tds-test-server --sample`): for tests and
 * benchmarks where sharing the client's event loop would hide how the server really behaves.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

export interface TdsServerProcess {
  host: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

const CLI = path.resolve(import.meta.dirname, 'cli.ts');

export async function spawnTdsServer(
  opts: { largeTable?: number; timeoutMs?: number } = {},
): Promise<TdsServerProcess> {
  // node with tsx's loader: one process, so killing it leaves nothing behind (the tsx command forks).
  const args = ['--import', 'tsx', CLI, '--sample', '--port', '0'];
  if (opts.largeTable) args.push('--large-table', String(opts.largeTable));
  const child = spawn(process.execPath, args, {
    cwd: path.resolve(import.meta.dirname, '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A parent that dies still takes its server with it.
  const killChild = () => child.kill('SIGKILL');
  process.once('exit', killChild);
  let out = '';
  const ready = new Promise<{ host: string; port: number }>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new Error(`tds-test-server did not start within ${opts.timeoutMs ?? 120_000} ms:\n${out}`)),
      opts.timeoutMs ?? 120_000,
    );
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /on ([\d.]+):(\d+)/.exec(out);
      if (m && out.includes('Press Ctrl+C')) {
        clearTimeout(timer);
        resolve({ host: m[1]!, port: Number(m[2]) });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tds-test-server exited (${code}) before it was ready:\n${out}`));
    });
  });
  try {
    const { host, port } = await ready;
    return {
      host,
      port,
      pid: child.pid!,
      stop: () =>
        new Promise<void>((resolve) => {
          process.off('exit', killChild);
          if (child.exitCode !== null || child.signalCode) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
        }),
    };
  } catch (err) {
    killChild();
    process.off('exit', killChild);
    throw err;
  }
}

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

/** What the probe found; `ok` means an item could be written, read and deleted under the service. */
export type ProbeResult =
  | { ok: true }
  | { ok: false; state: 'no_service' | 'locked' | 'no_collection' | 'refused' | 'unknown'; detail: string };

/**
 * Asks the keychain for a write, a read and a delete of a throw-away item, in a child process: with an
 * existing but locked gnome-keyring, keytar (libsecret) dies with SIGSEGV instead of throwing, which must not
 * take the bridge down with it. Runs before the bridge writes anything, so a refusal leaves no state behind.
 */
export function probeKeychain(service: string, timeoutMs = 15_000): Promise<ProbeResult> {
  const keytarPath = createRequire(import.meta.url).resolve('keytar');
  const code = `
    const keytar = require(${JSON.stringify(keytarPath)});
    const service = ${JSON.stringify(service)};
    (async () => {
      await keytar.findCredentials(service);
      await keytar.setPassword(service, '__bridge_probe__', 'probe');
      const back = await keytar.getPassword(service, '__bridge_probe__');
      await keytar.deletePassword(service, '__bridge_probe__');
      if (back !== 'probe') throw new Error('an item written to the keychain could not be read back');
    })().then(
      () => process.stdout.write('{"ok":true}'),
      (err) => { process.stdout.write(JSON.stringify({ ok: false, message: String(err && err.message || err) })); },
    );`;
  return new Promise((resolve) => {
    // Electron's binary runs as plain Node with ELECTRON_RUN_AS_NODE; Node ignores the variable.
    const child = spawn(process.execPath, ['-e', code], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && !out)
        return resolve({ ok: false, state: 'refused', detail: `no answer within ${timeoutMs / 1000} s` });
      if (signal)
        // The only crash seen in practice: libsecret on a locked collection.
        return resolve({
          ok: false,
          state: 'locked',
          detail: `its keyring is locked (libsecret ended with ${signal} on it)`,
        });
      try {
        const r = JSON.parse(out) as { ok: boolean; message?: string };
        resolve(r.ok ? { ok: true } : classify(r.message ?? 'unknown error'));
      } catch {
        resolve({ ok: false, state: 'unknown', detail: `probe exited ${exitCode} with no answer` });
      }
    });
  });
}

function classify(message: string): ProbeResult & { ok: false } {
  const detail = message.split('\n')[0]!;
  if (/locked/i.test(detail)) return { ok: false, state: 'locked', detail };
  if (/does not exist at path|no such object|collection/i.test(detail))
    return { ok: false, state: 'no_collection', detail };
  if (/not provided|ServiceUnknown|Could not connect|No such file|dbus|bus/i.test(detail))
    return { ok: false, state: 'no_service', detail };
  if (/denied|cancel|refused|not allowed|user interaction/i.test(detail))
    return { ok: false, state: 'refused', detail };
  return { ok: false, state: 'unknown', detail };
}

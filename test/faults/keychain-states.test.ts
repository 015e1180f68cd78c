/**
 * Keychain states, each in a throw-away D-Bus session with its own gnome-keyring: the bridge refuses to start
 * with the sentence for that state, exits 1 (never a crash), and writes nothing to its data directory.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/processes.js';

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
});
const temp = (prefix: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(d);
  return d;
};

/** Runs `script` in a private D-Bus session whose keyrings live in `home`; resolves with exit code and output. */
function inBus(home: string, script: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const {
      DBUS_SESSION_BUS_ADDRESS: _bus,
      DISPLAY: _display,
      BRIDGE_IN_KEYRING_SESSION: _k,
      ...env
    } = process.env;
    const child = spawn('dbus-run-session', ['--', 'bash', '-c', script], {
      env: { ...env, XDG_DATA_HOME: home, HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const serve = (dataDir: string) =>
  `exec ${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(path.join(REPO, 'app/main/cli.ts'))} serve --port 0 --data-dir ${JSON.stringify(dataDir)}`;

/**
 * `serve` in a new session of `home`'s keyrings where gnome-keyring runs but nobody unlocked anything:
 * asserts the refusal every state shares (exit 1, not a crash; nothing written) and returns its output.
 */
async function refusedStart(home: string): Promise<string> {
  const dataDir = path.join(temp('bridge-keychain-data-'), 'data');
  const r = await inBus(
    home,
    `gnome-keyring-daemon --start --components=secrets >/dev/null; ${serve(dataDir)}`,
  );
  expect(r.code, r.out).toBe(1);
  expect(r.out).toContain('Nothing was written.');
  expect(fs.existsSync(dataDir)).toBe(false);
  return r.out;
}

describe('keychain states', () => {
  it('a locked keyring: refuses with the unlock command, exit 1, no crash, nothing written', async () => {
    const home = temp('bridge-locked-');
    // A login keyring with a password, as a desktop session leaves it...
    const made = await inBus(
      home,
      'echo -n pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null && echo seed | secret-tool store --label=seed probe seed',
    );
    expect(made.code, made.out).toBe(0);
    // ...then a new session where nobody unlocked it.
    const out = await refusedStart(home);
    expect(out).toContain('The OS keychain is locked (');
    // The command reads the password: it does not rely on a variable the reader may not have set.
    expect(out).toContain(
      'read -rsp "Keyring password: " KEYRING_PASSWORD; echo -n "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets',
    );
    expect(out).not.toContain('crashed');
  });

  it('a keyring unlocked with another password than its own: says the keyring exists, and how to start anew', async () => {
    const home = temp('bridge-otherpw-');
    const made = await inBus(
      home,
      'echo -n pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null && echo seed | secret-tool store --label=seed probe seed',
    );
    expect(made.code, made.out).toBe(0);
    const file = path.join(home, 'keyrings', 'login.keyring');
    const dataDir = path.join(temp('bridge-keychain-data-'), 'data');
    // What the earlier advice led to with KEYRING_PASSWORD unset: an unlock with an empty password.
    const r = await inBus(
      home,
      `echo -n "$KEYRING_PASSWORD_UNSET" | gnome-keyring-daemon --unlock --components=secrets >/dev/null; ${serve(dataDir)}`,
    );
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain('The OS keychain is locked');
    expect(r.out).toContain(
      `Another password leaves it locked: the keyring ${file} already exists with its own.`,
    );
    expect(r.out).toContain(`mv "${file}" "${file}.old"`);
    expect(r.out).not.toContain('crashed');
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('a Secret Service with no keyring at all: refuses with how to create one, nothing written', async () => {
    const out = await refusedStart(temp('bridge-nokeyring-'));
    expect(out).toContain('The OS keychain has no default collection');
    expect(out).toContain('Seahorse');
  });
  // No Secret Service on the bus at all: test/integration/keychain.test.ts.
});

import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { BridgeError } from '../../shared/errors.js';
import { probeKeychain, type ProbeResult } from './keychain-probe.js';

/** Where every secret of the bridge lives. One account per secret, under one service name. */
export interface SecretStore {
  get(account: string): Promise<string | null>;
  /**
   * A secret that should be there. A keychain locked (or gone) while the bridge runs answers reads with
   * nothing, as if the secret were missing: here the absence is checked against the keychain's state, which
   * throws KeychainUnavailableError naming the fix; null means the keychain works and the secret is not stored.
   */
  getExpected(account: string): Promise<string | null>;
  set(account: string, value: string): Promise<void>;
  /** The stored value, or `make()`'s, stored now; when several processes race, all get the one stored. */
  getOrCreate(account: string, make: () => string | Promise<string>): Promise<string>;
  delete(account: string): Promise<boolean>;
}

/**
 * Unlocks (or, the first time, creates) the login keyring headless. The password is read, not taken from a
 * variable the reader may not have set: an unset one unlocks nothing and the same advice came back.
 */
const HEADLESS_UNLOCK =
  'read -rsp "Keyring password: " KEYRING_PASSWORD; echo -n "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets';

export const KEYCHAIN_FIX =
  'The bridge keeps its secrets only in the OS keychain and will not fall back to plain files. ' +
  'On Linux, install and unlock a Secret Service such as gnome-keyring: ' +
  '`sudo apt-get install gnome-keyring libsecret-1-0`, then start the bridge inside a desktop session, or headless with ' +
  `\`dbus-run-session -- bash -c '${HEADLESS_UNLOCK}; npm run serve'\`. ` +
  'On macOS and Windows the system keychain / Credential Manager is used automatically.';

/** The login keyring's file, when gnome-keyring keeps one here (it exists: it has its own password). */
function loginKeyringFile(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const data = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  const file = path.join(data, 'keyrings', 'login.keyring');
  return fs.existsSync(file) ? file : undefined;
}

function lockedFix(): string {
  const file = loginKeyringFile();
  return (
    `headless, with the password the keyring was created with: \`${HEADLESS_UNLOCK}\`.` +
    (file
      ? ` Another password leaves it locked: the keyring ${file} already exists with its own. If that password is lost, move the keyring aside to start a new, empty one (what it holds is then gone): \`mv "${file}" "${file}.old"\`.`
      : '')
  );
}

export class KeychainUnavailableError extends BridgeError {
  override name = 'KeychainUnavailableError';
  constructor(
    cause: string,
    readonly state: ProbeFailure['state'] = 'no_service',
    /** At start nothing is written yet; while running, the bridge keeps serving and the call can be retried. */
    when: 'starting' | 'running' = 'starting',
  ) {
    super(
      when === 'starting'
        ? `${KEYCHAIN_SENTENCES[state](cause, 'Then start the bridge again.')} Nothing was written.`
        : KEYCHAIN_SENTENCES[state](
            `${cause}, while the bridge was running`,
            'Then retry; the bridge keeps running.',
          ),
      `keychain_${state}`,
    );
  }
}

type ProbeFailure = Extract<ProbeResult, { ok: false }>;

/** One sentence and its fix per keychain state the probe can tell apart. */
const KEYCHAIN_SENTENCES: Record<ProbeFailure['state'], (cause: string, then: string) => string> = {
  no_service: (cause) => `No OS keychain is available (${cause}). ${KEYCHAIN_FIX}`,
  locked: (cause, then) =>
    `The OS keychain is locked (${cause}). Unlock it: sign in to the desktop session (the login keyring unlocks with it) or unlock "Login" in Passwords and Keys (Seahorse); ${lockedFix()} ${then}`,
  no_collection: (cause, then) =>
    `The OS keychain has no default collection to keep secrets in (${cause}). Create one: in Passwords and Keys (Seahorse) add a password keyring named "Login" and make it the default; headless: run \`${HEADLESS_UNLOCK}\` once, typing the password the new keyring gets, which creates it. ${then}`,
  refused: (cause, then) =>
    `The OS keychain refused or did not answer (${cause}). Allow MSSQL MCP Bridge when the system asks (macOS Keychain Access, Windows Credential Manager, the desktop's unlock prompt). ${then}`,
  unknown: (cause) => `The OS keychain could not be used (${cause}). ${KEYCHAIN_FIX}`,
};

type Keytar = {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
};

/** SecretStore over keytar (libsecret / Keychain / Credential Manager). */
export class KeytarSecretStore implements SecretStore {
  private constructor(
    private readonly keytar: Keytar,
    private readonly service: string,
  ) {}

  /** Loads keytar and proves the keychain answers; throws KeychainUnavailableError with the fix otherwise. */
  static async open(service: string): Promise<KeytarSecretStore> {
    let keytar: Keytar;
    try {
      // keytar is a CommonJS native addon; loading it fails when libsecret is missing.
      keytar = createRequire(import.meta.url)('keytar') as Keytar;
    } catch (err) {
      throw new KeychainUnavailableError(`keytar could not load: ${(err as Error).message.split('\n')[0]}`);
    }
    const probe = await probeKeychain(service);
    if (!probe.ok) throw new KeychainUnavailableError(probe.detail, probe.state);
    return new KeytarSecretStore(keytar, service);
  }

  get(account: string): Promise<string | null> {
    return this.keytar.getPassword(this.service, account);
  }

  async getExpected(account: string): Promise<string | null> {
    const value = await this.get(account);
    if (value !== null) return value;
    // Rare (a secret missing where one belongs), so the probe's child process is affordable here.
    const probe = await probeKeychain(this.service);
    if (!probe.ok) throw new KeychainUnavailableError(probe.detail, probe.state, 'running');
    return null;
  }

  set(account: string, value: string): Promise<void> {
    return this.keytar.setPassword(this.service, account, value);
  }

  /** One desktop process creates these: no race to settle. */
  async getOrCreate(account: string, make: () => string | Promise<string>): Promise<string> {
    const stored = await this.get(account);
    if (stored !== null) return stored;
    const value = await make();
    await this.set(account, value);
    return value;
  }

  delete(account: string): Promise<boolean> {
    return this.keytar.deletePassword(this.service, account);
  }

  /** Every account under this service (used to clean up test services). */
  async accounts(): Promise<string[]> {
    return (await this.keytar.findCredentials(this.service)).map((c) => c.account);
  }
}

/** Account names, in one place so nothing else invents its own. */
export const SecretAccounts = {
  signingKey: 'oauth-signing-key',
  /** AES key sealing the authorization server's stored artifacts (state.db never holds them in clear). */
  stateKey: 'oauth-state-key',
  /** Keys signing the authorization server's cookies. */
  cookieKeys: 'oauth-cookie-keys',
  idpClientSecret: (profileId: string) => `idp:${profileId}:client-secret`,
  sqlSecret: (profileId: string) => `sql:${profileId}:secret`,
  /** The stdio connector's OAuth tokens for one bridge, keyed by its origin (shared by its processes). */
  connectorTokens: (bridgeOrigin: string) => `connector:${bridgeOrigin}:tokens`,
} as const;

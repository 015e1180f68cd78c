import type { SecretStore } from '../../app/main/secrets/secret-store.js';

/** The keychain's contract kept in a Map: for the unit tier, which runs without D-Bus or a keyring. */
export class MemorySecretStore implements SecretStore {
  readonly entries = new Map<string, string>();

  async get(account: string): Promise<string | null> {
    return this.entries.get(account) ?? null;
  }

  getExpected(account: string): Promise<string | null> {
    return this.get(account);
  }

  async set(account: string, value: string): Promise<void> {
    this.entries.set(account, value);
  }

  async getOrCreate(account: string, make: () => string | Promise<string>): Promise<string> {
    if (!this.entries.has(account)) this.entries.set(account, await make());
    return this.entries.get(account)!;
  }

  async delete(account: string): Promise<boolean> {
    return this.entries.delete(account);
  }
}

/** A clock the test moves (the services read it through the Clock seam). */
export class ManualClock {
  constructor(private ms = Date.now()) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

import { Sealer } from './sealer.js';
import type { SecretRows } from '../state/sealed-rows.js';
import type { SecretStore } from './secret-store.js';

/**
 * Team mode's secret store: every instance reads the same secrets (signing key, sealing keys, IdP and SQL
 * secrets) from the shared state database, sealed (AES-256-GCM) with a key the platform gives each instance
 * (MSSQL_MCP_STATE_KEY or its _FILE): the database never holds a secret in clear, and a copy of it alone
 * opens nothing.
 */
export class SealedSecretStore implements SecretStore {
  private readonly sealer: Sealer;

  constructor(
    private readonly rows: SecretRows,
    key: Buffer,
  ) {
    this.sealer = new Sealer(key);
  }

  async get(account: string): Promise<string | null> {
    const sealed = await this.rows.get(account);
    if (!sealed) return null;
    const plain = this.sealer.open(sealed);
    if (plain === undefined)
      throw new Error(
        `The secret "${account}" in the state database was sealed with another key: give every instance the same MSSQL_MCP_STATE_KEY.`,
      );
    return plain;
  }

  getExpected(account: string): Promise<string | null> {
    return this.get(account);
  }

  async set(account: string, value: string): Promise<void> {
    await this.rows.set(account, this.sealer.seal(value));
  }

  async getOrCreate(account: string, make: () => string | Promise<string>): Promise<string> {
    // Instances starting together: the first insert wins and every instance reads the winner back.
    await this.rows.setIfAbsent(account, this.sealer.seal(await make()));
    return (await this.get(account))!;
  }

  async delete(account: string): Promise<boolean> {
    return this.rows.remove(account);
  }
}

/** The instance key from MSSQL_MCP_STATE_KEY (base64 of 32 bytes), or the error that names how to make one. */
export function stateKeyFrom(value: string | undefined): Buffer {
  const key = value ? Buffer.from(value.trim(), 'base64') : undefined;
  if (!key || key.length !== 32)
    throw new Error(
      `${value ? 'MSSQL_MCP_STATE_KEY is not 32 bytes of base64' : 'With state.url on PostgreSQL, MSSQL_MCP_STATE_KEY (or MSSQL_MCP_STATE_KEY_FILE) must be set'}: the key that seals secrets in the shared database, the same for every instance. Make one with \`openssl rand -base64 32\`.`,
    );
  return key;
}

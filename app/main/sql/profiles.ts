import { z } from 'zod';
import {
  connectionProfileSchema,
  type ConnectionProfileConfig,
  type ConnectionProfileInput,
} from '../../shared/config-schema.js';
import { SecretAccounts, type SecretStore } from '../secrets/secret-store.js';
import type { DocumentRepository, SettingsRepository } from '../state/repositories.js';
import type { ConnectionProfile } from '../../shared/types.js';
import { BridgeError } from '../../shared/errors.js';
export type { ConnectionProfile };

export class ProfileError extends BridgeError {
  override name = 'ProfileError';
  constructor(message: string) {
    super(message, 'profile');
  }
}

/** The password or client secret typed into a profile (moved to the keychain on save). */
export const secretOf = (auth: ConnectionProfileConfig['auth']): string | undefined =>
  auth.type === 'sql' || auth.type === 'ntlm'
    ? auth.password
    : auth.type === 'entra-service-principal'
      ? auth.client_secret
      : undefined;

/** Who the bridge logs in as, for messages: the SQL or domain user, or the Entra application's client id. */
export function loginOf(auth: ConnectionProfileConfig['auth']): string | undefined {
  switch (auth.type) {
    case 'sql':
      return auth.user;
    case 'ntlm':
      return `${auth.domain}\\${auth.user}`;
    case 'entra-service-principal':
      return auth.client_id;
    default:
      return undefined;
  }
}

/** A profile's row limit and timeout capped, never raised, by a policy rule's or a configured tool's. */
export function capLimits<P extends ConnectionProfileConfig>(
  p: P,
  caps: { row_limit?: number; timeout_seconds?: number },
): P {
  return {
    ...p,
    row_limit: Math.min(p.row_limit, caps.row_limit ?? Infinity),
    query_timeout_seconds: Math.min(p.query_timeout_seconds, caps.timeout_seconds ?? Infinity),
  };
}

function withoutSecret(p: ConnectionProfileConfig): ConnectionProfileConfig {
  const auth = { ...p.auth } as Record<string, unknown>;
  delete auth.password;
  delete auth.client_secret;
  return { ...p, auth: auth as ConnectionProfileConfig['auth'] };
}

/**
 * A stored row read back through the schema, so a row that is not a profile is named as such. `read_only` is
 * derived from allow_writes (rows of earlier versions may hold both on).
 */
function storedProfile(id: string, data: unknown): ConnectionProfileConfig {
  const parsed = connectionProfileSchema.safeParse(
    typeof data === 'object' && data !== null ? { ...data, read_only: undefined } : data,
  );
  if (!parsed.success)
    throw new ProfileError(
      `The stored connection profile "${id}" is not valid (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}). Edit it on the Connections page, or remove it and add it again.`,
    );
  return parsed.data;
}

/** Connection profiles persisted in the state DB; the secret typed once goes to the keychain. */
export class ConnectionProfiles {
  constructor(
    private readonly rows: DocumentRepository,
    private readonly settings: SettingsRepository,
    private readonly secrets: SecretStore,
    /** sql.default from the config file; a default chosen in the app takes precedence. */
    private readonly configDefault: () => string | undefined,
  ) {}

  /**
   * Whether each profile has its secret stored, learned once: every tool call resolves its profile, and a
   * keychain read for this flag alone cost ~2 ms of keychain and D-Bus CPU per call. Only this class writes
   * these secrets, so save and remove keep it true; the login secret itself is still read from the keychain
   * when a pool is created (`loginSecret`, which names a locked keychain).
   */
  private readonly hasSecret = new Map<string, boolean>();

  async save(input: ConnectionProfileInput): Promise<ConnectionProfile> {
    const profile = connectionProfileSchema.parse(input);
    const secret = secretOf(profile.auth);
    if (secret) await this.secrets.set(SecretAccounts.sqlSecret(profile.id), secret);
    this.hasSecret.delete(profile.id);
    await this.rows.put(profile.id, withoutSecret(profile));
    return (await this.get(profile.id))!;
  }

  async get(id: string): Promise<ConnectionProfile | undefined> {
    const data = await this.rows.get(id);
    if (data === undefined) return undefined;
    let has = this.hasSecret.get(id);
    if (has === undefined) this.hasSecret.set(id, (has = (await this.secret(id)) !== null));
    return { ...storedProfile(id, data), has_secret: has };
  }

  async list(): Promise<ConnectionProfile[]> {
    const ids = (await this.rows.ids()).sort();
    return (await Promise.all(ids.map((id) => this.get(id)))).filter((p): p is ConnectionProfile => !!p);
  }

  async remove(id: string): Promise<boolean> {
    await this.secrets.delete(SecretAccounts.sqlSecret(id));
    this.hasSecret.delete(id);
    await this.settings.delete('sql.default', id);
    return this.rows.remove(id);
  }

  /**
   * Whether any profile offers execute_statement (decides whether the tool is listed at all). Asked while each
   * write-scoped MCP request builds its server, so the store answers it from the stored JSON without reading rows.
   */
  anyAllowsWrites(): Promise<boolean> {
    return this.rows.anyFlagged('allow_writes');
  }

  secret(id: string): Promise<string | null> {
    return this.secrets.get(SecretAccounts.sqlSecret(id));
  }

  /**
   * The secret a connection needs to log in (password or client secret), read when its pool is created. A
   * keychain locked meanwhile is named as such (KeychainUnavailableError), not passed on as an empty password
   * that SQL Server would answer with a misleading "Login failed".
   */
  async loginSecret(profile: ConnectionProfileConfig): Promise<string | null> {
    if (!['sql', 'ntlm', 'entra-service-principal'].includes(profile.auth.type)) return null;
    const secret = await this.secrets.getExpected(SecretAccounts.sqlSecret(profile.id));
    if (secret === null)
      throw new ProfileError(
        `No password or client secret is stored in the keychain for connection "${profile.id}". Enter it on the Connections page (or in sql.profiles of the config file).`,
      );
    return secret;
  }

  /** The connection used when a tool call names none. */
  async defaultId(): Promise<string | undefined> {
    return (await this.settings.get('sql.default', z.string())) ?? this.configDefault();
  }

  /**
   * A default chosen in the app stays explicit: when a connection is added and none is chosen yet, the first
   * connection becomes the default (adding a second one must not take it away: every tool call naming no
   * connection would fail); when the default is removed and one connection remains, that one takes over.
   * Several left without a default is reported on the Status page.
   */
  async keepDefault(): Promise<void> {
    const current = await this.defaultId();
    const ids = await this.rows.ids();
    if (current !== undefined && ids.includes(current)) return;
    if (ids.length === 1 || (current === undefined && ids.length === 2)) await this.setDefault(ids[0]!);
  }

  setDefault(id: string): Promise<void> {
    return this.settings.set('sql.default', id);
  }

  /** The named profile, or the default one; an error that says which setting to fix otherwise. */
  async resolve(id?: string): Promise<ConnectionProfile> {
    const wanted = id ?? (await this.defaultId());
    if (wanted) {
      const p = await this.get(wanted);
      if (!p)
        throw new ProfileError(
          `There is no connection profile "${wanted}". Known profiles: ${(await this.list()).map((x) => x.id).join(', ') || 'none'}.`,
        );
      return p;
    }
    const all = await this.list();
    if (all.length === 1) return all[0]!;
    throw new ProfileError(
      all.length
        ? `Several connection profiles exist (${all.map((x) => x.id).join(', ')}); name one in the "connection" argument, or choose a default (the app's Connections page, or sql.default).`
        : 'No SQL Server connection profile is configured. Add one under sql.profiles in the config file or in the app.',
    );
  }
}

import { z } from 'zod';
import { idpProfileSchema, type IdpProfileConfig, type IdpProfileInput } from '../../shared/config-schema.js';
import { SecretAccounts, type SecretStore } from '../secrets/secret-store.js';
import type { DocumentRepository, SettingsRepository } from '../state/repositories.js';
import { StoredRowError } from '../state/state-errors.js';
import { IDP_PRESET_DEFAULTS } from './presets.js';
import type { IdpProfile } from '../../shared/types.js';
export type { IdpProfile };

/** A stored profile: what the schema accepts, less the client secret (kept in the keychain). */
const storedIdpSchema = idpProfileSchema.omit({ client_secret: true });

/** IdP profiles persisted in the state DB; their client secrets in the keychain. */
export class IdpProfiles {
  constructor(
    private readonly rows: DocumentRepository,
    private readonly settings: SettingsRepository,
    private readonly secrets: SecretStore,
  ) {}

  async save(input: IdpProfileInput): Promise<IdpProfile> {
    const parsed = idpProfileSchema.parse(input);
    const { client_secret, ...rest } = parsed;
    if (client_secret) await this.secrets.set(SecretAccounts.idpClientSecret(rest.id), client_secret);
    await this.rows.put(rest.id, rest);
    return (await this.get(rest.id))!;
  }

  async get(id: string): Promise<IdpProfile | undefined> {
    const raw = await this.rows.get(id);
    if (raw === undefined) return undefined;
    const parsed = storedIdpSchema.safeParse(raw);
    if (!parsed.success)
      throw new StoredRowError(
        `The stored identity provider "${id}" is not valid (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}). Edit it on the Identity provider page, or remove it and add it again.`,
      );
    const data: Omit<IdpProfileConfig, 'client_secret'> = parsed.data;
    const secret = await this.secrets.get(SecretAccounts.idpClientSecret(id));
    return { ...data, has_client_secret: secret !== null };
  }

  async list(): Promise<IdpProfile[]> {
    const ids = (await this.rows.ids()).sort();
    return (await Promise.all(ids.map((id) => this.get(id)))).filter((p): p is IdpProfile => !!p);
  }

  async remove(id: string): Promise<boolean> {
    await this.secrets.delete(SecretAccounts.idpClientSecret(id));
    await this.settings.delete('idp.active', id);
    return this.rows.remove(id);
  }

  clientSecret(id: string): Promise<string | null> {
    return this.secrets.get(SecretAccounts.idpClientSecret(id));
  }

  setActive(id: string): Promise<void> {
    return this.settings.set('idp.active', id);
  }

  activeId(): Promise<string | undefined> {
    return this.settings.get('idp.active', z.string());
  }

  /** The active profile; with exactly one profile and none chosen, that one. */
  async active(): Promise<IdpProfile | undefined> {
    const id = await this.activeId();
    if (id) return this.get(id);
    const all = await this.list();
    return all.length === 1 ? all[0] : undefined;
  }
}

/** Scopes, groups and roles claims and database-user rule after preset defaults are applied. */
export function effectiveSettings(profile: IdpProfile) {
  const preset = IDP_PRESET_DEFAULTS[profile.preset] ?? IDP_PRESET_DEFAULTS.generic!;
  const scopes = profile.scopes ?? preset.scopes;
  return {
    scopes: scopes.includes('openid') ? scopes : ['openid', ...scopes],
    groupsClaim: profile.groups_claim ?? preset.groupsClaim,
    rolesClaim: profile.roles_claim ?? preset.rolesClaim,
    dbUser: profile.db_user ?? preset.dbUser,
  };
}

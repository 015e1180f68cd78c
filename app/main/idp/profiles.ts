import { z } from 'zod';
import { idpProfileSchema, type IdpProfileConfig, type IdpProfileInput } from '../../shared/config-schema.js';
import { SecretAccounts, type SecretStore } from '../secrets/secret-store.js';
import { nowSeconds, type StateDb } from '../state/database.js';
import { Settings } from '../state/settings.js';
import { IDP_PRESET_DEFAULTS } from './presets.js';
import type { IdpProfile } from '../../shared/types.js';
export type { IdpProfile };

/** IdP profiles persisted in the state DB; their client secrets in the keychain. */
export class IdpProfiles {
  constructor(
    private readonly db: StateDb,
    private readonly secrets: SecretStore,
  ) {
    this.settings = new Settings(db);
  }

  private readonly settings: Settings;

  async save(input: IdpProfileInput): Promise<IdpProfile> {
    const parsed = idpProfileSchema.parse(input);
    const { client_secret, ...rest } = parsed;
    if (client_secret) await this.secrets.set(SecretAccounts.idpClientSecret(rest.id), client_secret);
    this.db
      .prepare(
        'INSERT INTO idp_profiles (id, data, updated_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at',
      )
      .run(rest.id, JSON.stringify(rest), nowSeconds());
    return (await this.get(rest.id))!;
  }

  async get(id: string): Promise<IdpProfile | undefined> {
    const row = this.db.prepare('SELECT data FROM idp_profiles WHERE id = ?').get(id) as
      { data: string } | undefined;
    if (!row) return undefined;
    const data = JSON.parse(row.data) as Omit<IdpProfileConfig, 'client_secret'>;
    const secret = await this.secrets.get(SecretAccounts.idpClientSecret(id));
    return { ...data, has_client_secret: secret !== null };
  }

  async list(): Promise<IdpProfile[]> {
    const ids = (
      this.db.prepare('SELECT id FROM idp_profiles ORDER BY id').all() as Array<{ id: string }>
    ).map((r) => r.id);
    return (await Promise.all(ids.map((id) => this.get(id)))).filter((p): p is IdpProfile => !!p);
  }

  async remove(id: string): Promise<boolean> {
    await this.secrets.delete(SecretAccounts.idpClientSecret(id));
    this.settings.delete('idp.active', id);
    return this.db.prepare('DELETE FROM idp_profiles WHERE id = ?').run(id).changes > 0;
  }

  clientSecret(id: string): Promise<string | null> {
    return this.secrets.get(SecretAccounts.idpClientSecret(id));
  }

  setActive(id: string): void {
    this.settings.set('idp.active', id);
  }

  activeId(): string | undefined {
    return this.settings.get('idp.active', z.string());
  }

  /** The active profile; with exactly one profile and none chosen, that one. */
  async active(): Promise<IdpProfile | undefined> {
    const id = this.activeId();
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

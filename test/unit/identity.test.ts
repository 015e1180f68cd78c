import { describe, expect, it } from 'vitest';
import { IdentityMappingError, mapClaims } from '../../app/main/idp/identity.js';
import { effectiveSettings } from '../../app/main/idp/profiles.js';
import { IDP_PRESET_DEFAULTS } from '../../app/main/idp/presets.js';

const base = { sub: 'u1', iss: 'https://idp.example' };

describe('claims to identity', () => {
  it('derives the database user from the email local part by default', () => {
    const id = mapClaims(
      { ...base, email: 'jane.doe@corp.example', name: 'Jane', groups: ['a', 7, 'b'] },
      { idp: 'okta', groupsClaim: 'groups', rolesClaim: 'roles', dbUser: { from: 'email_local_part' } },
    );
    expect(id).toEqual({
      subject: 'u1',
      issuer: 'https://idp.example',
      idp: 'okta',
      email: 'jane.doe@corp.example',
      name: 'Jane',
      groups: ['a', 'b'],
      roles: [],
      dbUser: 'jane.doe',
    });
  });

  it('falls back to an e-mail shaped preferred_username (Entra ID)', () => {
    expect(
      mapClaims(
        { ...base, preferred_username: 'sam@contoso.com' },
        { idp: 'entra', dbUser: { from: 'email_local_part' } },
      ).dbUser,
    ).toBe('sam');
  });

  it('uses a named claim when configured, and says which claim is missing', () => {
    expect(
      mapClaims(
        { ...base, preferred_username: 'kc-user' },
        { idp: 'kc', dbUser: { from: 'claim', claim: 'preferred_username' } },
      ).dbUser,
    ).toBe('kc-user');
    expect(() => mapClaims(base, { idp: 'kc', dbUser: { from: 'claim', claim: 'sql_user' } })).toThrow(
      /no "sql_user" claim/,
    );
  });

  it('refuses a missing email with the fix, a missing sub, and user names SQL Server cannot hold', () => {
    expect(() => mapClaims(base, { idp: 'x', dbUser: { from: 'email_local_part' } })).toThrow(
      /Add the "email" scope/,
    );
    expect(() => mapClaims({ iss: 'x' }, { idp: 'x', dbUser: { from: 'email_local_part' } })).toThrow(
      IdentityMappingError,
    );
    expect(() =>
      mapClaims({ ...base, u: 'x]; DROP USER y--' }, { idp: 'x', dbUser: { from: 'claim', claim: 'u' } }),
    ).toThrow(/cannot use/);
  });

  it('applies preset defaults and always asks for openid', () => {
    const okta = effectiveSettings({
      id: 'o',
      preset: 'okta',
      issuer: 'https://o.okta.com/oauth2/default',
      client_id: 'c',
      extra_auth_params: {},
      has_client_secret: true,
    });
    expect(okta.scopes).toEqual(IDP_PRESET_DEFAULTS.okta!.scopes);
    expect(okta.groupsClaim).toBe('groups');
    const custom = effectiveSettings({
      id: 'g',
      preset: 'generic',
      issuer: 'https://g',
      client_id: 'c',
      scopes: ['email'],
      extra_auth_params: {},
      has_client_secret: false,
    });
    expect(custom.scopes).toEqual(['openid', 'email']);
    for (const preset of ['duo', 'auth0', 'okta', 'entra', 'keycloak', 'google', 'generic']) {
      expect(IDP_PRESET_DEFAULTS[preset]!.scopes).toContain('openid');
      expect(IDP_PRESET_DEFAULTS[preset]!.scopes).not.toContain('offline_access');
    }
  });
});

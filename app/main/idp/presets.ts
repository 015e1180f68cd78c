import type { DbUserRule } from '../../shared/config-schema.js';

export interface IdpPreset {
  label: string;
  /** What the issuer URL looks like, for the UI and for error messages. */
  issuerHint: string;
  scopes: string[];
  groupsClaim?: string;
  rolesClaim?: string;
  dbUser: DbUserRule;
  notes: string;
}

/**
 * Defaults per identity provider. Scopes never include `offline_access`: the bridge only needs the ID token
 * once per sign-in and never keeps upstream tokens.
 */
export const IDP_PRESET_DEFAULTS: Record<string, IdpPreset> = {
  duo: {
    label: 'Duo',
    issuerHint: 'https://<tenant>.sso.duosecurity.com/oidc/<client_id>',
    scopes: ['openid', 'profile', 'email'],
    dbUser: { from: 'email_local_part' },
    notes: 'Create an "OIDC Relying Party" application in Duo Admin; its issuer ends with the client id.',
  },
  auth0: {
    label: 'Auth0',
    issuerHint: 'https://<tenant>.<region>.auth0.com/',
    scopes: ['openid', 'profile', 'email'],
    dbUser: { from: 'email_local_part' },
    notes:
      'The Auth0 issuer ends with a slash. Groups need an Action adding a namespaced claim; set groups_claim to it.',
  },
  okta: {
    label: 'Okta',
    issuerHint: 'https://<org>.okta.com/oauth2/default',
    scopes: ['openid', 'profile', 'email', 'groups'],
    groupsClaim: 'groups',
    dbUser: { from: 'email_local_part' },
    notes: 'Use a custom authorization server (e.g. /oauth2/default) and add a "groups" claim to it.',
  },
  entra: {
    label: 'Microsoft Entra ID',
    issuerHint: 'https://login.microsoftonline.com/<tenant-id>/v2.0',
    scopes: ['openid', 'profile', 'email'],
    groupsClaim: 'groups',
    rolesClaim: 'roles',
    dbUser: { from: 'email_local_part' },
    notes:
      'Register a "Mobile and desktop" or "Web" redirect URI of http://127.0.0.1:<port>/idp/callback. ' +
      'Entra may omit "email"; the database user then comes from preferred_username.',
  },
  keycloak: {
    label: 'Keycloak',
    issuerHint: 'https://<host>/realms/<realm>',
    scopes: ['openid', 'profile', 'email'],
    groupsClaim: 'groups',
    rolesClaim: 'realm_access.roles',
    dbUser: { from: 'claim', claim: 'preferred_username' },
    notes:
      'Add a "Group Membership" mapper named groups to the client scope to receive groups; realm roles arrive in realm_access.roles.',
  },
  google: {
    label: 'Google',
    issuerHint: 'https://accounts.google.com',
    scopes: ['openid', 'profile', 'email'],
    dbUser: { from: 'email_local_part' },
    notes:
      'Google does not send groups in ID tokens: write policy rules for Google users by e-mail domain (hd) or address.',
  },
  generic: {
    label: 'Generic OpenID Connect',
    issuerHint: 'https://idp.example.com',
    scopes: ['openid', 'profile', 'email'],
    groupsClaim: 'groups',
    rolesClaim: 'roles',
    dbUser: { from: 'email_local_part' },
    notes: 'Any certified OpenID Provider with discovery.',
  },
};

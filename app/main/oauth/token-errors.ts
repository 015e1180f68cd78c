/**
 * oidc-provider answers every refused grant with "grant request is invalid" and keeps the reason in
 * `error_detail` (logged, never sent). The bridge's clients show the description to a person, so the /token
 * refusals say what happened and what to do; the reasons are oidc-provider's own strings.
 */
const SENTENCES: Record<string, string> = {
  'authorization code not found': 'The authorization code is not valid.',
  'authorization code is expired': 'The authorization code has expired; sign in again.',
  'authorization code already consumed':
    'The authorization code was already used; every token issued from it has been revoked.',
  'authorization code redirect_uri mismatch':
    'redirect_uri does not match the one used in the authorization request.',
  'refresh token not found': 'The refresh token is not valid.',
  'refresh token is expired': 'The refresh token has expired; sign in again.',
  'refresh token already used':
    'The refresh token was already used; the whole session has been revoked as a precaution. Sign in again.',
  'code_verifier does not match code_challenge': 'code_verifier does not match the challenge',
  'grant not found': 'This session was revoked or has ended; sign in again.',
  'grant is expired': 'This session has ended; sign in again.',
};

/** The sentence for a refused grant's reason, or undefined to keep oidc-provider's description. */
export function grantErrorSentence(detail: string | undefined, grantType: unknown): string | undefined {
  if (detail === 'client mismatch')
    return grantType === 'refresh_token'
      ? 'The refresh token was issued to another client.'
      : 'The authorization code was issued to another client.';
  return detail === undefined ? undefined : SENTENCES[detail];
}

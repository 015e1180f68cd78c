/** What the bridge must remember between sending the user to the IdP and the callback. */
export interface UpstreamChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

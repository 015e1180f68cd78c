import crypto from 'node:crypto';
import {
  auth,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type StoredOAuthClientInformation,
  type StoredOAuthTokens,
} from '@modelcontextprotocol/client';
import { SecretAccounts, type SecretStore } from '../secrets/secret-store.js';
import { listenForCallback, type LoopbackCallback } from './loopback-callback.js';
import { withSignInLock } from './sign-in-lock.js';

export interface CredentialsOptions {
  secrets: SecretStore;
  mcpUrl: URL;
  /** A pre-registered native client of the bridge (default `claude-desktop`): no registration step. */
  clientId: string;
  lockFile: string;
  /** How long a person has to finish signing in in the browser. */
  signInTimeoutMs: number;
  /** Shows the person the authorization URL (opens the browser, prints it). */
  showSignIn: (url: URL) => void;
  /** Tokens from the running app's desktop sign-in (no browser); undefined when it cannot give any. */
  brokered?: () => Promise<StoredOAuthTokens | undefined>;
}

/** Thrown from redirectToAuthorization while only a refresh is wanted (the browser comes later, if at all). */
class BrowserNotNow extends Error {}

/** Why a sign-in did not happen, phrased for the person reading it in their MCP client. */
export class SignInError extends Error {}

/**
 * The connector's OAuth client, for the SDK's `auth()` (discovery, PKCE S256, RFC 8707 resource, refresh): tokens
 * live only in the OS keychain, under the bridge's origin, so every connector process of this user shares one
 * sign-in and an upgrade keeps it. Nothing is written to a file or a log.
 */
export class ConnectorCredentials implements OAuthClientProvider {
  private callback: LoopbackCallback | undefined;
  private verifier = '';
  private expectedState = '';
  private current: StoredOAuthTokens | undefined;

  constructor(private readonly o: CredentialsOptions) {}

  private get account(): string {
    return SecretAccounts.connectorTokens(this.o.mcpUrl.origin);
  }

  /** The access token to send: loaded from the keychain on first use; renew() reloads it after a 401. */
  async accessToken(): Promise<string | undefined> {
    this.current ??= await this.load();
    return this.current?.access_token;
  }

  /**
   * After a 401 for `rejected`: refresh, or sign in through the browser; one process at a time. A token that
   * changed in the keychain meanwhile (another process did the work) is simply used.
   */
  async renew(rejected: string | undefined): Promise<void> {
    await withSignInLock(this.o.lockFile, this.o.signInTimeoutMs + 30_000, async () => {
      this.current = await this.load();
      if (this.current?.access_token && this.current.access_token !== rejected) return;
      // Without a browser first: a refresh, then the person's sign-in in the running app.
      if (this.current?.refresh_token && (await this.refreshOnly())) return;
      const brokered = await this.o.brokered?.();
      if (brokered) {
        await this.saveTokens(brokered);
        return;
      }
      this.callback = await listenForCallback(this.o.signInTimeoutMs);
      try {
        if ((await auth(this, { serverUrl: this.o.mcpUrl })) === 'AUTHORIZED') return;
        const query = await this.callback.result.catch((err: Error) => {
          throw new SignInError(`Sign-in to MSSQL MCP Bridge did not finish: ${err.message}.`);
        });
        const error = query.get('error');
        if (error) {
          throw new SignInError(
            `Sign-in to MSSQL MCP Bridge was refused: ${query.get('error_description') ?? error}.`,
          );
        }
        if (query.get('state') !== this.expectedState)
          throw new SignInError('Sign-in answer did not match (state).');
        const code = query.get('code') ?? '';
        const iss = query.get('iss') ?? undefined;
        if ((await auth(this, { serverUrl: this.o.mcpUrl, authorizationCode: code, iss })) !== 'AUTHORIZED') {
          throw new SignInError('MSSQL MCP Bridge did not accept the sign-in.');
        }
      } finally {
        this.callback.close();
        this.callback = undefined;
      }
    });
  }

  private browserAllowed = true;

  /** A refresh with the stored refresh token; false when it needs a sign-in instead. */
  private async refreshOnly(): Promise<boolean> {
    this.browserAllowed = false;
    // The SDK reads the redirect URI (a native client's) even for a refresh.
    this.callback = await listenForCallback(this.o.signInTimeoutMs);
    try {
      return (await auth(this, { serverUrl: this.o.mcpUrl })) === 'AUTHORIZED';
    } catch (err) {
      if (err instanceof BrowserNotNow) return false;
      throw err;
    } finally {
      this.browserAllowed = true;
      this.callback.close();
      this.callback = undefined;
    }
  }

  /** Forgets this user's tokens for the bridge (sign-out). */
  async forget(): Promise<void> {
    this.current = undefined;
    await this.o.secrets.delete(this.account);
  }

  private async load(): Promise<StoredOAuthTokens | undefined> {
    const raw = await this.o.secrets.get(this.account);
    if (!raw) return undefined;
    try {
      return JSON.parse(raw) as StoredOAuthTokens;
    } catch {
      return undefined;
    }
  }

  // OAuthClientProvider, called by the SDK's auth().
  get redirectUrl(): string | undefined {
    return this.callback?.redirectUri;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'MSSQL MCP Bridge connector',
      redirect_uris: this.callback ? [this.callback.redirectUri] : [],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation(): StoredOAuthClientInformation {
    return { client_id: this.o.clientId };
  }
  tokens(): StoredOAuthTokens | undefined {
    return this.current;
  }
  async saveTokens(tokens: StoredOAuthTokens): Promise<void> {
    this.current = tokens;
    await this.o.secrets.set(this.account, JSON.stringify(tokens));
  }
  state(): string {
    this.expectedState = crypto.randomBytes(24).toString('base64url');
    return this.expectedState;
  }
  redirectToAuthorization(url: URL): void {
    if (!this.browserAllowed) throw new BrowserNotNow();
    this.o.showSignIn(url);
  }
  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }
  codeVerifier(): string {
    return this.verifier;
  }
  async invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): Promise<void> {
    if (scope === 'all' || scope === 'tokens') await this.forget();
  }
}

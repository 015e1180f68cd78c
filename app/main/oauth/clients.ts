import type { Adapter, ClientMetadata } from 'oidc-provider';
import type { BridgeConfig, PreRegisteredClient } from '../../shared/config-schema.js';
import { nowSeconds } from '../state/clock.js';
import type { ClientRow, ClientRows } from '../state/client-rows.js';
import { redirectRefusal } from './redirect-policy.js';

export type ClientSource = 'preregistered' | 'dcr' | 'cimd';

/** RFC 7591 metadata of a client, as the bridge lists it (always a public client). */
export interface ClientInfo {
  client_id: string;
  client_name?: string;
  redirect_uris: string[];
  application_type?: 'native' | 'web';
  client_id_issued_at?: number;
}

export interface KnownClient {
  info: ClientInfo;
  source: ClientSource;
  skipConsent: boolean;
}

/** Every client is public: on a desktop a secret would sit next to the user anyway, and PKCE is required. */
const PUBLIC_CLIENT = {
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
} as const;

const SKIP_CONSENT = 'x_bridge_skip_consent';

/**
 * The clients the bridge knows: pre-registered in the config file (oidc-provider's static clients), added in
 * the app, and dynamically registered (both in the `clients` table, which oidc-provider reaches through
 * `adapter()`). Client ID Metadata Documents are fetched and cached by oidc-provider itself.
 */
export class ClientRegistry {
  private readonly preregistered: Map<string, PreRegisteredClient>;

  constructor(
    private readonly rows: ClientRows,
    private readonly config: BridgeConfig['oauth'],
  ) {
    this.preregistered = new Map(config.clients.map((c) => [c.client_id, c]));
  }

  /**
   * The config file's clients for oidc-provider: native applications (RFC 8252), so a registered loopback
   * redirect matches on any port while host, path and query must match exactly.
   */
  staticClients(extraGrantTypes: readonly string[] = []): ClientMetadata[] {
    return [...this.preregistered.values()].map((c) => ({
      client_id: c.client_id,
      client_name: c.client_name,
      redirect_uris: c.redirect_uris,
      application_type: 'native',
      ...PUBLIC_CLIENT,
      grant_types: [...PUBLIC_CLIENT.grant_types, ...extraGrantTypes],
    }));
  }

  /** oidc-provider's `Client` storage: dynamically registered clients and those added in the app. */
  adapter(): Adapter {
    const rows = this.rows;
    return {
      async upsert(id, payload) {
        await rows.upsertRegistered(id, payload, nowSeconds());
      },
      async find(id) {
        const row = await rows.get(id);
        if (!row) return undefined;
        // A registration's `scope` is what the client read when it registered (often only the challenge's
        // `mcp:tools`); as a ceiling it would refuse forever a scope the person's policy gives later. The policy
        // caps every token instead (getResourceServerInfo), so the registered scope is not kept as a limit.
        const { [SKIP_CONSENT]: _skip, scope: _scope, ...metadata } = row.metadata;
        return metadata;
      },
      async destroy(id) {
        await rows.remove(id);
      },
      findByUid: async () => undefined,
      findByUserCode: async () => undefined,
      consume: async () => undefined,
      revokeByGrantId: async () => undefined,
    };
  }

  /** A client by id with where it came from; CIMD clients (URLs) are known by that shape alone. */
  async find(clientId: string): Promise<KnownClient | undefined> {
    const pre = this.preregistered.get(clientId);
    if (pre) return this.configClient(pre);
    const row = await this.rows.get(clientId);
    return row && fromRow(row, this.preregisteredMaySkipConsent);
  }

  /** A pre-registered client added in the app (persisted); its redirects follow the same policy as DCR. */
  async addPreregistered(
    client: Omit<PreRegisteredClient, 'skip_consent'> & { skip_consent?: boolean },
  ): Promise<KnownClient> {
    const taken = () => new Error(`A client with id "${client.client_id}" already exists.`);
    if (this.preregistered.has(client.client_id) || (await this.rows.get(client.client_id))) throw taken();
    for (const uri of client.redirect_uris) {
      const why = redirectRefusal(uri, this.config.dcr.allowed_redirect_patterns);
      if (why) throw new Error(`Redirect URI refused: ${why}.`);
    }
    const metadata = {
      client_id: client.client_id,
      client_name: client.client_name,
      redirect_uris: client.redirect_uris,
      application_type: 'native',
      client_id_issued_at: nowSeconds(),
      ...PUBLIC_CLIENT,
      [SKIP_CONSENT]: client.skip_consent ?? false,
    };
    if (!(await this.rows.insertPreregistered(client.client_id, metadata, nowSeconds()))) throw taken();
    return fromRow({ source: 'preregistered', metadata }, this.preregisteredMaySkipConsent);
  }

  /** Every registered client: from the config file (fixed), added in the app, and dynamically registered. */
  async listRegistered(): Promise<Array<KnownClient & { fromConfig: boolean }>> {
    const pre = [...this.preregistered.values()].map((c) => ({ ...this.configClient(c), fromConfig: true }));
    const stored = (await this.rows.list()).map((r) => ({
      ...fromRow(r, this.preregisteredMaySkipConsent),
      fromConfig: false,
    }));
    return [...pre, ...stored];
  }

  /** Removes a client added in the app or registered dynamically (config-file clients stay: edit the file). */
  async removeRegistered(clientId: string): Promise<boolean> {
    return this.rows.remove(clientId);
  }

  isFromConfig(clientId: string): boolean {
    return this.preregistered.has(clientId);
  }

  /** Whether a sign-in for this client may skip the consent page (never for DCR and CIMD clients). */
  async skipsConsent(clientId: string): Promise<boolean> {
    return (await this.find(clientId))?.skipConsent ?? false;
  }

  /** `oauth.consent_for_preregistered` turns the consent page on even for pre-registered clients. */
  private get preregisteredMaySkipConsent(): boolean {
    return !this.config.consent_for_preregistered;
  }

  private configClient(c: PreRegisteredClient): KnownClient {
    return {
      info: {
        client_id: c.client_id,
        client_name: c.client_name,
        redirect_uris: c.redirect_uris,
        application_type: 'native',
      },
      source: 'preregistered',
      skipConsent: c.skip_consent && this.preregisteredMaySkipConsent,
    };
  }
}

function fromRow(row: ClientRow, preregisteredMaySkipConsent: boolean): KnownClient {
  const m = row.metadata as unknown as ClientInfo & { [SKIP_CONSENT]?: boolean };
  return {
    info: {
      client_id: m.client_id,
      client_name: m.client_name,
      redirect_uris: m.redirect_uris,
      application_type: m.application_type,
      client_id_issued_at: m.client_id_issued_at,
    },
    source: row.source,
    // Dynamically registered clients always see the consent page: their names are unverified.
    skipConsent: row.source === 'preregistered' && m[SKIP_CONSENT] === true && preregisteredMaySkipConsent,
  };
}

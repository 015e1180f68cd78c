import https from 'node:https';
import type { OAuthRegisteredClientsStore } from '@modelcontextprotocol/sdk/server/auth/clients.js';
import {
  CustomOAuthError,
  InvalidClientMetadataError,
} from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type { OAuthClientInformationFull } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { BridgeConfig, PreRegisteredClient } from '../config/schema.js';
import { nowSeconds, type StateDb } from '../state/database.js';
import { redirectRefusal } from './redirect-policy.js';

export type ClientSource = 'preregistered' | 'dcr' | 'cimd';
export interface KnownClient {
  info: OAuthClientInformationFull;
  source: ClientSource;
  skipConsent: boolean;
}

const CIMD_CACHE_MS = 10 * 60_000;
const CIMD_MAX_BYTES = 5 * 1024;

/**
 * Every OAuth client the bridge knows: pre-registered from config, dynamically registered (persisted),
 * and Client ID Metadata Documents (fetched from their https client_id, when enabled).
 * All are public clients: on a desktop any secret would sit next to the user anyway, and PKCE is required.
 */
export class ClientRegistry implements OAuthRegisteredClientsStore {
  private readonly preregistered: Map<string, PreRegisteredClient>;
  private readonly cimdCache = new Map<string, { client: OAuthClientInformationFull; until: number }>();

  constructor(
    private readonly db: StateDb,
    private readonly config: BridgeConfig['oauth'],
    /** Extra trusted CA for fetching metadata documents (a private PKI, or the tests' own CA). */
    private readonly cimdCa?: string,
  ) {
    this.preregistered = new Map(config.clients.map((c) => [c.client_id, c]));
  }

  async getClient(clientId: string): Promise<OAuthClientInformationFull | undefined> {
    return (await this.find(clientId))?.info;
  }

  async find(clientId: string): Promise<KnownClient | undefined> {
    const pre = this.preregistered.get(clientId);
    if (pre) return this.configClient(pre);
    const row = this.db.prepare('SELECT source, metadata FROM clients WHERE client_id = ?').get(clientId) as
      ClientRow | undefined;
    if (row) return fromRow(row, this.preregisteredMaySkipConsent);
    if (this.config.client_id_metadata_documents && clientId.startsWith('https://')) {
      const info = await this.metadataDocument(clientId);
      return info && { info, source: 'cimd', skipConsent: false };
    }
    return undefined;
  }

  /** RFC 7591 registration, limited by the redirect policy; the result is always a public client. */
  registerClient(
    client: Omit<OAuthClientInformationFull, 'client_id_issued_at'>,
  ): OAuthClientInformationFull {
    if (!this.config.dcr.enabled)
      throw new CustomOAuthError(
        'access_denied',
        'Dynamic client registration is disabled (oauth.dcr.enabled).',
      );
    this.checkRedirects(client.redirect_uris);
    const clientId = (client as { client_id?: string }).client_id;
    if (!clientId) throw new InvalidClientMetadataError('client_id generation is required');
    const info = publicClient({ ...client, client_id: clientId, client_id_issued_at: nowSeconds() });
    this.db
      .prepare("INSERT INTO clients (client_id, source, metadata, created_at) VALUES (?, 'dcr', ?, ?)")
      .run(clientId, JSON.stringify(info), nowSeconds());
    return info;
  }

  /** A pre-registered client added in the app (persisted); its redirects follow the same policy as DCR. */
  addPreregistered(
    client: Omit<PreRegisteredClient, 'skip_consent'> & { skip_consent?: boolean },
  ): KnownClient {
    if (
      this.preregistered.has(client.client_id) ||
      this.db.prepare('SELECT 1 FROM clients WHERE client_id = ?').get(client.client_id)
    )
      throw new Error(`A client with id "${client.client_id}" already exists.`);
    this.checkRedirects(client.redirect_uris);
    const info = publicClient({
      client_id: client.client_id,
      client_name: client.client_name,
      redirect_uris: client.redirect_uris,
      client_id_issued_at: nowSeconds(),
    });
    const metadata = { ...info, [SKIP_CONSENT]: client.skip_consent ?? false };
    this.db
      .prepare(
        "INSERT INTO clients (client_id, source, metadata, created_at) VALUES (?, 'preregistered', ?, ?)",
      )
      .run(client.client_id, JSON.stringify(metadata), nowSeconds());
    return fromRow(
      { source: 'preregistered', metadata: JSON.stringify(metadata) },
      this.preregisteredMaySkipConsent,
    );
  }

  /** Every registered client: from the config file (fixed), added in the app, and dynamically registered. */
  listRegistered(): Array<KnownClient & { fromConfig: boolean }> {
    const pre = [...this.preregistered.values()].map((c) => ({ ...this.configClient(c), fromConfig: true }));
    const stored = (
      this.db.prepare('SELECT source, metadata FROM clients ORDER BY created_at').all() as ClientRow[]
    ).map((r) => ({ ...fromRow(r, this.preregisteredMaySkipConsent), fromConfig: false }));
    return [...pre, ...stored];
  }

  /** Removes a client added in the app or registered dynamically (config-file clients stay: edit the file). */
  removeRegistered(clientId: string): boolean {
    return this.db.prepare('DELETE FROM clients WHERE client_id = ?').run(clientId).changes > 0;
  }

  isFromConfig(clientId: string): boolean {
    return this.preregistered.has(clientId);
  }

  /** `oauth.consent_for_preregistered` turns the consent page on even for pre-registered clients. */
  private get preregisteredMaySkipConsent(): boolean {
    return !this.config.consent_for_preregistered;
  }

  private configClient(c: PreRegisteredClient): KnownClient {
    return {
      info: publicClient({
        client_id: c.client_id,
        client_name: c.client_name,
        redirect_uris: c.redirect_uris,
      }),
      source: 'preregistered',
      skipConsent: c.skip_consent && this.preregisteredMaySkipConsent,
    };
  }

  private checkRedirects(uris: readonly string[]): void {
    for (const uri of uris) {
      const why = redirectRefusal(uri, this.config.dcr.allowed_redirect_patterns);
      if (why) throw new CustomOAuthError('invalid_redirect_uri', `Registration refused: ${why}.`);
    }
  }

  private async metadataDocument(url: string): Promise<OAuthClientInformationFull | undefined> {
    const cached = this.cimdCache.get(url);
    if (cached && cached.until > Date.now()) return cached.client;
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(await fetchSmallHttps(url, this.cimdCa)) as Record<string, unknown>;
    } catch (err) {
      throw new InvalidClientMetadataError(
        `Cannot fetch the client metadata document ${url}: ${(err as Error).message}`,
      );
    }
    if (doc.client_id !== url) {
      throw new InvalidClientMetadataError(
        `The client metadata document at ${url} names client_id "${String(doc.client_id)}"; it must be exactly its own URL.`,
      );
    }
    const redirects = Array.isArray(doc.redirect_uris)
      ? doc.redirect_uris.filter((u): u is string => typeof u === 'string')
      : [];
    if (!redirects.length)
      throw new InvalidClientMetadataError(`The client metadata document at ${url} has no redirect_uris.`);
    this.checkRedirects(redirects);
    const client = publicClient({
      client_id: url,
      client_name: typeof doc.client_name === 'string' ? doc.client_name : undefined,
      client_uri: typeof doc.client_uri === 'string' ? doc.client_uri : undefined,
      redirect_uris: redirects,
    });
    this.cimdCache.set(url, { client, until: Date.now() + CIMD_CACHE_MS });
    return client;
  }
}

const SKIP_CONSENT = 'x_bridge_skip_consent';
type ClientRow = { source: 'dcr' | 'preregistered'; metadata: string };

function fromRow(row: ClientRow, preregisteredMaySkipConsent: boolean): KnownClient {
  const { [SKIP_CONSENT]: skip, ...info } = JSON.parse(row.metadata) as OAuthClientInformationFull & {
    [SKIP_CONSENT]?: boolean;
  };
  return {
    info: info as OAuthClientInformationFull,
    source: row.source,
    // Dynamically registered clients always see the consent page: their names are unverified.
    skipConsent: row.source === 'preregistered' && skip === true && preregisteredMaySkipConsent,
  };
}

function publicClient(
  info: Partial<OAuthClientInformationFull> & { client_id: string; redirect_uris: string[] },
): OAuthClientInformationFull {
  const { client_secret: _s, client_secret_expires_at: _e, ...rest } = info;
  return {
    ...rest,
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  } as OAuthClientInformationFull;
}

/** GET over https with a timeout, a size cap and no redirects (SSRF hygiene for metadata documents). */
function fetchSmallHttps(url: string, ca?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, timeout: 5000, headers: { accept: 'application/json' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`HTTP ${res.statusCode}`));
        return;
      }
      let size = 0;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > CIMD_MAX_BYTES) {
          req.destroy(new Error(`larger than ${CIMD_MAX_BYTES} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

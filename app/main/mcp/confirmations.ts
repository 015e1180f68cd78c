import crypto from 'node:crypto';
import {
  createRequestStateCodec,
  type RequestStateCodec,
  type ServerContext,
} from '@modelcontextprotocol/server';

/** What a write's preview hands to its confirmation round: signed, short-lived, bound to user and statement. */
export interface WriteConfirmation {
  /** One-time id: a confirmation runs its statement at most once, even when replayed. */
  id: string;
  subject: string;
  clientId: string;
  profile: string;
  database: string;
  /** SHA-256 of the statement text: the confirmation is for this statement and no other. */
  statementHash: string;
  /** Rows affected per result of the previewed statement (rolled back); the commit must match it. */
  effect: number[];
  /** Set when the person answers at the approval page (URL-mode elicitation): the decision is that write's. */
  pendingWriteId?: string;
  /**
   * `card`: handed to the write's MCP App view (in the result's `_meta`, which hosts keep from the model), to be
   * spent once by the view's `decide_write`. Never accepted as the request state of a write's second round.
   */
  purpose?: 'card';
}

/**
 * The request state of MCP's multi round-trip requests (2026-07-28), signed with the SDK's HMAC codec. It
 * crosses the client, so it is integrity-protected and expires; the key comes from the keychain (derived from
 * the state key), so any instance of the bridge can verify what another minted. Replay is stopped by
 * `consume`, which records the id in the state database.
 */
export class ConfirmationCodec {
  private readonly codec: RequestStateCodec<WriteConfirmation>;

  constructor(
    key: Buffer,
    private readonly ttlSeconds: number,
    private readonly claimOnce: (id: string, expiresAt: number) => Promise<boolean>,
  ) {
    this.codec = createRequestStateCodec<WriteConfirmation>({ key, ttlSeconds });
  }

  static statementHash(sqlText: string): string {
    return crypto.createHash('sha256').update(sqlText).digest('base64url');
  }

  mint(c: Omit<WriteConfirmation, 'id'>): Promise<string> {
    return this.codec.mint({ ...c, id: crypto.randomUUID() });
  }

  /** For ServerOptions.requestState.verify: throws on a bad MAC, expiry or malformed state. */
  verify(state: string, ctx: ServerContext): Promise<WriteConfirmation> {
    return this.codec.verify(state, ctx);
  }

  /** True the first time a confirmation is used, false on every replay. */
  consume(c: WriteConfirmation): Promise<boolean> {
    return this.claimOnce(`write-confirmation ${c.id}`, Math.floor(Date.now() / 1000) + this.ttlSeconds);
  }
}

import { errors } from 'oidc-provider';
import type { ClientRows } from '../state/client-rows.js';

class TooManyRegistrations extends errors.OIDCProviderError {
  constructor(description: string) {
    super(429, 'too_many_requests');
    this.error_description = description;
  }
}

/** A registration nobody signed in with for this long is dropped (a client that registered and gave up). */
const UNFINISHED_TTL_SECONDS = 24 * 3600;

/**
 * Dynamic registrations per requester and hour. Every local client comes from 127.0.0.1, so the requester is
 * what the registration names (client_name, else its redirect host and port): one noisy client exhausts its own
 * allowance, not everyone's. There is no total that a flood of made-up names could use up: what bounds storage
 * is that unfinished registrations (no one ever signed in with them) expire after a day, and only the newest
 * `10 × max_per_hour` of them are kept — a flood pushes out its own oldest rows, and a client that finished its
 * sign-in is never removed. Counts are persisted, so a restart does not reset them.
 */
export class RegistrationLimit {
  constructor(
    private readonly clients: ClientRows,
    private readonly perRequester: number,
  ) {}

  /** The unfinished registrations kept at most (the storage bound). */
  get unfinishedKept(): number {
    return this.perRequester * 10;
  }

  /** Counts one registration, or throws 429 with the sentence to show. */
  async take(body: Record<string, unknown> | undefined): Promise<void> {
    const requester = requesterOf(body);
    const hour = Math.floor(Date.now() / 3_600_000);
    if ((await this.clients.countRegistration(requester, hour)) > this.perRequester)
      throw new TooManyRegistrations(
        `This client (${requester}) registered ${this.perRequester} times this hour; reuse its client_id, or try again within the hour (oauth.dcr.max_per_hour).`,
      );
    // Expired unfinished registrations go, then all but the newest `unfinishedKept` (this one is stored after).
    await this.clients.dropUnfinished(
      Math.floor(Date.now() / 1000) - UNFINISHED_TTL_SECONDS,
      this.unfinishedKept - 1,
    );
  }
}

function requesterOf(body: Record<string, unknown> | undefined): string {
  if (typeof body?.client_name === 'string' && body.client_name)
    return `name:${body.client_name.slice(0, 200)}`;
  const first: unknown = Array.isArray(body?.redirect_uris) ? body.redirect_uris[0] : undefined;
  if (typeof first === 'string' && URL.canParse(first)) return `redirect:${new URL(first).host}`;
  return 'anonymous';
}

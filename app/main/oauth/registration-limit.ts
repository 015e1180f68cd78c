import { errors } from 'oidc-provider';
import type { StateDb } from '../state/database.js';

class TooManyRegistrations extends errors.OIDCProviderError {
  constructor(description: string) {
    super(429, 'too_many_requests');
    this.error_description = description;
  }
}

/**
 * Dynamic registrations per requester and hour. Every local client comes from 127.0.0.1, so the requester is
 * what the registration names (client_name, else its redirect host and port): one noisy client exhausts its
 * own allowance, not everyone's. A total of ten allowances an hour bounds what a client varying its name can
 * store. Counts are persisted, so a restart does not reset them.
 */
export class RegistrationLimit {
  constructor(
    private readonly db: StateDb,
    private readonly perRequester: number,
  ) {}

  /** Counts one registration, or throws 429 with the sentence to show. */
  take(body: Record<string, unknown> | undefined): void {
    const requester = requesterOf(body);
    const hour = Math.floor(Date.now() / 3_600_000);
    const count = (r: string) =>
      (
        this.db
          .prepare('SELECT count FROM registration_counts WHERE requester = ? AND hour = ?')
          .get(r, hour) as { count: number } | undefined
      )?.count ?? 0;
    const total = (
      this.db
        .prepare('SELECT COALESCE(SUM(count), 0) AS n FROM registration_counts WHERE hour = ?')
        .get(hour) as {
        n: number;
      }
    ).n;
    if (count(requester) >= this.perRequester)
      throw new TooManyRegistrations(
        `This client (${requester}) registered ${this.perRequester} times this hour; reuse its client_id, or try again within the hour (oauth.dcr.max_per_hour).`,
      );
    if (total >= this.perRequester * 10)
      throw new TooManyRegistrations(
        'Too many client registrations this hour; try again later (oauth.dcr.max_per_hour).',
      );
    this.db
      .prepare(
        'INSERT INTO registration_counts (requester, hour, count) VALUES (?, ?, 1) ON CONFLICT(requester, hour) DO UPDATE SET count = count + 1',
      )
      .run(requester, hour);
    this.db.prepare('DELETE FROM registration_counts WHERE hour < ?').run(hour - 1);
  }
}

function requesterOf(body: Record<string, unknown> | undefined): string {
  if (typeof body?.client_name === 'string' && body.client_name)
    return `name:${body.client_name.slice(0, 200)}`;
  const first: unknown = Array.isArray(body?.redirect_uris) ? body.redirect_uris[0] : undefined;
  if (typeof first === 'string' && URL.canParse(first)) return `redirect:${new URL(first).host}`;
  return 'anonymous';
}

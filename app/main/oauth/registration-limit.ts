import { errors } from 'oidc-provider';
import type { Sql } from '../state/sql.js';

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
    private readonly sql: Sql,
    private readonly perRequester: number,
  ) {}

  /** Counts one registration, or throws 429 with the sentence to show. */
  async take(body: Record<string, unknown> | undefined): Promise<void> {
    const requester = requesterOf(body);
    const hour = Math.floor(Date.now() / 3_600_000);
    // Counted first, checked after: two registrations at once (on two instances) cannot both slip under.
    const mine = await this.sql.get<{ count: number }>(
      'INSERT INTO registration_counts (requester, hour, count) VALUES (?, ?, 1) ON CONFLICT(requester, hour) DO UPDATE SET count = registration_counts.count + 1 RETURNING count',
      [requester, hour],
    );
    const total = await this.sql.get<{ n: number }>(
      'SELECT COALESCE(SUM(count), 0) AS n FROM registration_counts WHERE hour = ?',
      [hour],
    );
    await this.sql.run('DELETE FROM registration_counts WHERE hour < ?', [hour - 1]);
    if (Number(mine?.count) > this.perRequester)
      throw new TooManyRegistrations(
        `This client (${requester}) registered ${this.perRequester} times this hour; reuse its client_id, or try again within the hour (oauth.dcr.max_per_hour).`,
      );
    if (Number(total?.n) > this.perRequester * 10)
      throw new TooManyRegistrations(
        'Too many client registrations this hour; try again later (oauth.dcr.max_per_hour).',
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

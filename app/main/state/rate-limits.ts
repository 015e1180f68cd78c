import type pg from 'pg';
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

/** A limit of requests per minute, one counter for everyone: whether one more request may go ahead now. */
export interface RequestLimit {
  take(): Promise<boolean>;
}

/** Makes the named limits; in team mode every instance counts against the same ones. */
export type RateLimits = (name: string, perMinute: number) => RequestLimit;

function limitOver(limiter: RateLimiterAbstract): RequestLimit {
  return {
    take: () =>
      limiter.consume('all').then(
        () => true,
        (res: unknown) => {
          if (res instanceof RateLimiterRes) return false;
          throw res;
        },
      ),
  };
}

/** One process holds the data directory (state/data-dir-lock.ts): its counters in memory are the only ones. */
export const memoryRateLimits: RateLimits = (name, perMinute) =>
  limitOver(new RateLimiterMemory({ keyPrefix: name, points: perMinute, duration: 60 }));

/**
 * Team mode: the counters in PostgreSQL (table `rate_limits`, made by the migrations), so N instances allow
 * the configured rate, not N times it. While PostgreSQL does not answer, each instance counts in memory
 * (rate-limiter-flexible's insurance limiter) rather than refusing or letting everything through.
 */
export function postgresRateLimits(pool: pg.Pool): RateLimits {
  return (name, perMinute) =>
    limitOver(
      new RateLimiterPostgres({
        storeClient: pool,
        storeType: 'pool',
        tableName: 'rate_limits',
        tableCreated: true,
        keyPrefix: name,
        points: perMinute,
        duration: 60,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: name, points: perMinute, duration: 60 }),
      }),
    );
}

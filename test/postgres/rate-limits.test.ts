/**
 * Team mode's request limits are shared: two instances on one PostgreSQL allow the configured rate between
 * them, not twice it; with PostgreSQL gone each instance still counts (in memory) instead of failing requests.
 */
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { migratePostgres } from '../../app/main/state/migrations.js';
import { postgresRateLimits } from '../../app/main/state/rate-limits.js';
import { freePort } from '../support/ports.js';
import { createTestDatabase } from '../support/test-database.js';

const pools: pg.Pool[] = [];
afterEach(async () => {
  while (pools.length) await pools.pop()!.end();
});
const pool = (url: string) => {
  const p = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 2000 });
  p.on('error', () => undefined);
  pools.push(p);
  return p;
};

describe('rate limits in team mode', () => {
  it('shared-rate-limit: two instances on one database allow the configured rate between them', async () => {
    const url = await createTestDatabase();
    await migratePostgres(pool(url));
    const a = postgresRateLimits(pool(url))('token', 5);
    const b = postgresRateLimits(pool(url))('token', 5);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await a.take(), await b.take());
    expect(answers).toEqual([true, true, true, true, true, false, false, false]);
    // Another limit keeps its own count.
    expect(await postgresRateLimits(pool(url))('authorize', 5).take()).toBe(true);
  });

  it('rate-limit-store-down: without PostgreSQL an instance counts in memory rather than failing the request', async () => {
    const dead = `postgres://bridge@127.0.0.1:${await freePort()}/none`;
    const limit = postgresRateLimits(pool(dead))('token', 2);
    expect([await limit.take(), await limit.take(), await limit.take()]).toEqual([true, true, false]);
  });
});

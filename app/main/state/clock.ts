/** What time it is, as the services that decide on expiry ask it: one seam, so tests move time instead of waiting. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Whole seconds since the epoch (JWT and stored expiry times). */
export const nowSeconds = (clock: Clock = systemClock): number => Math.floor(clock.now() / 1000);

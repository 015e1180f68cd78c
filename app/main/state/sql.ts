/** A row as a driver returns it. */
export type Row = Record<string, unknown>;

/**
 * The state stores' one way to reach SQL, whichever engine holds the state: statements with `?`
 * placeholders, asynchronous, transactions as a callback. The stores write SQL both engines accept (SQLite
 * 3.35+ and PostgreSQL: ON CONFLICT, RETURNING); what differs is asked of `dialect`.
 */
export interface StateSql {
  readonly dialect: 'sqlite' | 'postgres';
  all<T = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
  get<T = Row>(text: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** Runs a statement; the number of rows it changed. */
  run(text: string, params?: readonly unknown[]): Promise<number>;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. On PostgreSQL rows
   * read with `FOR UPDATE` stay locked until the end, so two instances serialize on them.
   */
  tx<T>(fn: (t: StateSql) => Promise<T>): Promise<T>;
}

/** Serializes async sections on one connection (SQLite: a transaction must not interleave with other calls). */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

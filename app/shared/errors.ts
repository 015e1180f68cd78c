/**
 * The bridge's own failures, as one family: the message is a sentence for a person (what happened and what to
 * do), said as it is by every surface — a tool result, a page, the control API, the CLI (no stack trace) — and
 * `code` is stable for tests and logs. Surfaces test `instanceof BridgeError`, never a class name. Errors of
 * drivers and libraries are not these: they are explained where they are met (SQL Server's in `sql/errors.ts`,
 * the state store's in `state/state-errors.ts`, which wraps them in one of these).
 */
export class BridgeError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * An error and what caused it, outermost first (at most six deep): libraries keep the useful part — the HTTP
 * response, the network code, the bridge's own sentence — a few `cause`s down. `T` is the shape the caller reads.
 */
export function causeChain<T extends object = Record<string, unknown>>(err: unknown): T[] {
  const chain: T[] = [];
  for (
    let c: unknown = err;
    c && typeof c === 'object' && chain.length < 6;
    c = (c as { cause?: unknown }).cause
  )
    chain.push(c as T);
  return chain;
}

/**
 * Whether `err` is the timeout of `AbortSignal.timeout()`: a DOMException, which has no subclasses — its
 * `name` is how the platform tells its kinds apart (WHATWG DOM), so this is the one place that reads it.
 */
export function isAbortTimeout(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'TimeoutError';
}

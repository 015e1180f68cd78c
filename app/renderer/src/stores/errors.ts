/** A message fit for the screen from whatever a control request threw. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs a control request for a store: on success clears the store's error and returns the result; on failure
 * puts the message in the store's `error` and returns undefined (the page shows it; nothing throws).
 */
export function attempter(set: (patch: { error?: string }) => void) {
  return async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      const v = await fn();
      set({ error: undefined });
      return v;
    } catch (err) {
      set({ error: messageOf(err) });
      return undefined;
    }
  };
}

import { ControlError } from '../../../shared/control/control-error.js';

/** A message fit for the screen from whatever a control request threw. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs a control request for a store: on success clears the store's error and returns the result; on failure
 * puts the message in the store's `error` and returns undefined (the page shows it; nothing throws).
 */
export function attempter(set: (patch: { error?: string; fieldErrors?: FieldErrors }) => void) {
  return async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      const v = await fn();
      set({ error: undefined, fieldErrors: undefined });
      return v;
    } catch (err) {
      const fields = err instanceof ControlError ? err.fields : undefined;
      // Field problems are shown next to their fields; the banner only says where to look.
      set({
        error: fields ? 'Some fields need attention: see the messages next to them.' : messageOf(err),
        fieldErrors: fields,
      });
      return undefined;
    }
  };
}

/** Bad parameters of the last request, by field path (`row_limit`, `auth.user`). */
export type FieldErrors = Record<string, string>;

/** A message fit for the screen from whatever a control request threw. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

import type { ControlApi, ControlEvent, ControlResults } from './contract.js';
import { ControlError } from './control-error.js';

/**
 * The contract over HTTP for the browser UI and for tests (no Node-only imports: the renderer bundles it).
 * Events are read with fetch rather than EventSource, so the token travels in the Authorization header and
 * never in a URL; the stream reconnects after a drop.
 */
export function controlHttpClient(baseUrl: string, token: string): ControlApi {
  const headers = { authorization: `Bearer ${token}` };
  return {
    async request(method, params) {
      const res = await fetch(`${baseUrl}/control/rpc`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ method, params }),
      });
      const body = (await res.json().catch(() => ({}))) as {
        result?: unknown;
        error?: string;
        error_description?: string;
        fields?: Record<string, string>;
      };
      if (!res.ok)
        throw new ControlError(
          body.error_description ?? `HTTP ${res.status}`,
          (body.error as 'bad_request') ?? 'failed',
          body.fields,
        );
      // The server answers the method it was asked (the contract is shared): its result type.
      return body.result as ControlResults[typeof method];
    },
    subscribe(listener, onState?: (connected: boolean) => void) {
      const abort = new AbortController();
      void (async () => {
        for (let attempt = 0; !abort.signal.aborted; attempt++) {
          try {
            const res = await fetch(`${baseUrl}/control/events`, { headers, signal: abort.signal });
            if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
            attempt = 0;
            onState?.(true);
            await readEvents(res.body, listener);
          } catch {
            if (abort.signal.aborted) return;
          }
          onState?.(false);
          await new Promise((r) => setTimeout(r, Math.min(5_000, 250 * 2 ** attempt)));
        }
      })();
      return () => abort.abort();
    },
  };
}

/** Parses a text/event-stream body ("event:" + "data:" blocks separated by a blank line). */
async function readEvents(
  body: ReadableStream<Uint8Array>,
  listener: (e: ControlEvent) => void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = '';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) type = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (type && data) listener({ type, data: JSON.parse(data) as unknown } as ControlEvent);
    }
  }
}

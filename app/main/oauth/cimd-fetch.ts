import { Agent, fetch as undiciFetch } from 'undici';
import type { Configuration } from 'oidc-provider';

/**
 * A fetch for client metadata documents that trusts one extra CA and, unlike oidc-provider's own, reaches
 * loopback: the test-only exception to its SSRF guard, for documents served by a local TLS test server.
 */
export function cimdFetchTrusting(ca: string): NonNullable<Configuration['fetch']> {
  const dispatcher = new Agent({ connect: { ca } });
  return ((url: string | URL, options: Record<string, unknown>) => {
    const { dispatcher: _ssrfGuarded, ...rest } = options;
    return undiciFetch(url, { ...rest, dispatcher });
  }) as unknown as NonNullable<Configuration['fetch']>;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A loopback redirect (RFC 8252 §7.3): http(s) on localhost, 127.0.0.1 or [::1]. */
export function isLoopbackRedirect(uri: string): boolean {
  try {
    const u = new URL(uri);
    return (u.protocol === 'http:' || u.protocol === 'https:') && LOOPBACK_HOSTS.has(u.hostname);
  } catch {
    return false;
  }
}

/**
 * Pattern match for configured DCR redirect patterns: exact, except `*`, which matches within one path
 * segment or host label (never `/`, `.`, `?` or `#`), so `https://*.example.com/cb` cannot match
 * `https://evil.com/.example.com/cb`.
 */
export function matchesRedirectPattern(uri: string, pattern: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('[^/.?#]*')}$`);
  return re.test(uri);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Why a redirect URI may not be registered, or undefined when it may. */
export function redirectRefusal(uri: string, allowedPatterns: readonly string[]): string | undefined {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return `"${uri}" is not an absolute URL`;
  }
  if (u.hash) return `"${uri}" has a fragment, which redirect URIs may not have`;
  if (isLoopbackRedirect(uri)) return undefined;
  if (allowedPatterns.some((p) => matchesRedirectPattern(uri, p))) return undefined;
  return `"${uri}" is not a loopback address and matches none of oauth.dcr.allowed_redirect_patterns`;
}

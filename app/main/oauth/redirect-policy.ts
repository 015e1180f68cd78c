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

/**
 * Why a redirect URI is malformed for any client, or undefined. Refused: a fragment (RFC 6749 §3.1.2),
 * userinfo (RFC 8252 §8.x: `http://claude.ai@127.0.0.1/` reads as claude.ai on a consent page), and any
 * spelling that is not the URL's own normal form (`LOCALHOST`, `127.1`, `127.0.0.1.`, `:80`): redirect URIs are
 * compared as exact strings, so one address must have one spelling.
 */
export function redirectSyntaxRefusal(uri: string): string | undefined {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return `"${uri}" is not an absolute URL`;
  }
  if (uri.includes('#')) return `"${uri}" has a fragment, which redirect URIs may not have`;
  if (u.username || u.password)
    return `"${uri}" has a user name or password before the host, which redirect URIs may not have`;
  if (u.hostname.endsWith('.'))
    return `"${uri}" ends its host with a dot; write "${u.hostname.slice(0, -1)}"`;
  if (u.href !== uri && u.href !== `${uri}/`)
    return `"${uri}" is not in normal form; register it as "${u.href}"`;
  return undefined;
}

/** Why a redirect URI may not be registered (DCR, the app, CIMD documents), or undefined when it may. */
export function redirectRefusal(uri: string, allowedPatterns: readonly string[]): string | undefined {
  const malformed = redirectSyntaxRefusal(uri);
  if (malformed) return malformed;
  if (isLoopbackRedirect(uri)) return undefined;
  if (allowedPatterns.some((p) => matchesRedirectPattern(uri, p))) return undefined;
  return `"${uri}" is not a loopback address and matches none of oauth.dcr.allowed_redirect_patterns`;
}

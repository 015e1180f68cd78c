import { describe, expect, it } from 'vitest';
import { redirectUriMatches } from '@modelcontextprotocol/sdk/server/auth/handlers/authorize.js';
import {
  isLoopbackRedirect,
  matchesRedirectPattern,
  redirectRefusal,
} from '../../app/main/oauth/redirect-policy.js';

describe('redirect policy', () => {
  it('treats only localhost, 127.0.0.1 and [::1] as loopback', () => {
    expect(isLoopbackRedirect('http://127.0.0.1:1234/cb')).toBe(true);
    expect(isLoopbackRedirect('http://localhost/cb')).toBe(true);
    expect(isLoopbackRedirect('http://[::1]:9/cb')).toBe(true);
    expect(isLoopbackRedirect('http://127.0.0.2/cb')).toBe(false);
    expect(isLoopbackRedirect('http://localhost.evil.example/cb')).toBe(false);
    expect(isLoopbackRedirect('http://127.0.0.1@evil.example/cb')).toBe(false);
    expect(isLoopbackRedirect('not a url')).toBe(false);
  });

  it('lets * match within one segment only', () => {
    expect(
      matchesRedirectPattern(
        'https://claude.ai/api/mcp/auth_callback',
        'https://claude.ai/api/mcp/auth_callback',
      ),
    ).toBe(true);
    expect(matchesRedirectPattern('https://a.example.com/cb', 'https://*.example.com/cb')).toBe(true);
    expect(matchesRedirectPattern('https://evil.com/x.example.com/cb', 'https://*.example.com/cb')).toBe(
      false,
    );
    expect(matchesRedirectPattern('https://a.b.example.com/cb', 'https://*.example.com/cb')).toBe(false);
    expect(
      matchesRedirectPattern(
        'https://claude.ai/api/mcp/auth_callback?x=1',
        'https://claude.ai/api/mcp/auth_callback',
      ),
    ).toBe(false);
  });

  it('refuses registrations that are neither loopback nor allowed, and fragments', () => {
    expect(redirectRefusal('http://127.0.0.1/cb', [])).toBeUndefined();
    expect(
      redirectRefusal('https://claude.ai/api/mcp/auth_callback', ['https://claude.ai/api/mcp/auth_callback']),
    ).toBeUndefined();
    expect(redirectRefusal('https://claude.ai/api/mcp/auth_callback', [])).toContain(
      'allowed_redirect_patterns',
    );
    expect(redirectRefusal('http://127.0.0.1/cb#frag', [])).toContain('fragment');
    expect(redirectRefusal('/relative', [])).toContain('not an absolute URL');
  });

  it('the SDK matcher the /authorize handler uses relaxes only the loopback port (RFC 8252 §7.3)', () => {
    expect(
      redirectUriMatches('http://127.0.0.1:5555/oauth/callback', 'http://127.0.0.1/oauth/callback'),
    ).toBe(true);
    expect(
      redirectUriMatches('http://localhost:5555/oauth/callback', 'http://127.0.0.1/oauth/callback'),
    ).toBe(false);
    expect(redirectUriMatches('http://127.0.0.1:5555/oauth/other', 'http://127.0.0.1/oauth/callback')).toBe(
      false,
    );
    expect(redirectUriMatches('https://vscode.dev:444/redirect', 'https://vscode.dev/redirect')).toBe(false);
  });
});

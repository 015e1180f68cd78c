/**
 * A minimal browser for OAuth tests over plain HTTP: follows redirects, keeps cookies per host, and fills
 * the real forms it meets (the test IdP's login form, the bridge's consent page), submitting a form's button
 * value as `decision`. It stops at the first
 * redirect to `stopAt` (the MCP client's redirect URI), as a native client's loopback listener would.
 */
export interface BrowseOptions {
  stopAt: string;
  login?: { user: string; password: string };
  consent?: 'allow' | 'deny';
  maxSteps?: number;
}

export type BrowseResult =
  | { kind: 'redirected'; url: URL }
  | { kind: 'page'; status: number; url: URL; html: string; headers: Headers };

export class UserAgent {
  private readonly cookies = new Map<string, Map<string, string>>();

  /** `fetchImpl`: how to reach hosts (a proxy's TLS name resolved and its certificate trusted). */
  constructor(private readonly fetchImpl: typeof fetch = fetch) {}

  async browse(start: string, opts: BrowseOptions): Promise<BrowseResult> {
    let url = new URL(start);
    let init: RequestInit = { method: 'GET' };
    for (let step = 0; step < (opts.maxSteps ?? 20); step++) {
      if (url.href.startsWith(opts.stopAt)) return { kind: 'redirected', url };
      const res = await this.fetch(url, init);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        url = new URL(location, url);
        init = { method: 'GET' };
        continue;
      }
      const html = await res.text();
      const form = parseForm(html);
      const isLogin = form && 'login' in form.fields && 'password' in form.fields;
      const isConsent = form && /^\/interaction\/[^/]+\/confirm$/.test(form.action);
      if (isLogin && opts.login && !/class="error"/.test(html)) {
        form.fields.login = opts.login.user;
        form.fields.password = opts.login.password;
        ({ url, init } = post(url, form.action, form.fields));
        continue;
      }
      if (isConsent && opts.consent) {
        ({ url, init } = post(url, form.action, { ...form.fields, decision: opts.consent }));
        continue;
      }
      return { kind: 'page', status: res.status, url, html, headers: res.headers };
    }
    throw new Error(`too many steps browsing from ${start}`);
  }

  async fetch(url: URL, init: RequestInit = {}): Promise<Response> {
    const jar = this.cookies.get(url.host);
    const headers = new Headers(init.headers);
    if (jar?.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await this.fetchImpl(url, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const map = this.cookies.get(url.host) ?? new Map<string, string>();
      const value = pair!.slice(eq + 1);
      if (/expires=Thu, 01 Jan 1970/i.test(c) || value === '') map.delete(pair!.slice(0, eq));
      else map.set(pair!.slice(0, eq), value);
      this.cookies.set(url.host, map);
    }
    return res;
  }
}

function post(base: URL, action: string, fields: Record<string, string>): { url: URL; init: RequestInit } {
  const url = new URL(action, base);
  return {
    url,
    init: {
      method: 'POST',
      body: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url.origin },
    },
  };
}

const unescape = (s: string) =>
  s
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#39;/g, "'");

function parseForm(html: string): { action: string; fields: Record<string, string> } | undefined {
  const form = /<form[^>]*method="post"[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const fields: Record<string, string> = {};
  for (const m of form[2]!.matchAll(/<input([^>]*)>/gi)) {
    const name = /name="([^"]*)"/.exec(m[1]!)?.[1];
    if (name) fields[name] = unescape(/value="([^"]*)"/.exec(m[1]!)?.[1] ?? '');
  }
  return { action: unescape(form[1]!), fields };
}

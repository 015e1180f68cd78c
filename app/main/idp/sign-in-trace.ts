import crypto from 'node:crypto';
import type { TraceStep } from '../../shared/types.js';

/**
 * Names whose values are credentials, wherever they appear (query, form body, JSON): shown as their length and a
 * short hash, so two steps can be seen to carry the same value without the value being shown or exported.
 */
const SECRET_NAMES = new Set([
  'code',
  'code_verifier',
  'client_secret',
  'client_assertion',
  'access_token',
  'refresh_token',
  'id_token',
  'id_token_hint',
  'password',
  'assertion',
  'subject_token',
]);

/** A credential as the trace shows it: never the value. */
export function redacted(value: string): string {
  const hash = crypto.createHash('sha256').update(value).digest('base64url').slice(0, 8);
  return `[redacted: ${value.length} characters, sha256 ${hash}…]`;
}

const isSecretName = (name: string) => SECRET_NAMES.has(name.toLowerCase());

/** A copy of a parameter or JSON object with every credential replaced by its redacted form. */
export function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields))
    out[k] = isSecretName(k) && typeof v === 'string' ? redacted(v) : v;
  return out;
}

/** Query or form parameters for a step's detail, credentials redacted. */
export const traceParams = (p: URLSearchParams) => redactFields(Object.fromEntries(p));

/** A Basic authorization header carries the client secret: only the client id is shown. */
function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== 'authorization') continue;
    const [scheme, value] = v.split(' ', 2);
    if (scheme?.toLowerCase() === 'basic' && value) {
      const id = Buffer.from(value, 'base64').toString().split(':')[0] ?? '';
      out[k] = `Basic [client ${decodeURIComponent(id)}, secret redacted]`;
    } else out[k] = `${scheme} ${redacted(value ?? '')}`;
  }
  return out;
}

/** The step names HTTP exchanges get, from the discovered endpoints. */
export interface Endpoints {
  token_endpoint?: string;
  jwks_uri?: string;
  userinfo_endpoint?: string;
  revocation_endpoint?: string;
}

/**
 * Every step of one test sign-in, in order: HTTP exchanges with the IdP (through openid-client's custom fetch),
 * the parameters sent and received, and each check applied. Holds no credential: values named as secrets are
 * redacted as they are recorded; only the ID token is kept aside (`idToken`) for an explicit reveal.
 */
export class SignInTrace {
  readonly steps: TraceStep[] = [];
  /** The raw ID token, for "Reveal" in the UI; never part of a step, a report or a log. */
  idToken?: string;
  endpoints: Endpoints = {};
  /** The IdP's token lifetimes in seconds, as its token response and ID token state them. */
  lifetimes?: { access?: number; id?: number; refresh?: number; refreshIssued: boolean };
  private readonly started = Date.now();

  add(step: Omit<TraceStep, 'id' | 'atMs'>): TraceStep {
    const full = { id: this.steps.length + 1, atMs: Date.now() - this.started, ...step };
    this.steps.push(full);
    return full;
  }

  check(title: string, ok: boolean, detail: Record<string, unknown>): void {
    this.add({ kind: 'check', title, status: ok ? 'ok' : 'fail', detail });
  }

  /** openid-client's fetch, recording each exchange (request and answer, credentials redacted). */
  readonly fetch = async (
    url: string,
    options: {
      method: string;
      headers: Record<string, string>;
      body?: unknown;
      signal?: AbortSignal;
      redirect: 'manual';
    },
  ): Promise<Response> => {
    const started = performance.now();
    const request: Record<string, unknown> = { method: options.method, url: redactUrl(url) };
    const auth = redactHeaders(options.headers);
    if (Object.keys(auth).length) request.headers = auth;
    if (options.body instanceof URLSearchParams) request.body = traceParams(options.body);
    try {
      const res = await fetch(url, options as RequestInit);
      const detail: Record<string, unknown> = {
        request,
        status: res.status,
        durationMs: Math.round(performance.now() - started),
      };
      const type = res.headers.get('content-type') ?? '';
      if (type.includes('json')) {
        const body: unknown = await res
          .clone()
          .json()
          .catch(() => undefined);
        if (body && typeof body === 'object' && !Array.isArray(body))
          detail.response = redactFields(body as Record<string, unknown>);
      }
      this.add({
        kind: 'http',
        title: this.titleOf(url, options.method),
        status: res.ok ? 'ok' : 'fail',
        durationMs: detail.durationMs as number,
        detail,
      });
      return res;
    } catch (err) {
      this.add({
        kind: 'http',
        title: this.titleOf(url, options.method),
        status: 'fail',
        durationMs: Math.round(performance.now() - started),
        detail: { request, error: (err as Error).message },
      });
      throw err;
    }
  };

  private titleOf(url: string, method: string): string {
    const u = url.split('?')[0];
    if (u?.endsWith('/.well-known/openid-configuration')) return 'Discovery document';
    if (u === this.endpoints.token_endpoint) return 'Token request';
    if (u === this.endpoints.jwks_uri) return 'Signing keys (JWKS)';
    if (u === this.endpoints.userinfo_endpoint) return 'UserInfo request';
    if (u === this.endpoints.revocation_endpoint) return 'Token revocation';
    return `${method} ${u}`;
  }
}

/** A URL with credentials in its query replaced (a code in a callback URL, an id_token_hint). */
export function redactUrl(url: string): string {
  const u = new URL(url);
  if (!u.search) return url;
  const redactedParams = new URLSearchParams();
  for (const [k, v] of u.searchParams) redactedParams.append(k, isSecretName(k) ? redacted(v) : v);
  u.search = redactedParams.toString();
  return u.href;
}

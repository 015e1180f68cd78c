import type { StateRepositories } from '../state/repositories.js';
import type { IdpProfiles } from '../idp/profiles.js';
import { systemClock, type Clock } from '../state/clock.js';
import { isAbortTimeout } from '../../shared/errors.js';
import { stateStoreFailure } from '../state/state-errors.js';

export interface Readiness {
  ready: boolean;
  /** Each check as a sentence: "ok", or what is wrong. */
  checks: { database: string; migrations: string; idp: string };
}

const IDP_WAIT_MS = 5000;
/** How long one answer of the IdP is believed: a proxy polling every few seconds does not hammer the IdP. */
const IDP_CACHE_MS = 10_000;

/**
 * The active IdP checked for real: its discovery document fetched (not the copy loaded at the first sign-in),
 * within 5 s, the answer kept 10 s on the core's clock. Says the HTTP status or the network error.
 */
export class IdpProbe {
  private last?: { issuer: string; at: number; verdict: string };

  constructor(private readonly clock: Clock = systemClock) {}

  async check(issuer: string): Promise<string> {
    const now = this.clock.now();
    if (this.last?.issuer === issuer && now - this.last.at < IDP_CACHE_MS) return this.last.verdict;
    const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    let verdict: string;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(IDP_WAIT_MS), redirect: 'manual' });
      const body = res.ok
        ? ((await res.json().catch(() => undefined)) as { issuer?: unknown } | undefined)
        : undefined;
      verdict = !res.ok
        ? `the identity provider answered HTTP ${res.status} for ${url}`
        : body?.issuer === undefined
          ? `${url} is not a discovery document (no issuer)`
          : 'ok';
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const why = isAbortTimeout(e)
        ? `no answer within ${IDP_WAIT_MS / 1000} s`
        : (e.cause?.code ?? e.cause?.message ?? e.message);
      verdict = `the identity provider cannot be reached at ${url} (${why})`;
    }
    this.last = { issuer, at: now, verdict };
    return verdict;
  }
}

/**
 * `/readyz` for a load balancer or orchestrator: the state database answers, its schema is the one this build
 * expects, and the active IdP answers its discovery now (checked for real, briefly cached), so a sign-in routed
 * here can start. A state database that does not answer makes it not ready (503), never an error. `/healthz` is
 * liveness only.
 */
export async function readiness(d: {
  state: Pick<StateRepositories, 'schemaVersion' | 'expectedSchemaVersion'>;
  /** What the store's queries do not show (its file deleted or replaced under the running bridge). */
  storeProblem: () => string | undefined;
  profiles: IdpProfiles;
  probe: IdpProbe;
}): Promise<Readiness> {
  let database = d.storeProblem() ?? 'ok';
  let migrations = 'ok';
  try {
    const version = await d.state.schemaVersion();
    if (version !== d.state.expectedSchemaVersion)
      migrations = `the state database is at schema ${version}, this build expects ${d.state.expectedSchemaVersion}`;
  } catch (err) {
    database =
      stateStoreFailure(err)?.message ?? `the state database does not answer: ${(err as Error).message}`;
    migrations = 'unknown';
  }
  let idp: string;
  try {
    const active = await d.profiles.active();
    idp = active
      ? await d.probe.check(active.issuer)
      : 'no identity provider is configured: nobody can sign in';
  } catch (err) {
    idp = `unknown: the active identity provider could not be read (${(err as Error).message})`;
  }
  return {
    ready: [database, migrations, idp].every((c) => c === 'ok'),
    checks: { database, migrations, idp },
  };
}

import type { StateRepositories } from '../state/repositories.js';
import type { IdpProfiles } from '../idp/profiles.js';
import type { UpstreamIdp } from '../idp/upstream.js';

export interface Readiness {
  ready: boolean;
  /** Each check as a sentence: "ok", or what is wrong. */
  checks: { database: string; migrations: string; idp: string };
}

const IDP_WAIT_MS = 5000;

/**
 * `/readyz` for a load balancer or orchestrator: the state database answers, its schema is the one this build
 * expects, and the active IdP's discovery is loaded (loaded now if it was not, within 5 s), so a sign-in routed
 * here can start. `/healthz` is liveness only.
 */
export async function readiness(d: {
  state: Pick<StateRepositories, 'schemaVersion' | 'expectedSchemaVersion'>;
  profiles: IdpProfiles;
  upstream: Pick<UpstreamIdp, 'ensureDiscovered'>;
}): Promise<Readiness> {
  let database = 'ok';
  let migrations = 'ok';
  try {
    const version = await d.state.schemaVersion();
    if (version !== d.state.expectedSchemaVersion)
      migrations = `the state database is at schema ${version}, this build expects ${d.state.expectedSchemaVersion}`;
  } catch (err) {
    database = `the state database does not answer: ${(err as Error).message}`;
    migrations = 'unknown';
  }
  let idp = 'ok';
  const active = await d.profiles.active();
  if (!active) idp = 'no identity provider is configured: nobody can sign in';
  else {
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer within ${IDP_WAIT_MS / 1000} s`)), IDP_WAIT_MS).unref(),
    );
    try {
      await Promise.race([d.upstream.ensureDiscovered(active), timeout]);
    } catch (err) {
      idp = `the discovery of ${active.issuer} failed: ${(err as Error).message}`;
    }
  }
  return {
    ready: [database, migrations, idp].every((c) => c === 'ok'),
    checks: { database, migrations, idp },
  };
}

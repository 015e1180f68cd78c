import { createStore } from 'zustand/vanilla';
import type { ControlApi, ControlParams } from '../../../shared/control/contract.js';
import type { PolicyConfig, PolicyInput } from '../../../shared/config-schema.js';
import type { AccessExplanation, LivePermissions } from '../../../shared/types.js';
import { attempter, messageOf, type FieldErrors } from './errors.js';

export type Person = ControlParams<'policy.explain'>['person'];

export interface PolicyState {
  policy?: PolicyConfig;
  /** The config file sets the policy: it is applied again at every start. */
  fromConfig: boolean;
  error?: string;
  /** The last save's bad fields by path (`rules.0.tables.deny.1`). */
  fieldErrors?: FieldErrors;
  /** Set when the bridge reports a saved policy this window did not save (another window, the config). */
  changedElsewhere: boolean;
  load(): Promise<void>;
  save(policy: PolicyInput): Promise<boolean>;
  /** What a person may do under `draft` (or the saved policy); a sentence when the bridge refuses. */
  explain(person: Person, draft?: PolicyInput): Promise<{ ok: AccessExplanation } | { error: string }>;
  changed(policy: PolicyConfig): void;
  /** The saved policy beside SQL Server's grants for a person on a connection; a sentence when it cannot run. */
  checkLive(
    person: Person & { dbUser: string },
    connection: string,
  ): Promise<LivePermissions | { error: string }>;
}

export const createPolicyStore = (api: ControlApi) =>
  createStore<PolicyState>()((set, get) => {
    const attempt = attempter(set);
    return {
      fromConfig: false,
      changedElsewhere: false,
      async load() {
        const got = await attempt(() => api.request('policy.get', {}));
        if (got) set({ ...got, changedElsewhere: false });
      },
      async save(policy) {
        const saved = await attempt(() => api.request('policy.save', policy));
        if (saved) set({ ...saved, changedElsewhere: false });
        return !!saved;
      },
      explain: (person, draft) =>
        api.request('policy.explain', { person, policy: draft }).then(
          (ok) => ({ ok }),
          (err: unknown) => ({ error: messageOf(err) }),
        ),
      checkLive: (person, connection) =>
        api.request('policy.checkLive', { person, connection }).then(
          (r) => r,
          (err: unknown) => ({ error: messageOf(err) }),
        ),
      changed(policy) {
        // The event of this window's own save carries what it already holds.
        if (JSON.stringify(policy) !== JSON.stringify(get().policy)) set({ policy, changedElsewhere: true });
      },
    };
  });

import { createStore } from 'zustand/vanilla';
import type {
  ControlApi,
  ControlParams,
  ControlResults,
  PresetInfo,
} from '../../../shared/control/contract.js';
import type { IdpProfile, TestSignInResult } from '../../../shared/types.js';
import { attempter, messageOf, type FieldErrors } from './errors.js';

export type IdpInput = ControlParams<'idp.save'>;
export type Diagnosis = ControlResults['idp.diagnose'];

export interface IdpState {
  profiles: IdpProfile[];
  presets: PresetInfo[];
  activeId?: string;
  error?: string;
  /** The last save's bad fields, for the form to show next to each. */
  fieldErrors?: FieldErrors;
  /** Test sign-ins started from this window, by test id: waiting until the result event arrives. */
  tests: Record<string, { testId: string; profileId: string; url: string; result?: TestSignInResult }>;
  doctor: Record<string, Diagnosis | 'running'>;
  load(): Promise<void>;
  save(input: IdpInput): Promise<IdpProfile | undefined>;
  remove(id: string): Promise<void>;
  setActive(id: string): Promise<void>;
  /** Starts a Test sign-in; the caller opens the returned URL (a tab, or the system browser in Electron). */
  /** `again`: ask the IdP for its login form even when the browser is signed in there (another user). */
  startTest(id: string, again?: boolean): Promise<string | undefined>;
  cancelTest(testId: string): Promise<void>;
  /** The ID token of a finished test, or the sentence saying why it is gone. */
  revealIdToken(testId: string): Promise<{ idToken: string } | { error: string }>;
  testResult(result: TestSignInResult): void;
  diagnose(id: string): Promise<void>;
  latestTest(profileId: string): { testId: string; url: string; result?: TestSignInResult } | undefined;
}

export const createIdpStore = (api: ControlApi) =>
  createStore<IdpState>()((set, get) => {
    const attempt = attempter(set);
    return {
      profiles: [],
      presets: [],
      tests: {},
      doctor: {},
      async load() {
        await attempt(async () => {
          const [profiles, presets, status] = await Promise.all([
            api.request('idp.list', {}),
            get().presets.length ? Promise.resolve(get().presets) : api.request('idp.presets', {}),
            api.request('status.get', {}),
          ]);
          set({ profiles, presets, activeId: status.activeIdp });
        });
      },
      async save(input) {
        const saved = await attempt(() => api.request('idp.save', input));
        if (saved) await get().load();
        return saved;
      },
      async remove(id) {
        if (await attempt(() => api.request('idp.remove', { id }))) await get().load();
      },
      async setActive(id) {
        if (await attempt(() => api.request('idp.setActive', { id }))) await get().load();
      },
      async startTest(id, again) {
        const started = await attempt(() => api.request('idp.testSignIn', { id, again }));
        if (!started) return undefined;
        set((s) => ({
          tests: {
            ...s.tests,
            [started.testId]: { testId: started.testId, profileId: id, url: started.url },
          },
        }));
        return started.url;
      },
      // The bridge answers with a 'cancelled' result event, which ends the test like any other result.
      async cancelTest(testId) {
        await attempt(() => api.request('idp.cancelTestSignIn', { testId }));
      },
      revealIdToken: (testId) =>
        api.request('idp.revealIdToken', { testId }).then(
          (r) => r,
          (err: unknown) => ({ error: messageOf(err) }),
        ),
      testResult(result) {
        set((s) =>
          s.tests[result.testId]
            ? { tests: { ...s.tests, [result.testId]: { ...s.tests[result.testId]!, result } } }
            : s,
        );
      },
      async diagnose(id) {
        set((s) => ({ doctor: { ...s.doctor, [id]: 'running' } }));
        const result = await attempt(() => api.request('idp.diagnose', { id }));
        set((s) => {
          const doctor = { ...s.doctor };
          if (result) doctor[id] = result;
          else delete doctor[id];
          return { doctor };
        });
      },
      // The stored object itself: a selector must return the same reference while nothing changed.
      latestTest(profileId) {
        const mine = Object.values(get().tests).filter((t) => t.profileId === profileId);
        return mine[mine.length - 1];
      },
    };
  });

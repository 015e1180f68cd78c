import { diagnoseIdp } from '../../idp/doctor.js';
import { IDP_PRESET_DEFAULTS } from '../../idp/presets.js';
import { ControlError, type PresetInfo } from '../../../shared/control/contract.js';
import type { ControlDeps, Handlers, HandlerShared } from '../control-deps.js';

/** The control API's idp requests. */
export function idpHandlers(
  deps: ControlDeps,
  { mustExist, desktopTests }: HandlerShared,
): Pick<
  Handlers,
  | 'idp.presets'
  | 'idp.list'
  | 'idp.save'
  | 'idp.remove'
  | 'idp.setActive'
  | 'idp.testSignIn'
  | 'idp.cancelTestSignIn'
  | 'idp.revealIdToken'
  | 'idp.diagnose'
> {
  return {
    'idp.presets': async () =>
      Object.entries(IDP_PRESET_DEFAULTS).map(([id, p]): PresetInfo => ({
        id: id as PresetInfo['id'],
        label: p.label,
        issuerHint: p.issuerHint,
        scopes: p.scopes,
        groupsClaim: p.groupsClaim,
        rolesClaim: p.rolesClaim,
        dbUser: p.dbUser,
        notes: p.notes,
      })),
    'idp.list': () => deps.idpProfiles.list(),
    'idp.save': async (p) => {
      const saved = await deps.idpProfiles.save(p);
      deps.upstream.invalidate(saved.id);
      return saved;
    },
    'idp.remove': async ({ id }) => ({ removed: await deps.idpProfiles.remove(id) }),
    'idp.setActive': async ({ id }) => {
      await mustExist(deps.idpProfiles.get(id), `identity provider profile "${id}"`);
      await deps.idpProfiles.setActive(id);
      return { active: id };
    },
    'idp.testSignIn': async ({ id, again, desktop }) => {
      await mustExist(deps.idpProfiles.get(id), `identity provider profile "${id}"`);
      try {
        const started = await deps.tester.begin(id, { again });
        if (desktop) desktopTests.add(started.testId);
        return started;
      } catch (err) {
        throw new ControlError((err as Error).message, 'failed');
      }
    },
    'idp.cancelTestSignIn': async ({ testId }) => ({ cancelled: deps.tester.cancel(testId) }),
    'idp.revealIdToken': async ({ testId }) => ({
      idToken: await mustExist(
        deps.tester.revealIdToken(testId),
        'ID token kept for this test sign-in (they are kept for 10 minutes, in memory): run the test again',
      ),
    }),
    'idp.diagnose': async ({ id }) => {
      const profile = await mustExist(deps.idpProfiles.get(id), `identity provider profile "${id}"`);
      const redirectUri = deps.urls().idpCallback;
      const checks = await diagnoseIdp(profile, {
        redirectUri,
        clientSecret: await deps.idpProfiles.clientSecret(id),
        clockToleranceSeconds: deps.config.idp.clock_tolerance_seconds,
      });
      return { redirectUri, checks };
    },
  };
}

import { useState } from 'react';
import type { PresetInfo } from '../../../shared/control/contract.js';
import type { IdpProfile, TestSignInResult } from '../../../shared/types.js';

type Tested = { profile: IdpProfile; claims: Record<string, unknown> };

/** Claims the bridge reads for a profile, by top-level claim name, with what each is used for. */
function usedClaims(profile: IdpProfile, preset: PresetInfo | undefined): Map<string, string> {
  const used = new Map<string, string>([
    ['sub', 'subject'],
    ['email', 'e-mail, policy'],
    ['name', 'name'],
  ]);
  const top = (path: string | undefined) => path?.split('.')[0];
  const groups = top(profile.groups_claim ?? preset?.groupsClaim);
  const roles = top(profile.roles_claim ?? preset?.rolesClaim);
  if (groups) used.set(groups, 'groups, policy');
  if (roles) used.set(roles, 'roles, policy');
  const dbUser = profile.db_user ?? preset?.dbUser;
  if (dbUser?.from === 'claim') used.set(dbUser.claim, 'database user');
  else used.set('preferred_username', 'database user when e-mail is missing');
  return used;
}

const show = (v: unknown) => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/** Two profiles' latest test sign-ins side by side (e.g. Okta and Entra for the same person). */
export function ClaimsCompare(props: {
  profiles: IdpProfile[];
  presets: PresetInfo[];
  results: Record<string, TestSignInResult | undefined>;
}) {
  const tested: Tested[] = props.profiles.flatMap((p) => {
    const claims = props.results[p.id]?.claims;
    return claims ? [{ profile: p, claims }] : [];
  });
  const [a, setA] = useState(0);
  const [b, setB] = useState(1);
  if (tested.length < 2)
    return (
      <p className="muted" data-testid="compare-hint">
        Test sign-in with two identity providers to compare their claims side by side.
      </p>
    );
  const left = tested[Math.min(a, tested.length - 1)]!;
  const right = tested[Math.min(b, tested.length - 1)]!;
  const preset = (p: IdpProfile) => props.presets.find((x) => x.id === p.preset);
  const usedLeft = usedClaims(left.profile, preset(left.profile));
  const usedRight = usedClaims(right.profile, preset(right.profile));
  const names = [...new Set([...Object.keys(left.claims), ...Object.keys(right.claims)])].sort(
    (x, y) =>
      Number(usedLeft.has(y) || usedRight.has(y)) - Number(usedLeft.has(x) || usedRight.has(x)) ||
      x.localeCompare(y),
  );
  const pick = (value: number, set: (n: number) => void, label: string) => (
    <label>
      {label}{' '}
      <select value={value} onChange={(e) => set(Number(e.target.value))}>
        {tested.map((t, i) => (
          <option key={t.profile.id} value={i}>
            {t.profile.display_name ?? t.profile.id}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div className="panel compare" data-testid="compare">
      <div className="actions">
        {pick(a, setA, 'Left')}
        {pick(b, setB, 'Right')}
      </div>
      <table className="claims">
        <thead>
          <tr>
            <th>Claim</th>
            <th>{left.profile.display_name ?? left.profile.id}</th>
            <th>{right.profile.display_name ?? right.profile.id}</th>
          </tr>
        </thead>
        <tbody>
          {names.map((n) => {
            const use = usedLeft.get(n) ?? usedRight.get(n);
            const differs = show(left.claims[n]) !== show(right.claims[n]);
            return (
              <tr
                key={n}
                className={use ? 'used' : undefined}
                data-claim={n}
                data-used={use ? 'yes' : undefined}
              >
                <th>
                  {n}
                  {use && <span className="muted"> · {use}</span>}
                </th>
                <td className={differs ? 'differs' : undefined}>
                  <code>{show(left.claims[n]) || '—'}</code>
                </td>
                <td className={differs ? 'differs' : undefined}>
                  <code>{show(right.claims[n]) || '—'}</code>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

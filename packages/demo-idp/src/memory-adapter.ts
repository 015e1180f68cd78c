import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * The demo IdP's storage: its sessions and grants are meant to vanish with it, so memory is right here. Passing
 * it explicitly (rather than relying on oidc-provider's development fallback) states that choice and keeps the
 * fallback's "in-memory adapter" warning off a newcomer's first screen.
 */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

export function memoryAdapter(): (model: string) => Adapter {
  const rows = new Map<string, { payload: AdapterPayload; expiresAt: number | undefined }>();
  const grants = new Map<string, Set<string>>();
  const key = (model: string, id: string) => `${model}:${id}`;
  return (model: string) => {
    const live = (id: string) => {
      const row = rows.get(key(model, id));
      if (!row) return undefined;
      if (row.expiresAt !== undefined && row.expiresAt <= Date.now()) {
        rows.delete(key(model, id));
        return undefined;
      }
      return row.payload;
    };
    const findBy = (field: 'uid' | 'userCode', value: string) => {
      for (const [k, row] of rows) {
        if (k.startsWith(`${model}:`) && row.payload[field] === value) return live(k.slice(model.length + 1));
      }
      return undefined;
    };
    return {
      upsert(id, payload, expiresIn) {
        rows.set(key(model, id), {
          payload: { ...payload },
          expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined,
        });
        // Only tokens die with their grant (as in oidc-provider's own adapter): an Interaction or Session
        // naming the grant must survive its revocation, e.g. when prompt=login switches the account.
        if (payload.grantId && GRANTABLE.has(model)) {
          const ids = grants.get(payload.grantId) ?? new Set<string>();
          ids.add(key(model, id));
          grants.set(payload.grantId, ids);
        }
        return Promise.resolve();
      },
      find: (id) => Promise.resolve(live(id)),
      findByUid: (uid) => Promise.resolve(findBy('uid', uid)),
      findByUserCode: (userCode) => Promise.resolve(findBy('userCode', userCode)),
      consume(id) {
        const payload = live(id);
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
        return Promise.resolve();
      },
      destroy(id) {
        rows.delete(key(model, id));
        return Promise.resolve();
      },
      revokeByGrantId(grantId) {
        for (const k of grants.get(grantId) ?? []) rows.delete(k);
        grants.delete(grantId);
        return Promise.resolve();
      },
    };
  };
}

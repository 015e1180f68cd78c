import { createStore } from 'zustand/vanilla';
import type { ControlApi, ControlEvent, GrantInfo, TokenInfo } from '../../../shared/control/contract.js';
import type { AuditEntry, McpRequestEvent } from '../../../shared/types.js';
import { attempter } from './errors.js';

/** How many MCP calls the live feed keeps on screen. */
export const FEED_LIMIT = 200;

export interface InspectorState {
  grants: GrantInfo[];
  tokens: TokenInfo[];
  feed: AuditEntry[];
  /** Sessions opened and requests refused before a tool ran, since this window opened. */
  requests: McpRequestEvent[];
  selectedJti?: string;
  error?: string;
  load(): Promise<void>;
  select(jti: string | undefined): void;
  revokeToken(jti: string): Promise<void>;
  revokeGrant(id: string): Promise<void>;
  /** Applies a live event from the bridge. */
  apply(event: ControlEvent): void;
}

export const createInspectorStore = (api: ControlApi) =>
  createStore<InspectorState>()((set, get) => {
    const attempt = attempter(set);
    return {
      grants: [],
      tokens: [],
      feed: [],
      requests: [],
      async load() {
        const loaded = await attempt(() =>
          Promise.all([
            api.request('grants.list', { includeRevoked: true }),
            api.request('tokens.list', { includeExpired: true }),
            api.request('audit.query', { limit: 50 }),
          ]),
        );
        if (loaded) set({ grants: loaded[0], tokens: loaded[1], feed: loaded[2] });
      },
      select: (jti) => set({ selectedJti: jti }),
      async revokeToken(jti) {
        if (!(await attempt(() => api.request('tokens.revoke', { jti })))) return;
        // The event updates the row too; marking it here makes the click feel immediate.
        set((s) => ({ tokens: s.tokens.map((t) => (t.jti === jti ? { ...t, revoked: true } : t)) }));
      },
      async revokeGrant(id) {
        if (await attempt(() => api.request('grants.revoke', { id }))) await get().load();
      },
      apply(event) {
        switch (event.type) {
          case 'audit.entry':
            set((s) => ({
              feed: [event.data, ...s.feed.filter((e) => e.id !== event.data.id)].slice(0, FEED_LIMIT),
            }));
            break;
          case 'mcp.request':
            set((s) => ({ requests: [event.data, ...s.requests].slice(0, FEED_LIMIT) }));
            break;
          case 'token.issued':
            set((s) => ({ tokens: [event.data, ...s.tokens.filter((t) => t.jti !== event.data.jti)] }));
            // A new sign-in or a rotation: the sessions' refresh-family counts change too.
            void api.request('grants.list', { includeRevoked: true }).then(
              (grants) => set({ grants }),
              () => undefined,
            );
            break;
          case 'token.revoked':
            set((s) => ({
              tokens: s.tokens.map((t) => (t.jti === event.data.jti ? { ...t, revoked: true } : t)),
            }));
            break;
          case 'grant.revoked':
            set((s) => ({
              tokens: s.tokens.map((t) => (t.grantId === event.data.grantId ? { ...t, revoked: true } : t)),
              grants: s.grants.map((g) =>
                g.id === event.data.grantId
                  ? {
                      ...g,
                      revokedAt: g.revokedAt ?? Math.floor(Date.now() / 1000),
                      revokedReason: event.data.reason,
                    }
                  : g,
              ),
            }));
            break;
          default:
            break;
        }
      },
    };
  });

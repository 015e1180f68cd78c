import { createStore } from 'zustand/vanilla';
import type {
  AuditFacets,
  AuditFilter,
  ControlApi,
  ControlEvent,
  GrantInfo,
  TokenInfo,
} from '../../../shared/control/contract.js';
import type { AuditEntry } from '../../../shared/types.js';
import { attempter } from './errors.js';

/** Entries per page of the audit log. */
export const AUDIT_PAGE = 50;

/** Whether a live entry belongs on the page the filter shows (the server's filter, as far as one entry goes). */
export function matches(e: AuditEntry, f: AuditFilter): boolean {
  const text = f.text?.toLowerCase();
  return (
    (!f.person || e.subject === f.person || e.email?.toLowerCase() === f.person.toLowerCase()) &&
    (!f.clientId || e.clientId === f.clientId) &&
    (!f.tool || e.tool === f.tool) &&
    (!f.connection || e.profile === f.connection) &&
    (!f.database || e.database === f.database) &&
    (!f.outcome || e.outcome === f.outcome) &&
    (f.from === undefined || e.at >= f.from) &&
    (f.to === undefined || e.at <= f.to) &&
    (!text || !!e.statement?.toLowerCase().includes(text) || !!e.errorMessage?.toLowerCase().includes(text))
  );
}

export interface InspectorState {
  grants: GrantInfo[];
  tokens: TokenInfo[];
  /** The audit log's page on screen (newest first), and how many entries the filter matches in all. */
  feed: AuditEntry[];
  total: number;
  filter: AuditFilter;
  /** The ids the pages start before: [undefined] is the newest page; one more per "Older". */
  cursors: Array<number | undefined>;
  facets?: AuditFacets;
  selectedJti?: string;
  error?: string;
  load(): Promise<void>;
  /** Shows the newest page matching `filter`. */
  search(filter: AuditFilter): Promise<void>;
  older(): Promise<void>;
  newer(): Promise<void>;
  /** The filtered log as a file to save. */
  exportLog(format: 'csv' | 'json'): Promise<{ filename: string; mime: string; content: string } | undefined>;
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
      total: 0,
      filter: {},
      cursors: [undefined],
      async load() {
        const { filter, cursors } = get();
        const loaded = await attempt(() =>
          Promise.all([
            api.request('grants.list', { includeRevoked: true }),
            api.request('tokens.list', { includeExpired: true }),
            api.request('audit.query', { limit: AUDIT_PAGE, filter, beforeId: cursors.at(-1) }),
            api.request('audit.facets', {}),
          ]),
        );
        if (loaded)
          set({
            grants: loaded[0],
            tokens: loaded[1],
            feed: loaded[2].entries,
            total: loaded[2].total,
            facets: loaded[3],
          });
      },
      async search(filter) {
        const page = await attempt(() => api.request('audit.query', { limit: AUDIT_PAGE, filter }));
        if (page) set({ filter, cursors: [undefined], feed: page.entries, total: page.total });
      },
      async older() {
        const { feed, filter, cursors } = get();
        const last = feed.at(-1);
        if (!last) return;
        const page = await attempt(() =>
          api.request('audit.query', { limit: AUDIT_PAGE, filter, beforeId: last.id }),
        );
        if (page && page.entries.length)
          set({ cursors: [...cursors, last.id], feed: page.entries, total: page.total });
      },
      async newer() {
        const { filter, cursors } = get();
        if (cursors.length < 2) return;
        const back = cursors.slice(0, -1);
        const page = await attempt(() =>
          api.request('audit.query', { limit: AUDIT_PAGE, filter, beforeId: back.at(-1) }),
        );
        if (page) set({ cursors: back, feed: page.entries, total: page.total });
      },
      exportLog: (format) => attempt(() => api.request('audit.export', { filter: get().filter, format })),
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
            // A client the log has not named yet (a new registration): learn its name for the rows.
            if (!get().facets?.clients.some((c) => c.id === event.data.clientId))
              void api.request('audit.facets', {}).then(
                (facets) => set({ facets }),
                () => undefined,
              );
            set((s) => {
              const known = s.feed.some((e) => e.id === event.data.id);
              // A call that finished updates its row wherever it is; a new one goes on the newest page only.
              if (known) return { feed: s.feed.map((e) => (e.id === event.data.id ? event.data : e)) };
              if (s.cursors.length > 1 || !matches(event.data, s.filter)) return {};
              return { feed: [event.data, ...s.feed].slice(0, AUDIT_PAGE), total: s.total + 1 };
            });
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

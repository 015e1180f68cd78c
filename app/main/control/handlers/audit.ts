import type { ControlDeps, Handlers, HandlerShared } from '../control-deps.js';
import { AUDIT_EXPORT_MAX } from '../../../shared/control/contract.js';
import { exportAudit } from '../../mcp/audit-export.js';

/** The control API's audit log requests: search, the filters' values, export. */
export function auditHandlers(
  deps: ControlDeps,
  _shared: HandlerShared,
): Pick<Handlers, 'audit.query' | 'audit.facets' | 'audit.export'> {
  // Self-registered clients are UUIDs: the log names them as they named themselves.
  const clientNames = async (ids: string[]) => {
    const names = new Map<string, string | undefined>();
    await Promise.all(
      ids.map(async (id) =>
        names.set(id, (await deps.clients.find(id).catch(() => undefined))?.info.client_name),
      ),
    );
    return names;
  };
  return {
    'audit.query': async (p) => deps.audit.page(p),
    'audit.facets': async () => {
      const f = await deps.audit.facets();
      const names = await clientNames(f.clients);
      return { ...f, clients: f.clients.map((id) => ({ id, name: names.get(id) })) };
    },
    'audit.export': async ({ filter, format }) => {
      const entries = await deps.audit.all(filter, AUDIT_EXPORT_MAX);
      const names = await clientNames([...new Set(entries.map((e) => e.clientId))]);
      return exportAudit(entries, format, (id) => names.get(id));
    },
  };
}

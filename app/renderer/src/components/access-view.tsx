import type { AccessExplanation } from '../../../shared/types.js';
import type { Person } from '../stores/policy.js';
import { LiveCheck } from './live-check.js';
import { Badge } from './ui.js';

/** What one person may do: the deciding rule, tools, database user and each connection. */
export function AccessView({
  access,
  person,
}: {
  access: AccessExplanation;
  /** A real person (a test sign-in): each open connection can then be checked live in SQL Server. */
  person?: Person & { dbUser: string };
}) {
  return (
    <div className="access" data-testid="access">
      {access.refusal ? (
        <div className="banner error" role="alert" data-testid="access-refusal">
          {access.refusal}
        </div>
      ) : (
        <p data-testid="access-rule">
          {access.policySet ? (
            <>
              Decided by rule <code>{access.rule}</code>.
            </>
          ) : (
            'No policy rules: the connection profiles decide.'
          )}{' '}
          Tools: <strong>{access.tools.join(', ')}</strong>. Queries run as database user{' '}
          <code>{access.dbUser}</code>
          {access.dbUserFrom === 'policy' ? ' (set by the rule)' : ''}.
        </p>
      )}
      {!access.refusal && access.connections.length === 0 && (
        <p className="muted">
          No SQL Server connection yet: add one on the Connections page to see what is open there.
        </p>
      )}
      {!access.refusal && access.connections.length > 0 && (
        <table className="access-table">
          <thead>
            <tr>
              <th>Connection</th>
              <th>Databases</th>
              <th>Tables</th>
              <th>Rows</th>
              <th>Timeout</th>
              <th>Writes</th>
              {person && <th>In SQL Server</th>}
            </tr>
          </thead>
          <tbody>
            {access.connections.map((c) => (
              <tr key={c.id} data-connection={c.id}>
                <th>{c.name ?? c.id}</th>
                {c.refusal ? (
                  <td colSpan={person ? 6 : 5}>
                    <Badge tone="muted">not open</Badge> {c.refusal}
                  </td>
                ) : (
                  <>
                    <td>{c.databases}</td>
                    <td>
                      {c.tables.allow.join(', ')}
                      {c.tables.deny.length > 0 && <> except {c.tables.deny.join(', ')}</>}
                    </td>
                    <td>{c.rowLimit}</td>
                    <td>{c.timeoutSeconds} s</td>
                    <td>{c.writes ? <Badge tone="warn">yes</Badge> : 'no'}</td>
                    {person && (
                      <td>
                        <LiveCheck person={person} connection={c.id} />
                      </td>
                    )}
                  </>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

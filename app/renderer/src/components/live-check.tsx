import { useState } from 'react';
import type { LivePermissions } from '../../../shared/types.js';
import { useStores } from '../context.js';
import type { Person } from '../stores/policy.js';

type Answer = LivePermissions | { error: string };

/**
 * "Check in SQL Server": the policy beside the database user's own grants on one connection. Where the two
 * disagree is what an administrator wants to see: a table the policy opens but SQL Server refuses (the person
 * will get a permission error), or one SQL Server grants but the policy denies (the policy is the only guard).
 */
export function LiveCheck({
  person,
  connection,
}: {
  person: Person & { dbUser: string };
  connection: string;
}) {
  const { policy } = useStores();
  const [answer, setAnswer] = useState<Answer | 'running'>();
  if (!answer || answer === 'running')
    return (
      <button
        type="button"
        data-testid={`live-${connection}`}
        disabled={answer === 'running'}
        onClick={() => {
          setAnswer('running');
          void policy.getState().checkLive(person, connection).then(setAnswer);
        }}
      >
        {answer === 'running' ? 'Checking…' : 'Check in SQL Server'}
      </button>
    );
  if ('error' in answer || !answer.ok)
    return (
      <span className="error-text" role="alert" data-testid={`live-${connection}-error`}>
        {'error' in answer ? answer.error : answer.message}
      </span>
    );
  const both = answer.tables.filter((t) => !t.policy && t.select === true);
  const sqlRefuses = answer.tables.filter((t) => !t.policy && t.select === false);
  const policyOnly = answer.tables.filter((t) => t.policy && t.select === true);
  const names = (ts: typeof answer.tables) => ts.map((t) => `${t.schema}.${t.name}`).join(', ');
  return (
    <div className="live" data-testid={`live-${connection}-result`} role="status">
      As database user <code>{answer.dbUser}</code> in {answer.database}: <strong>{both.length}</strong>{' '}
      tables readable (policy and SQL Server agree)
      {answer.truncated ? ' among the first checked' : ''}.
      {sqlRefuses.length > 0 && (
        <div data-testid="live-sql-refuses">
          The policy opens but SQL Server refuses (calls will fail with a permission error):{' '}
          {names(sqlRefuses)}.
        </div>
      )}
      {policyOnly.length > 0 && (
        <div data-testid="live-policy-only">
          SQL Server grants but the policy denies (the policy is the only guard): {names(policyOnly)}.
        </div>
      )}
    </div>
  );
}

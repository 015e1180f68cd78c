import { describe, expect, it } from 'vitest';
import { explainSqlError } from '../../app/main/sql/errors.js';

const where = { host: 'sql01', port: 1433, login: 'mcp_bridge', timeoutSeconds: 30 };

describe('SQL errors named by what happened', () => {
  it("keeps tedious' three ETIMEOUTs apart: a cancel or login timeout is never the query timeout", () => {
    const cancel = explainSqlError(
      { code: 'ETIMEOUT', message: 'Timeout: Request failed to cancel in 5000ms' },
      where,
    );
    expect(cancel.code).toBe('cancel_timeout');
    expect(cancel.message).toBe(
      'sql01:1433 did not acknowledge the cancel in time, so the bridge closed that connection.',
    );
    const connect = explainSqlError(
      { name: 'ConnectionError', code: 'ETIMEOUT', message: 'Failed to connect to sql01:1433 in 15000ms' },
      where,
    );
    expect(connect.code).toBe('connect_timeout');
    expect(connect.message).toBe(
      'No answer from sql01:1433 while connecting as "mcp_bridge" (login timeout).',
    );
    const request = explainSqlError(
      { code: 'ETIMEOUT', message: 'Timeout: Request failed to complete in 30000ms' },
      where,
    );
    expect(request).toMatchObject({
      code: 'timeout',
      message: 'The statement did not finish within 30 s on sql01:1433 and was cancelled.',
    });
    expect(explainSqlError({ code: 'EDEADLINE', message: 'x' }, where).code).toBe('timeout');
  });

  it('names the login SQL Server rejected, and where', () => {
    const refused = explainSqlError({ number: 18456, message: "Login failed for user 'mcp_bridge'." }, where);
    expect(refused).toMatchObject({
      code: 'login_failed',
      number: 18456,
      message: 'SQL Server at sql01:1433 rejected the login "mcp_bridge" (18456).',
    });
  });

  it('names a connection lost mid-statement instead of "socket hang up"', () => {
    const lost = explainSqlError({ code: 'ESOCKET', message: 'socket hang up' }, where);
    expect(lost.code).toBe('connection_lost');
    expect(lost.message).toBe('The connection to sql01:1433 was lost while the statement ran.');
    expect(lost.fix).toMatch(/Nothing was committed/);
    expect(explainSqlError(new Error('aborted'), where).code).toBe('connection_lost');
  });
});

import { serverLabel } from '../../shared/server-label.js';
import type { ExplainedError } from '../../shared/types.js';
export type { ExplainedError };
export function explainSqlError(
  err: unknown,
  where: {
    host?: string;
    port?: number;
    /** A named instance: its port came (or should have come) from SQL Server Browser. */
    instance?: string;
    /** The login the bridge connects as (SQL user, domain user or Entra client id). */
    login?: string;
    database?: string;
    dbUser?: string;
    timeoutSeconds?: number;
  } = {},
): ExplainedError {
  const e = err as { code?: string; number?: number; message?: string; originalError?: { message?: string } };
  const message = e.message ?? String(err);
  // The cause that names the problem (ECONNREFUSED, ENOTFOUND, a certificate error) may sit a few levels down,
  // inside `originalError`, `cause` or an AggregateError's `errors`.
  const inner = nested(err)
    .map((x) => `${x.code ?? ''} ${x.message ?? ''}`)
    .join(' ');
  const at = where.host ? serverLabel({ ...where, host: where.host }) : 'the server';
  if (e.code === 'EINSTLOOKUP' || nested(err).some((x) => x.code === 'EINSTLOOKUP')) {
    const notListed = /not found in/i.test(inner);
    return {
      code: 'instance_lookup',
      message: notListed
        ? `SQL Server Browser on ${where.host ?? 'the host'} answered, but lists no instance "${where.instance ?? '?'}".`
        : `SQL Server Browser on ${where.host ?? 'the host'} (UDP 1434) did not answer, so the port of instance "${where.instance ?? '?'}" is unknown.`,
      fix: notListed
        ? 'Check the instance name (SQL Server Configuration Manager lists them), or give its TCP port instead of its name.'
        : "Start the SQL Server Browser service on that host and allow UDP 1434 through its firewall, or give the instance's TCP port (Configuration Manager, TCP/IP properties) instead of its name.",
    };
  }
  if (/ENOTFOUND|EAI_AGAIN|getaddrinfo/i.test(inner)) {
    return {
      code: 'dns',
      message: `The host name of ${at} could not be resolved.`,
      fix: 'Check the host name in the connection profile, and that this computer can resolve it (VPN, DNS).',
    };
  }
  if (/ECONNREFUSED/i.test(inner)) {
    return {
      code: 'refused',
      message: `Nothing accepted the connection on ${at}.`,
      fix: 'Check that SQL Server is running, that TCP/IP is enabled for it, the port (1433 by default), and firewalls between here and there.',
    };
  }
  if (
    /certificate|self[- ]signed|SSL|TLS|DEPTH_ZERO|UNABLE_TO_VERIFY/i.test(inner) &&
    e.number === undefined
  ) {
    return {
      code: 'tls',
      message: `The TLS connection to ${at} failed: ${e.originalError?.message ?? message}`,
      fix: "Install the server certificate's CA on this computer, or (on a trusted network only) enable trust_server_certificate; if the server does not support encryption, turn encrypt off.",
    };
  }
  if (e.number === 18456 || /Login failed for user/i.test(inner)) {
    return {
      code: 'login_failed',
      number: 18456,
      message: `SQL Server at ${at} rejected the login${where.login ? ` "${where.login}"` : ''} (18456).`,
      fix: 'Check the user name and password in the profile, and that SQL Server accepts SQL authentication (mixed mode) for this login.',
    };
  }
  if (e.number === 4060 || /Cannot open database/i.test(inner)) {
    return {
      code: 'database_unavailable',
      number: 4060,
      message: `The login cannot open database "${where.database ?? '?'}" (4060).`,
      fix: 'Check the database name, that it is online, and that the login has a user in it.',
    };
  }
  if (
    e.number === 15517 ||
    (e.number === undefined && /Cannot execute as the database principal/i.test(inner))
  ) {
    return {
      code: 'impersonation_failed',
      number: 15517,
      message: `The database user "${where.dbUser ?? '?'}" does not exist in database "${where.database ?? '?'}", or the service login may not impersonate it.`,
      fix: `Ask a DBA to create the user (CREATE USER [${where.dbUser ?? 'name'}] ...) and to GRANT IMPERSONATE ON USER::[${where.dbUser ?? 'name'}] TO the bridge's login. The bridge never falls back to its own login.`,
    };
  }
  if (e.number === 229 || e.number === 230) {
    return {
      code: 'permission_denied',
      number: e.number,
      message,
      fix: 'The signed-in user lacks this permission in SQL Server; a DBA can GRANT it if it is appropriate.',
    };
  }
  // tedious uses ETIMEOUT for three different things; each gets its own sentence.
  if (e.code === 'ETIMEOUT' && /failed to cancel/i.test(inner))
    return {
      code: 'cancel_timeout',
      message: `${at} did not acknowledge the cancel in time, so the bridge closed that connection.`,
      fix: 'The server may be overloaded or frozen; check it, then retry. Nothing was committed.',
    };
  // With a named instance the wait may have been for SQL Server Browser's answer (tedious cannot tell which).
  if (e.code === 'ETIMEOUT' && /failed to connect/i.test(inner) && where.instance)
    return {
      code: 'connect_timeout',
      message: `No answer from ${at} while connecting (login timeout): SQL Server Browser on ${where.host ?? 'the host'} (UDP 1434) did not say the instance's port, or the instance did not answer on it.`,
      fix: "Start the SQL Server Browser service on that host and allow UDP 1434 through its firewall, or give the instance's TCP port instead of its name; check that the instance is running.",
    };
  if (e.code === 'ETIMEOUT' && /failed to connect/i.test(inner))
    return {
      code: 'connect_timeout',
      message: `No answer from ${at} while connecting${where.login ? ` as "${where.login}"` : ''} (login timeout).`,
      fix: 'Check that the host and port are right, that SQL Server is running, and that no firewall silently drops the connection.',
    };
  // The bridge's own whole-call deadline, or the driver's request timeout.
  if (e.code === 'EDEADLINE' || e.code === 'ETIMEOUT')
    return {
      code: 'timeout',
      message: `The statement did not finish within ${where.timeoutSeconds !== undefined ? `${where.timeoutSeconds} s` : 'the time limit'} on ${at} and was cancelled.`,
      fix: 'Narrow the query (filters, TOP) or raise query_timeout_seconds in the profile.',
    };
  // Node 24 under load may report the killed socket as a bare "aborted" (seen once in the fault suite).
  if (/ECONNRESET|socket hang up|ESOCKET|Connection lost|^\s*aborted$/i.test(inner))
    return {
      code: 'connection_lost',
      message: `The connection to ${at} was lost while the statement ran.`,
      fix: 'SQL Server closed the connection or went away; check that it is running, then retry. Nothing was committed.',
    };
  if (e.code === 'ECANCEL') return { code: 'cancelled', message: 'The statement was cancelled.' };
  if (e.number !== undefined) return { code: 'sql_error', number: e.number, message };
  return { code: 'error', message };
}

/**
 * The driver's code of an error (tedious/mssql: ETIMEOUT, ECONNRESET...), or the bridge's own (EDEADLINE):
 * the outermost one, looking inside the wrappers when the outer error has none.
 */
export function driverCode(err: unknown): string | undefined {
  return nested(err).find((x) => typeof x.code === 'string')?.code;
}

function nested(err: unknown, depth = 0): Array<{ code?: string; message?: string }> {
  if (!err || typeof err !== 'object' || depth > 5) return [];
  const e = err as {
    code?: string;
    message?: string;
    originalError?: unknown;
    cause?: unknown;
    errors?: unknown[];
  };
  return [
    e,
    ...nested(e.originalError, depth + 1),
    ...nested(e.cause, depth + 1),
    ...(e.errors ?? []).flatMap((x) => nested(x, depth + 1)),
  ];
}

/**
 * `tds-test-server [--port N] [--sample] [--large-table ROWS] [--tls]`: a standalone TDS test server on
 * 127.0.0.1. With --sample it serves the Sales sample database and prints a connection string for it.
 */
import { parseArgs } from 'node:util';
import { selfSignedCert } from './certificate.js';
import { createLargeTable, grantImpersonation, sampleDatabase, SAMPLE_LOGINS } from './sample.js';
import { startTdsServer } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    sample: { type: 'boolean', default: false },
    'large-table': { type: 'string' },
    tls: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('tds-test-server [--port N] [--sample] [--large-table ROWS] [--tls]');
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number (0 picks a free one), not "${values.port}".`);
  process.exit(2);
}
const server = await startTdsServer({
  port,
  logins: SAMPLE_LOGINS,
  databases: values.sample ? [sampleDatabase()] : [],
  ...(values.tls ? { tls: selfSignedCert() } : {}),
});
if (values.sample) await grantImpersonation(server, 'bridge_svc', ['alice', 'bob']);
if (values['large-table'] && values.sample)
  await createLargeTable(server, 'Sales', Number(values['large-table']));
const sa = SAMPLE_LOGINS.find((l) => l.superuser)!;
const db = values.sample ? 'Sales' : 'master';
console.log(
  [
    `TDS test server (PostgreSQL ${server.engine.pgVersion} underneath; not SQL Server) on ${server.host}:${server.port}`,
    `  ADO.NET: Server=${server.host},${server.port};Database=${db};User Id=${sa.name};Password=${sa.password};Encrypt=${values.tls ? 'true;TrustServerCertificate=true' : 'false'}`,
    `  mssql:   mssql://${sa.name}:${encodeURIComponent(sa.password)}@${server.host}:${server.port}/${db}?encrypt=${values.tls}`,
    ...SAMPLE_LOGINS.filter((l) => !l.superuser).map((l) => `  login:   ${l.name} / ${l.password}`),
    'Press Ctrl+C to stop.',
  ].join('\n'),
);
const stop = () => void server.stop().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

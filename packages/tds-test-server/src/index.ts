/** The TDS test server: a SQL Server stand-in over PostgreSQL (PGlite) for the bridge's demo and tests. */
export {
  startTdsServer,
  type TdsServer,
  type TdsServerOptions,
  type DatabaseSpec,
  type LoginSpec,
} from './server.js';
export {
  createLargeTable,
  grantImpersonation,
  sampleConnection,
  sampleDatabase,
  SAMPLE_LOGINS,
} from './sample.js';
export { selfSignedCert } from './certificate.js';
export { spawnTdsServer, type TdsServerProcess } from './child.js';

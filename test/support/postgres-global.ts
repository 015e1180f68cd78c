import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres.js';

/** One PostgreSQL cluster for the postgres project's run (each test creates its own database), then gone. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startPostgres();
  project.provide('postgresAdminUrl', cluster.adminUrl);
  return () => cluster.stop();
}

import { defineConfig } from 'vitest/config';

const translate = 'packages/tds-test-server/test/translate.test.ts';
/** Suites that run on both state backends (their bridge's state in SQLite, then in PostgreSQL). */
const POSTGRES_SUITES = [
  'test/integration/oauth-flow.test.ts',
  'test/integration/oauth-negative.test.ts',
  'test/integration/authorization-server-attacks.test.ts',
  'test/integration/consent-and-registration.test.ts',
  'test/integration/control.test.ts',
  'test/integration/access-policy.test.ts',
  'test/integration/health.test.ts',
  'test/integration/enterprise-managed.test.ts',
  'test/integration/behind-proxy.test.ts',
];

export default defineConfig({
  test: {
    // Integration tests start real servers (IdP, bridge) and talk to the real keychain over D-Bus.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default'],
    coverage: {
      provider: 'v8',
      include: ['app/**/*.{ts,tsx}', 'packages/*/src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'test-results/coverage',
      reportOnFailure: true,
    },
    // Three tiers, all run by `npm test`; each also alone: npm run test:unit | test:integration | test:e2e.
    projects: [
      {
        extends: true,
        // Pure logic: no keychain, no server, no child process; one shared thread pool keeps it under 5 s.
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', translate],
          pool: 'threads',
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [
            'test/integration/**/*.test.ts',
            'test/faults/**/*.test.ts',
            'packages/*/test/**/*.test.ts',
          ],
          exclude: [translate],
          pool: 'forks',
        },
      },
      { extends: true, test: { name: 'e2e', include: ['e2e/**/*.test.ts'], pool: 'forks' } },
      {
        extends: true,
        // Team mode: the state and OAuth suites again with the state in PostgreSQL (Debian's server, one
        // cluster for the run, a fresh database per bridge), and the multi-instance tests.
        test: {
          name: 'postgres',
          include: [...POSTGRES_SUITES, 'test/postgres/**/*.test.ts'],
          pool: 'forks',
          globalSetup: ['test/support/postgres-global.ts'],
          env: { BRIDGE_TEST_STATE: 'postgres' },
        },
      },
    ],
  },
});

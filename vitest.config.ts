import { defineConfig } from 'vitest/config';

const translate = 'packages/tds-test-server/test/translate.test.ts';

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
    ],
  },
});

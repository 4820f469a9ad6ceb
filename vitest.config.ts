import { defineConfig } from 'vitest/config';

// Four suites: unit (fakes only, fast), integration + contract (real DynamoDB Local, Radicale and our
// provider simulators over real sockets), e2e (the local stack end to end), infra (CDK synth, cdk-nag).
export default defineConfig({
  test: {
    // Handlers log JSON at INFO; tests that check logging raise the level themselves.
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'WARN' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/contract/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          environment: 'node',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // Each e2e file starts the whole local stack (with its own DynamoDB Local); run them one at a time.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          environment: 'node',
        },
      },
      {
        test: {
          // The operator console in Debian's Chromium against the local stack (playwright-core).
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          environment: 'node',
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          environment: 'node',
        },
      },
    ],
  },
});
